"""Awards and piagam: the numbered certificates the ministry and its Kanwil issue."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Region

from .querysets import CertificateBatchQuerySet, CertificateQuerySet


class AwardCategory(models.TextChoices):
    TERBAIK = "terbaik", _("terbaik")
    TERCEPAT = "tercepat", _("tercepat")
    PALING_RESPONSIF = "paling_responsif", _("paling responsif")


class CertificateBatch(models.Model):
    """One issuing of a cycle's awards for one scope (a Kanwil, or national)."""

    cycle = models.ForeignKey(
        "reporting.ReportingCycle", on_delete=models.PROTECT, related_name="certificate_batches"
    )
    kanwil = models.ForeignKey(
        "accounts.Kanwil",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificate_batches",
        help_text=_("Kosong untuk penghargaan nasional."),
    )
    place = models.CharField(_("tempat"), max_length=100)
    issued_on = models.DateField(_("tanggal"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CertificateBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("penerbitan piagam")
        verbose_name_plural = _("penerbitan piagam")

    def __str__(self):
        scope = self.kanwil.name if self.kanwil_id else _("Nasional")
        return f"{self.cycle} – {scope}"


class NumberSequence(models.Model):
    """The last number an issuer used in a year: numbers are gapless and never reused."""

    issuer_code = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["issuer_code", "year"]
        verbose_name = _("urutan nomor piagam")
        verbose_name_plural = _("urutan nomor piagam")
        constraints = [
            models.UniqueConstraint(fields=["issuer_code", "year"], name="unique_sequence"),
        ]

    def __str__(self):
        return f"{self.issuer_code}/{self.year}: {self.last}"


class CertificateStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu")
    RENDERING = "rendering", _("Sedang dibuat")
    ISSUED = "issued", _("Terbit")
    FAILED = "failed", _("Gagal")
    REVOKED = "revoked", _("Dicabut")


class Certificate(models.Model):
    """A piagam: its number, what it says, and the job record of its PDF."""

    batch = models.ForeignKey(
        CertificateBatch, on_delete=models.PROTECT, related_name="certificates"
    )
    cycle = models.ForeignKey(
        "reporting.ReportingCycle", on_delete=models.PROTECT, related_name="certificates"
    )
    kanwil = models.ForeignKey(
        "accounts.Kanwil",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="certificates")
    issuer_code = models.CharField(_("kode penerbit"), max_length=20)
    year = models.PositiveSmallIntegerField(_("tahun"))
    sequence = models.PositiveIntegerField(_("urutan"))
    number = models.CharField(_("nomor"), max_length=60, unique=True)
    categories = models.JSONField(_("kategori"))
    score = models.DecimalField(_("nilai"), max_digits=5, decimal_places=2)
    recipient = models.CharField(_("penerima"), max_length=200)
    issuer_name = models.CharField(_("penerbit"), max_length=200)
    place = models.CharField(_("tempat"), max_length=100)
    issued_on = models.DateField(_("tanggal"))
    signatory_name = models.CharField(_("nama penanda tangan"), max_length=150)
    signatory_nip = models.CharField(_("NIP penanda tangan"), max_length=40, blank=True)
    signatory_title = models.CharField(_("jabatan penanda tangan"), max_length=200)
    specimen = models.BooleanField(_("spesimen"), default=False)
    token = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CertificateStatus.choices,
        default=CertificateStatus.PENDING,
    )
    pdf = models.FileField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    signed = models.BooleanField(_("ditandatangani digital"), default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Written every few seconds by the worker while it renders: a stale one means it died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # When a rendering message was last sent: the sweep re-sends at most once per interval.
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revocation_reason = models.TextField(_("alasan pencabutan"), blank=True)
    needs_review = models.BooleanField(_("perlu ditinjau"), default=False)
    review_reason = models.TextField(_("alasan peninjauan"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["issuer_code", "year", "sequence"]
        verbose_name = _("piagam")
        verbose_name_plural = _("piagam")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_code", "year", "sequence"], name="unique_certificate_sequence"
            ),
            # One standing piagam per region, cycle and scope; a revoked one stays on record.
            models.UniqueConstraint(
                fields=["cycle", "issuer_code", "region"],
                condition=~models.Q(status="revoked"),
                name="one_standing_certificate",
            ),
        ]
        indexes = [models.Index(fields=["batch", "status"])]

    def __str__(self):
        return self.number
