import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .days import ministry_zone, region_today, zone_abbreviation
from .querysets import HolidayQuerySet, KanwilQuerySet, RegionQuerySet, UserQuerySet


class RegionLevel(models.TextChoices):
    PROVINSI = "provinsi", _("Provinsi")
    KABUPATEN = "kabupaten", _("Kabupaten")
    KOTA = "kota", _("Kota")


class Region(models.Model):
    """An autonomous region (Pemda) with its Kemendagri code and time zone."""

    code = models.CharField(_("kode Kemendagri"), max_length=5, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    level = models.CharField(_("tingkat"), max_length=10, choices=RegionLevel.choices)
    province = models.ForeignKey(
        "self",
        verbose_name=_("provinsi"),
        on_delete=models.PROTECT,
        related_name="members",
        # Null only for the instant a new province exists before it can point at itself.
        null=True,
        help_text=_("Untuk provinsi: dirinya sendiri."),
    )
    time_zone = models.CharField(_("zona waktu"), max_length=32)
    population = models.PositiveBigIntegerField(_("penduduk"), null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        indexes = [models.Index(fields=["province", "code"])]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def zone(self):
        return ZoneInfo(self.time_zone)

    @property
    def zone_abbreviation(self):
        return zone_abbreviation(self.time_zone)

    def today(self, now=None):
        """This region's own date (its deadline, "late", "closed" are counted in it)."""
        return region_today(self, now)

    @property
    def government_name(self):
        """The name a certificate addresses, e.g. "Pemerintah Kota Balikpapan"."""
        if self.level == RegionLevel.PROVINSI:
            return f"Pemerintah Provinsi {self.name}"
        return f"Pemerintah {self.name}"

    @property
    def short_name(self):
        for prefix in ("Kabupaten ", "Kota "):
            if self.name.startswith(prefix):
                return self.name[len(prefix) :]
        return self.name


class Kanwil(models.Model):
    """A regional office of the ministry; covers one or more provinces."""

    code = models.SlugField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("nama"), max_length=150)
    city = models.CharField(_("kota kedudukan"), max_length=100)
    head_name = models.CharField(_("nama kepala"), max_length=150)
    head_nip = models.CharField(_("NIP kepala"), max_length=30, blank=True)
    head_title = models.CharField(_("jabatan kepala"), max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = KanwilQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("Kanwil")
        verbose_name_plural = _("Kanwil")

    def __str__(self):
        return self.name

    @cached_property
    def zone(self):
        """The zone of the Kanwil's seat: its first province's (the ministry's if it has none)."""
        link = self.provinces.select_related("province").order_by("pk").first()
        return link.province.zone if link is not None else ministry_zone()

    def know_seat_zone(self, time_zone):
        """Set ``zone`` from its seat's time zone name read along with this row (None when the
        Kanwil has no province), so that it costs no query of its own."""
        self.__dict__["zone"] = ZoneInfo(time_zone) if time_zone else ministry_zone()


class KanwilProvince(models.Model):
    """A province covered by a Kanwil; a province belongs to at most one Kanwil."""

    kanwil = models.ForeignKey(Kanwil, on_delete=models.CASCADE, related_name="provinces")
    province = models.OneToOneField(
        Region,
        on_delete=models.PROTECT,
        related_name="kanwil_link",
        limit_choices_to={"level": RegionLevel.PROVINSI},
    )

    class Meta:
        ordering = ["province__code"]
        verbose_name = _("provinsi wilayah kerja")
        verbose_name_plural = _("provinsi wilayah kerja")

    def __str__(self):
        return f"{self.kanwil} – {self.province.name}"

    def clean(self):
        if self.province_id and self.province.level != RegionLevel.PROVINSI:
            raise ValidationError({"province": _("Pilih wilayah tingkat provinsi.")})


class Role(models.TextChoices):
    OFFICER = "officer", _("Petugas pelapor Pemda")
    EVALUATOR = "evaluator", _("Verifikator Kanwil")
    ADMIN = "admin", _("Admin Kementerian")


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    """Django's user manager with the portal's scoping (``User.objects.managed_by(user)``)."""


class User(AbstractUser):
    """A portal user with one role, bound to a region (officer) or a Kanwil (evaluator)."""

    role = models.CharField(_("peran"), max_length=10, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("wilayah"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
    )
    kanwil = models.ForeignKey(
        Kanwil,
        verbose_name=_("Kanwil"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluators",
    )
    phone = models.CharField(
        _("nomor ponsel"),
        max_length=20,
        blank=True,
        help_text=_("Untuk pemberitahuan singkat lewat SMS/WhatsApp, mis. +6281234567890."),
    )
    nip = models.CharField(_("NIP"), max_length=18, blank=True)
    position = models.CharField(_("jabatan"), max_length=150, blank=True)
    # A contact gets nothing but its confirmation code until the person has confirmed it.
    email_confirmed_at = models.DateTimeField(_("e-mail dikonfirmasi"), null=True, blank=True)
    phone_confirmed_at = models.DateTimeField(_("nomor ponsel dikonfirmasi"), null=True, blank=True)
    # A flag rather than a fourth role: a Kanwil admin is still an evaluator of its Kanwil (the
    # queue, reviews, rankings), with the officers of its Kanwil's regions to manage besides.
    is_kanwil_admin = models.BooleanField(
        _("admin Kanwil"),
        default=False,
        help_text=_(
            "Untuk verifikator: boleh mengundang, menonaktifkan, dan mengaktifkan kembali "
            "petugas wilayah Kanwil-nya serta membuka kunci masuk mereka."
        ),
    )
    # Moved when an account is deactivated (by a save or an update, whatever the door): every
    # session signed in before then ends, on every web process, whatever the session engine
    # (see _get_session_auth_hash), and stays ended after a reactivation.
    session_epoch = models.PositiveIntegerField(_("generasi sesi"), default=0, editable=False)

    objects = PortalUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            models.CheckConstraint(
                name="officer_has_region",
                condition=~models.Q(role="officer") | models.Q(region__isnull=False),
            ),
            models.CheckConstraint(
                name="evaluator_has_kanwil",
                condition=~models.Q(role="evaluator") | models.Q(kanwil__isnull=False),
            ),
        ]

    def clean(self):
        super().clean()
        if self.role == Role.OFFICER and not self.region_id:
            raise ValidationError({"region": _("Petugas pelapor harus terikat pada satu wilayah.")})
        if self.role == Role.EVALUATOR and not self.kanwil_id:
            raise ValidationError({"kanwil": _("Verifikator harus terikat pada satu Kanwil.")})

    @property
    def shown_name(self):
        """The name the portal shows of a person: the full name, else the user name."""
        return self.get_full_name() or self.username

    @property
    def is_officer(self):
        return self.role == Role.OFFICER

    @property
    def is_evaluator(self):
        return self.role == Role.EVALUATOR

    @property
    def is_portal_admin(self):
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def manages_officers(self):
        """Admins manage every region's officers, a Kanwil admin those of its Kanwil."""
        return self.is_portal_admin or (self.is_evaluator and self.is_kanwil_admin)

    def save(self, *args, **kwargs):
        """Saving an account inactive that the database holds active ends its sessions: the
        epoch moves here, whatever the door (the Django admin, a service, a command), so that
        a later reactivation brings none of them back. (An update and a bulk update do the same:
        ``UserQuerySet``.) The epoch is read from the row, never from this instance,
        which may be older than the last deactivation."""
        update_fields = kwargs.get("update_fields")
        if (
            self.is_active
            or self._state.adding
            or (update_fields is not None and "is_active" not in update_fields)
        ):
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            stored = (
                type(self)
                ._base_manager.using(using)
                .select_for_update()
                .filter(pk=self.pk)
                .values_list("is_active", "session_epoch")
                .first()
            )
            if stored is not None:
                was_active, epoch = stored
                self.session_epoch = epoch + 1 if was_active else epoch
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "session_epoch"}
            return super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret=None):
        # Django checks this hash on every request: a session made before the epoch moved no
        # longer matches and is flushed. Epoch 0 keeps Django's own hash, so that sessions
        # made before this field existed stay valid.
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "accounts.User.session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def affiliation(self):
        """What the navbar shows next to the name: the region or the Kanwil."""
        if self.is_officer and self.region_id:
            return self.region.name
        if self.is_evaluator and self.kanwil_id:
            return self.kanwil.name
        if self.is_portal_admin:
            return _("Kementerian HAM (pusat)")
        return ""


class HolidayCategory(models.TextChoices):
    PUBLIC = "public", _("Hari libur nasional")
    GOVERNMENT = "government", _("Cuti bersama")
    OTHER = "other", _("Lainnya")


class Holiday(models.Model):
    """A day off that does not count as a working day (libur nasional or cuti bersama)."""

    date = models.DateField(_("tanggal"), unique=True)
    name = models.CharField(_("nama"), max_length=200)
    category = models.CharField(_("kategori"), max_length=12, choices=HolidayCategory.choices)
    from_package = models.BooleanField(
        _("dari paket holidays"),
        default=True,
        help_text=_("Baris yang diubah admin tidak ditimpa saat sinkronisasi."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HolidayQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("hari libur")
        verbose_name_plural = _("hari libur")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


class AuditAction(models.TextChoices):
    EXTENSION_GRANTED = "extension_granted", _("Perpanjangan diberikan")
    EXTENSION_CHANGED = "extension_changed", _("Perpanjangan diubah")
    EXTENSION_WITHDRAWN = "extension_withdrawn", _("Perpanjangan dicabut")
    EXTENSION_REQUESTED = "extension_requested", _("Perpanjangan diminta")
    EXTENSION_REFUSED = "extension_refused", _("Permintaan perpanjangan ditolak")
    CYCLE_RULES_CHANGED = "cycle_rules_changed", _("Aturan penilaian siklus diubah")
    PERIOD_DATES_CHANGED = "period_dates_changed", _("Tanggal periode diubah")
    ACTIONS_ASSIGNED = "actions_assigned", _("Aksi ditugaskan")
    ACTIONS_UNASSIGNED = "actions_unassigned", _("Penugasan aksi dicabut")
    HOLIDAY_ADDED = "holiday_added", _("Hari libur ditambahkan")
    HOLIDAY_CHANGED = "holiday_changed", _("Hari libur diubah")
    HOLIDAY_DELETED = "holiday_deleted", _("Hari libur dihapus")
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Verifikasi dua langkah diaktifkan")
    TWO_FACTOR_REMOVED = "two_factor_removed", _("Verifikasi dua langkah dihapus")
    RECOVERY_CODE_USED = "recovery_code_used", _("Kode pemulihan dipakai")
    USER_INVITED = "user_invited", _("Undangan dikirim")
    INVITATION_REVOKED = "invitation_revoked", _("Undangan dicabut")
    INVITATION_ACCEPTED = "invitation_accepted", _("Undangan diterima")
    RESULTS_PUBLISHED = "results_published", _("Hasil diumumkan")
    RESULTS_WITHDRAWN = "results_withdrawn", _("Pengumuman hasil ditarik")
    API_KEY_CREATED = "api_key_created", _("Kunci API dibuat")
    API_KEY_REVOKED = "api_key_revoked", _("Kunci API dicabut")
    USER_CREATED = "user_created", _("Akun dibuat")
    USER_UPDATED = "user_updated", _("Akun diubah")
    ACCOUNTS_IMPORTED = "accounts_imported", _("Akun diimpor dari berkas")
    MATRIX_IMPORTED = "matrix_imported", _("Matriks aksi diimpor")
    CYCLE_COPIED = "cycle_copied", _("Siklus disalin")
    OFFICER_CREATED = "officer_created", _("Akun petugas dibuat")
    USER_DEACTIVATED = "user_deactivated", _("Akun dinonaktifkan")
    USER_REACTIVATED = "user_reactivated", _("Akun diaktifkan kembali")
    LOGIN_UNLOCKED = "login_unlocked", _("Kunci masuk dibuka")
    CONTACT_CODE_SENT = "contact_code_sent", _("Kode konfirmasi kontak dikirim")
    CONTACT_CONFIRMED = "contact_confirmed", _("Kontak dikonfirmasi")
    DELIVERY_RESENT = "delivery_resent", _("Pengiriman dikirim ulang")


class AppendOnlyQuerySet(models.QuerySet):
    """Audit rows are written once: bulk updates and deletes fail."""

    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise TypeError(f"{self.model.__name__} rows are append-only")


class AppendOnlyModel(models.Model):
    """A row written once and never changed or deleted (audit trails, submitted versions)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} rows are append-only")


class AuditEvent(AppendOnlyModel):
    """Append-only audit trail of setup changes that are not report state changes.

    Extensions, cycle rules, period dates, assignments and holidays move scores: each change
    records who made it and the values before and after, in ``details``.
    """

    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("oleh"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    action = models.CharField(_("peristiwa"), max_length=25, choices=AuditAction.choices)
    object_type = models.CharField(_("jenis objek"), max_length=60)
    object_id = models.CharField(_("ID objek"), max_length=40, blank=True)
    object_repr = models.CharField(_("objek"), max_length=200)
    details = models.JSONField(_("rincian"), default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("jejak audit pengaturan")
        verbose_name_plural = _("jejak audit pengaturan")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.get_action_display()}: {self.object_repr}"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Belum diterima")
    ACCEPTED = "accepted", _("Diterima")
    EXPIRED = "expired", _("Kedaluwarsa")
    REVOKED = "revoked", _("Dicabut")


class Invitation(models.Model):
    """A single-use link by which a new person sets their own password (nobody types a
    password for someone else). The link is signed with the secret key over the row's id and
    nonce, so the database alone never holds a usable link."""

    user = models.ForeignKey(
        User, verbose_name=_("pengguna"), on_delete=models.CASCADE, related_name="invitations"
    )
    nonce = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("diundang oleh"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    expires_at = models.DateTimeField(_("berlaku sampai"))
    accepted_at = models.DateTimeField(_("diterima"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("terakhir dikirim"), null=True, blank=True)
    times_sent = models.PositiveSmallIntegerField(_("kali dikirim"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("undangan")
        verbose_name_plural = _("undangan")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.user} ({self.get_status_display()})"

    def status_at(self, now):
        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if now >= self.expires_at:
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    @property
    def status(self):
        return self.status_at(timezone.now())

    def get_status_display(self):
        return InvitationStatus(self.status).label


class AccountImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Pratinjau")
    COMMITTED = "committed", _("Diimpor")
    EXPIRED = "expired", _("Kedaluwarsa")


# A preview waits this long for its commit; then it has expired, and the periodic cleanup
# (accounts.imports.remove_expired_previews) empties it.
IMPORT_PREVIEW_LIFETIME = datetime.timedelta(days=1)


class AccountImport(models.Model):
    """An uploaded accounts file between its preview and its commit: the parsed rows are kept
    here, server-side, so that the commit writes exactly what was previewed and the browser
    is trusted with nothing but this row's id. A committed import keeps its rows and counts;
    a preview not committed within a day expires, and keeps only its file's name, hash and
    counts, so that its page can say what became of it."""

    created_by = models.ForeignKey(
        User, verbose_name=_("diunggah oleh"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("diunggah"), default=timezone.now)
    # A Kanwil admin's import is limited to the Kanwil's own regions and evaluators.
    kanwil = models.ForeignKey(
        Kanwil, verbose_name=_("Kanwil"), on_delete=models.PROTECT, null=True, blank=True
    )
    file_name = models.CharField(_("nama berkas"), max_length=200)
    file_sha256 = models.CharField(_("SHA-256 berkas"), max_length=64)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AccountImportStatus.choices,
        default=AccountImportStatus.PREVIEW,
    )
    rows = models.JSONField(_("baris"), default=list)
    counts = models.JSONField(_("jumlah"), default=dict)
    committed_at = models.DateTimeField(_("diimpor"), null=True, blank=True)
    committed_by = models.ForeignKey(
        User,
        verbose_name=_("diimpor oleh"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("impor akun")
        verbose_name_plural = _("impor akun")

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def expires_at(self):
        """When a preview not committed by then expires."""
        return self.created_at + IMPORT_PREVIEW_LIFETIME

    def has_expired(self, now=None):
        """Whether this preview can no longer be committed: emptied by the cleanup, or past
        its day and waiting for it."""
        if self.status == AccountImportStatus.EXPIRED:
            return True
        return self.status == AccountImportStatus.PREVIEW and self.expires_at < (
            now or timezone.now()
        )


class ContactChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("WhatsApp")


class ContactCode(models.Model):
    """A 6-digit code sent to an e-mail address or WhatsApp number that a person wants to
    use: the contact becomes the person's, confirmed, when they type the code back.

    The code is never stored: it is derived from the row's id and nonce with the secret key
    (accounts.contacts.code_of), as an invitation link is, so the database alone cannot
    give it away, and the sender can derive the same code again if it has to run twice.
    """

    user = models.ForeignKey(
        User, verbose_name=_("pengguna"), on_delete=models.CASCADE, related_name="contact_codes"
    )
    channel = models.CharField(_("saluran"), max_length=5, choices=ContactChannel.choices)
    value = models.CharField(_("alamat atau nomor"), max_length=254)
    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    expires_at = models.DateTimeField(_("berlaku sampai"))
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    sent_at = models.DateTimeField(_("dikirim"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("dikonfirmasi"), null=True, blank=True)
    ended_at = models.DateTimeField(_("diakhiri"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("kode konfirmasi kontak")
        verbose_name_plural = _("kode konfirmasi kontak")
        indexes = [models.Index(fields=["user", "channel", "-created_at"])]

    def __str__(self):
        return f"{self.user} {self.get_channel_display()} {self.value}"
