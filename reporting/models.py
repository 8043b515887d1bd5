import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import AppendOnlyModel, Region

from .querysets import (
    EvidenceQuerySet,
    ExtensionQuerySet,
    ReportQuerySet,
    SetupQuerySet,
)

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class PeriodScheme(models.TextChoices):
    QUARTERLY = "quarterly", _("Triwulan (I-IV)")
    FOUR_MONTHLY = "four_monthly", _("Empat bulanan (B04/B08/B12, Perpres 53/2021)")


# (code, name, first month, last month) of each period of a scheme.
SCHEME_PERIODS = {
    PeriodScheme.QUARTERLY: [
        ("TW1", "Triwulan I", 1, 3),
        ("TW2", "Triwulan II", 4, 6),
        ("TW3", "Triwulan III", 7, 9),
        ("TW4", "Triwulan IV", 10, 12),
    ],
    PeriodScheme.FOUR_MONTHLY: [
        ("B04", "Periode B04 (Januari-April)", 1, 4),
        ("B08", "Periode B08 (Mei-Agustus)", 5, 8),
        ("B12", "Periode B12 (September-Desember)", 9, 12),
    ],
}


def _month_end(year, month):
    if month == 12:
        return datetime.date(year, 12, 31)
    return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)


class ReportingCycle(models.Model):
    """A year of RANHAM reporting with its period scheme and scoring settings."""

    year = models.PositiveSmallIntegerField(_("tahun"), unique=True)
    name = models.CharField(_("nama"), max_length=150, blank=True)
    scheme = models.CharField(
        _("skema periode"),
        max_length=15,
        choices=PeriodScheme.choices,
        default=PeriodScheme.QUARTERLY,
    )
    weight_completeness = models.DecimalField(
        _("bobot kelengkapan (C)"), max_digits=4, decimal_places=2, default=Decimal("0.50")
    )
    weight_timeliness = models.DecimalField(
        _("bobot ketepatan waktu (T)"), max_digits=4, decimal_places=2, default=Decimal("0.25")
    )
    weight_responsiveness = models.DecimalField(
        _("bobot responsivitas (R)"), max_digits=4, decimal_places=2, default=Decimal("0.25")
    )
    late_penalty_per_day = models.DecimalField(
        _("potongan per hari terlambat"), max_digits=5, decimal_places=2, default=Decimal("10")
    )
    revision_credit = models.DecimalField(
        _("nilai dokumen yang diterima setelah perbaikan"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
    )
    revision_sla_days = models.PositiveSmallIntegerField(
        _("batas hari kerja menjawab perbaikan"), default=3
    )
    late_response_penalty_per_day = models.DecimalField(
        _("potongan per hari kerja lewat batas perbaikan"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
    )
    award_min_score = models.DecimalField(
        _("nilai minimal penghargaan"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("80"),
        validators=PERCENT,
    )
    due_days_after_period = models.PositiveSmallIntegerField(
        _("batas lapor (hari setelah akhir periode)"), default=10
    )
    close_days_after_due = models.PositiveSmallIntegerField(
        _("laporan ditutup (hari setelah batas lapor)"), default=21
    )
    review_sla_days = models.PositiveSmallIntegerField(
        _("batas hari kerja Kanwil memeriksa laporan"), default=5
    )
    extension_max_days_after_close = models.PositiveSmallIntegerField(
        _("perpanjangan paling lama (hari setelah periode ditutup)"), default=30
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("siklus pelaporan")
        verbose_name_plural = _("siklus pelaporan")

    def __str__(self):
        return self.name or f"RANHAM {self.year}"

    def clean(self):
        total = self.weight_completeness + self.weight_timeliness + self.weight_responsiveness
        if total != Decimal("1.00"):
            raise ValidationError(
                _("Jumlah bobot C, T, dan R harus 1,00 (sekarang %(total)s).") % {"total": total}
            )

    def planned_periods(self):
        """The periods the scheme gives, as unsaved rows (dates from the cycle's settings)."""
        periods = []
        for order, (code, name, first, last) in enumerate(SCHEME_PERIODS[self.scheme], start=1):
            ends_on = _month_end(self.year, last)
            due_on = ends_on + datetime.timedelta(days=self.due_days_after_period)
            periods.append(
                Period(
                    cycle=self,
                    order=order,
                    code=code,
                    name=name,
                    starts_on=datetime.date(self.year, first, 1),
                    ends_on=ends_on,
                    opens_on=datetime.date(self.year, first, 1),
                    due_on=due_on,
                    closes_on=due_on + datetime.timedelta(days=self.close_days_after_due),
                )
            )
        return periods


class Period(models.Model):
    """One reporting period of a cycle, with its window and deadline."""

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="periods")
    order = models.PositiveSmallIntegerField(_("urutan"))
    code = models.CharField(_("kode"), max_length=10)
    name = models.CharField(_("nama"), max_length=100)
    starts_on = models.DateField(_("awal periode"))
    ends_on = models.DateField(_("akhir periode"))
    opens_on = models.DateField(_("pelaporan dibuka"))
    due_on = models.DateField(
        _("batas lapor"), help_text=_("Berakhir pukul 24.00 waktu setempat tiap daerah.")
    )
    closes_on = models.DateField(
        _("pelaporan ditutup"),
        help_text=_("Setelah tanggal ini laporan tidak dapat dikirim kecuali ada perpanjangan."),
    )

    class Meta:
        ordering = ["cycle__year", "order"]
        verbose_name = _("periode")
        verbose_name_plural = _("periode")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="unique_period_code"),
            models.CheckConstraint(
                name="period_dates_in_order",
                condition=models.Q(starts_on__lte=models.F("ends_on"))
                & models.Q(opens_on__lte=models.F("due_on"))
                & models.Q(due_on__lte=models.F("closes_on")),
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.cycle.year}"


class TargetGroup(models.TextChoices):
    PEREMPUAN = "perempuan", _("Perempuan")
    ANAK = "anak", _("Anak")
    DISABILITAS = "disabilitas", _("Penyandang disabilitas")
    MASYARAKAT_ADAT = "masyarakat_adat", _("Kelompok masyarakat adat")


class Action(models.Model):
    """An Aksi HAM of a cycle, for one target group."""

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveSmallIntegerField(_("nomor"))
    title = models.CharField(_("judul aksi"), max_length=300)
    target_group = models.CharField(
        _("kelompok sasaran"), max_length=20, choices=TargetGroup.choices
    )
    success_criterion = models.TextField(_("kriteria keberhasilan"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SetupQuerySet.as_manager()

    class Meta:
        ordering = ["cycle__year", "number"]
        verbose_name = _("Aksi HAM")
        verbose_name_plural = _("Aksi HAM")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="unique_action_number"),
        ]

    def __str__(self):
        return f"Aksi {self.number}: {self.title}"


class ActionMeasure(models.Model):
    """The success measure (ukuran keberhasilan) of an action in one period."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="measures")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="measures")
    measure = models.TextField(_("ukuran keberhasilan"))

    objects = SetupQuerySet.as_manager()

    class Meta:
        ordering = ["period__order", "action__number"]
        verbose_name = _("ukuran keberhasilan")
        verbose_name_plural = _("ukuran keberhasilan")
        constraints = [
            models.UniqueConstraint(fields=["action", "period"], name="unique_measure_period"),
        ]

    def __str__(self):
        return f"{self.action} – {self.period.code}"

    def clean(self):
        if self.action_id and self.period_id and self.action.cycle_id != self.period.cycle_id:
            raise ValidationError(_("Aksi dan periode harus dari siklus yang sama."))


class EvidenceRequirement(models.Model):
    """An evidence item (data dukung) a measure requires, e.g. "SK Tim Pelaksana"."""

    measure = models.ForeignKey(
        ActionMeasure, on_delete=models.CASCADE, related_name="requirements"
    )
    order = models.PositiveSmallIntegerField(_("urutan"), default=1)
    name = models.CharField(_("nama dokumen"), max_length=200)
    description = models.TextField(_("keterangan"), blank=True)

    objects = SetupQuerySet.as_manager()

    class Meta:
        ordering = ["measure_id", "order", "pk"]
        verbose_name = _("data dukung wajib")
        verbose_name_plural = _("data dukung wajib")

    def __str__(self):
        return self.name


class Assignment(models.Model):
    """A region that must report an action."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="assignments")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SetupQuerySet.as_manager()

    class Meta:
        ordering = ["region__code", "action__number"]
        verbose_name = _("penugasan aksi")
        verbose_name_plural = _("penugasan aksi")
        constraints = [
            models.UniqueConstraint(fields=["action", "region"], name="unique_assignment"),
        ]

    def __str__(self):
        return f"{self.region.name} – {self.action}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Terkirim")
    RETURNED = "returned", _("Dikembalikan untuk perbaikan")
    VERIFIED = "verified", _("Terverifikasi")


class Report(models.Model):
    """One region's report for one period."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="reports")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    notes = models.TextField(_("catatan"), blank=True)
    proposals = models.TextField(_("usulan kepada Kementerian"), blank=True)
    first_submitted_at = models.DateTimeField(_("pertama dikirim"), null=True, blank=True)
    last_submitted_at = models.DateTimeField(_("terakhir dikirim"), null=True, blank=True)
    verified_at = models.DateTimeField(_("diverifikasi"), null=True, blank=True)
    # Optimistic concurrency: every save of the draft bumps it; a stale form is refused.
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["period__cycle__year", "period__order", "region__code"]
        verbose_name = _("laporan")
        verbose_name_plural = _("laporan")
        constraints = [
            models.UniqueConstraint(fields=["region", "period"], name="unique_report"),
        ]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self):
        return f"{self.region.name} – {self.period}"

    @property
    def is_editable_by_reporter(self):
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Belum dimulai")
    IN_PROGRESS = "in_progress", _("Sedang berjalan")
    DONE = "done", _("Tercapai")


class ReportEntry(models.Model):
    """What a region achieved on one assigned action in the report's period."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="entries")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="entries")
    narrative = models.TextField(_("capaian"), blank=True)
    progress = models.CharField(
        _("status kemajuan"),
        max_length=12,
        choices=ProgressStatus.choices,
        default=ProgressStatus.NOT_STARTED,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["report_id", "action__number"]
        verbose_name = _("isian aksi")
        verbose_name_plural = _("isian aksi")
        constraints = [
            models.UniqueConstraint(fields=["report", "action"], name="unique_report_entry"),
        ]

    def __str__(self):
        return f"{self.report} – {self.action}"


def evidence_upload_to(instance, filename):
    # The caller passes a generated name; the original name is kept only in original_name.
    return filename


class Evidence(models.Model):
    """An uploaded evidence file. Never overwritten: a replacement is a new row."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="evidence")
    requirement = models.ForeignKey(
        EvidenceRequirement, on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(_("nama berkas asli"), max_length=255)
    content_type = models.CharField(_("jenis berkas"), max_length=100)
    size = models.PositiveBigIntegerField(_("ukuran (byte)"))
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("diunggah"), auto_now_add=True)
    removed_at = models.DateTimeField(_("dilepas dari laporan"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["requirement_id", "uploaded_at", "pk"]
        verbose_name = _("data dukung")
        verbose_name_plural = _("data dukung")

    def __str__(self):
        return self.original_name


class Extension(models.Model):
    """A later due date for one region and period."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="extensions")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="extensions")
    due_on = models.DateField(_("batas lapor baru"))
    reason = models.TextField(_("alasan"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExtensionQuerySet.as_manager()

    class Meta:
        ordering = ["period__cycle__year", "period__order", "region__code"]
        verbose_name = _("perpanjangan")
        verbose_name_plural = _("perpanjangan")
        constraints = [
            models.UniqueConstraint(fields=["region", "period"], name="unique_extension"),
        ]

    def __str__(self):
        return f"{self.region.name} – {self.period} → {self.due_on}"

    def clean(self):
        if self.period_id and self.due_on and self.due_on <= self.period.due_on:
            raise ValidationError({"due_on": _("Batas baru harus setelah batas lapor periode.")})


class EventKind(models.TextChoices):
    CREATED = "created", _("Laporan dibuat")
    SUBMITTED = "submitted", _("Dikirim")
    RESUBMITTED = "resubmitted", _("Dikirim ulang setelah perbaikan")
    RETURNED = "returned", _("Dikembalikan untuk perbaikan")
    VERIFIED = "verified", _("Diverifikasi")
    REOPENED = "reopened", _("Dibuka kembali")


class ReportEvent(AppendOnlyModel):
    """Append-only audit trail of every change of state of a report."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("peristiwa"), max_length=12, choices=EventKind.choices)
    from_status = models.CharField(
        _("dari status"), max_length=10, choices=ReportStatus.choices, blank=True
    )
    to_status = models.CharField(_("ke status"), max_length=10, choices=ReportStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField(_("alasan/catatan"), blank=True)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("riwayat laporan")
        verbose_name_plural = _("riwayat laporan")

    def __str__(self):
        return f"{self.report} {self.get_kind_display()}"


class ReportVersion(AppendOnlyModel):
    """An immutable copy of what a region sent in one submission round."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("putaran"))
    submitted_at = models.DateTimeField(_("dikirim"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    content = models.JSONField(_("isi yang dikirim"))

    class Meta:
        ordering = ["report_id", "number"]
        verbose_name = _("versi laporan")
        verbose_name_plural = _("versi laporan")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="unique_report_version"),
        ]

    def __str__(self):
        return f"{self.report} #{self.number}"


class RevisionRequest(models.Model):
    """A return of a report for revision: what the evaluator asked and when it was answered."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="revision_requests")
    round = models.PositiveSmallIntegerField(_("putaran yang dikembalikan"))
    note = models.TextField(_("catatan umum"), blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField(_("dikembalikan"))
    answered_at = models.DateTimeField(_("dijawab"), null=True, blank=True)
    is_reopen = models.BooleanField(
        _("pembukaan kembali"),
        default=False,
        help_text=_("Laporan terverifikasi yang dibuka kembali oleh Kanwil atau admin."),
    )

    class Meta:
        ordering = ["report_id", "returned_at", "pk"]
        verbose_name = _("permintaan perbaikan")
        verbose_name_plural = _("permintaan perbaikan")

    def __str__(self):
        return f"{self.report} – {self.returned_at:%Y-%m-%d}"


class RejectionReason(models.TextChoices):
    """Why an evidence item was rejected: stored as the code, shown in the reader's language."""

    NOT_MATCHING = "tidak_sesuai", _("Tidak sesuai ukuran keberhasilan")
    UNSIGNED = "tanpa_ttd", _("Tanpa tanda tangan atau kop surat")
    UNREADABLE = "tidak_terbaca", _("Tidak terbaca")
    WRONG_PERIOD = "salah_periode", _("Salah periode")
    DUPLICATE = "duplikat", _("Duplikat")
    OTHER = "lainnya", _("Lainnya")


class RevisionItem(models.Model):
    """One evidence item the evaluator rejected in a return: the reason code and a free note.

    Pages show the reason with ``get_reason_display``, in the language of whoever reads it.
    """

    request = models.ForeignKey(RevisionRequest, on_delete=models.CASCADE, related_name="items")
    requirement = models.ForeignKey(EvidenceRequirement, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("alasan"), max_length=15, choices=RejectionReason.choices)
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        ordering = ["request_id", "requirement_id"]
        verbose_name = _("butir perbaikan")
        verbose_name_plural = _("butir perbaikan")

    def __str__(self):
        return f"{self.requirement}: {self.get_reason_display()}"


def end_of_local_day(day, zone):
    """The last instant of a calendar day in a time zone: a region's deadline."""
    return datetime.datetime.combine(day, datetime.time(23, 59, 59, 999999), tzinfo=zone)


class ExtensionRequestStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu keputusan")
    GRANTED = "granted", _("Dikabulkan")
    REFUSED = "refused", _("Ditolak")


class ExtensionRequest(models.Model):
    """An officer's request for a later due date, and the Kanwil's decision on it."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="extension_requests")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="extension_requests")
    due_on = models.DateField(_("batas lapor yang diminta"))
    reason = models.TextField(_("alasan"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExtensionRequestStatus.choices,
        default=ExtensionRequestStatus.PENDING,
    )
    granted_due_on = models.DateField(_("batas lapor yang diberikan"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("diputuskan"), null=True, blank=True)
    decision_reason = models.TextField(_("alasan keputusan"), blank=True)
    created_at = models.DateTimeField(_("diajukan"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExtensionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("permintaan perpanjangan")
        verbose_name_plural = _("permintaan perpanjangan")
        constraints = [
            # One open request at a time per region and period.
            models.UniqueConstraint(
                fields=["region", "period"],
                condition=models.Q(status="pending"),
                name="one_pending_extension_request",
            ),
        ]

    def __str__(self):
        return f"{self.region.name} – {self.period} → {self.due_on}"

    @property
    def is_pending(self):
        return self.status == ExtensionRequestStatus.PENDING
