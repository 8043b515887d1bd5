"""Notices shown in the portal, each person's choices, and the log that sends each once."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PERIOD_OPENED = "period_opened", _("Periode pelaporan dibuka")
    DEADLINE = "deadline", _("Batas lapor mendekat")
    REMINDER = "reminder", _("Pengingat dari Kanwil")
    RETURNED = "returned", _("Laporan dikembalikan untuk perbaikan")
    RETURN_UNANSWERED = "return_unanswered", _("Perbaikan belum dijawab")
    SUBMITTED = "submitted", _("Laporan dikirim")
    RESUBMITTED = "resubmitted", _("Laporan dikirim ulang")
    EXTENSION_REQUESTED = "extension_requested", _("Permintaan perpanjangan")
    EXTENSION_DECIDED = "extension_decided", _("Keputusan perpanjangan")
    VERIFIED = "verified", _("Laporan terverifikasi")
    PIAGAM_ISSUED = "piagam_issued", _("Piagam terbit")
    REVIEW_OVERDUE = "review_overdue", _("Laporan menunggu pemeriksaan terlalu lama")


# A return says what must be fixed before the region loses points: nobody can switch it off.
MANDATORY_KINDS = frozenset({Kind.RETURNED})


class Mode(models.TextChoices):
    IMMEDIATELY = "immediately", _("Segera")
    DIGEST = "digest", _("Ringkasan harian (08.00)")
    OFF = "off", _("Tidak usah")


DEFAULT_MODE = Mode.DIGEST
DEFAULT_MODES = {Kind.RETURNED: Mode.IMMEDIATELY}


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    GATEWAY = "gateway", _("SMS/WhatsApp")
    DIGEST = "digest", _("E-mail ringkasan harian")


class NoticeQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    """One thing a person should know, shown in the portal's bell; unique per occasion."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    object_type = models.CharField(_("jenis objek"), max_length=60)
    object_id = models.CharField(_("ID objek"), max_length=40)
    occasion = models.CharField(_("kesempatan"), max_length=60, blank=True)
    title = models.CharField(_("judul"), max_length=200)
    body = models.TextField(_("isi"), blank=True)
    url = models.CharField(_("tautan"), max_length=300, blank=True)
    mode = models.CharField(_("cara kirim"), max_length=12, choices=Mode.choices)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("dikirim lewat e-mail"), null=True, blank=True)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("pemberitahuan")
        verbose_name_plural = _("pemberitahuan")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "object_type", "object_id", "occasion"],
                name="one_notice_per_occasion",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.url or "/"


class Preference(models.Model):
    """How one person wants one kind of notice: at once, in the morning digest, or not at all."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    mode = models.CharField(_("cara kirim"), max_length=12, choices=Mode.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user_id", "kind"]
        verbose_name = _("pilihan pemberitahuan")
        verbose_name_plural = _("pilihan pemberitahuan")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind"),
        ]

    def __str__(self):
        return f"{self.user} {self.kind}: {self.mode}"


def new_token():
    return secrets.token_urlsafe(32)


class Profile(models.Model):
    """A person's language for messages and the token of their private calendar feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_profile"
    )
    language = models.CharField(
        _("bahasa pesan"), max_length=5, choices=settings.LANGUAGES, default="id"
    )
    calendar_token = models.CharField(max_length=64, unique=True, default=new_token)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user_id"]
        verbose_name = _("profil pemberitahuan")
        verbose_name_plural = _("profil pemberitahuan")

    def __str__(self):
        return str(self.user)


class SendStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu")
    SENDING = "sending", _("Sedang dikirim")
    RETRYING = "retrying", _("Dicoba lagi")
    SENT = "sent", _("Terkirim")
    FAILED = "failed", _("Gagal")


class SendLog(models.Model):
    """One delivery to one person on one channel: its unique key makes it exactly-once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("jenis"), max_length=20)
    object_type = models.CharField(_("jenis objek"), max_length=60)
    object_id = models.CharField(_("ID objek"), max_length=40)
    occasion = models.CharField(_("kesempatan"), max_length=60, blank=True)
    channel = models.CharField(_("saluran"), max_length=10, choices=Channel.choices)
    notice = models.ForeignKey(
        Notice, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SendStatus.choices, default=SendStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    # Not before this time: the next try after a failure (backoff); empty: at once.
    available_at = models.DateTimeField(_("coba lagi sejak"), null=True, blank=True)
    # While sending: the worker holds the row until then; afterwards another may send it.
    lease_until = models.DateTimeField(_("dipegang sampai"), null=True, blank=True)
    # When it was last handed to a delivery task: the sweep does not queue it again too soon.
    queued_at = models.DateTimeField(_("diantrekan"), null=True, blank=True)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    sent_at = models.DateTimeField(_("terkirim"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("catatan pengiriman")
        verbose_name_plural = _("catatan pengiriman")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "object_type", "object_id", "occasion", "channel"],
                name="one_delivery_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "updated_at"]),
            # The minute's sweep looks only at rows still to be sent (few among many sent).
            models.Index(
                fields=["status", "available_at"],
                name="sendlog_open_rows",
                condition=models.Q(status__in=["pending", "retrying", "sending"]),
            ),
        ]

    def __str__(self):
        return f"{self.recipient} {self.kind} {self.channel}: {self.status}"


class MorningRound(models.Model):
    """One zone's morning round (reminders and digests) of one local day, recorded once it
    has run through: a beat missed at 08.00 is caught up by the next beat of the same day,
    and a later beat finds the day done and does nothing."""

    zone = models.CharField(_("zona waktu"), max_length=40)
    day = models.DateField(_("tanggal"))
    completed_at = models.DateTimeField(_("selesai"))

    class Meta:
        ordering = ["-day", "zone"]
        verbose_name = _("putaran pagi")
        verbose_name_plural = _("putaran pagi")
        constraints = [
            models.UniqueConstraint(fields=["zone", "day"], name="one_morning_round_per_day"),
        ]

    def __str__(self):
        return f"{self.zone} {self.day}"


# The kinds each role may receive: what the preferences page offers.
KINDS_BY_ROLE = {
    "officer": [
        Kind.PERIOD_OPENED,
        Kind.DEADLINE,
        Kind.REMINDER,
        Kind.RETURNED,
        Kind.RETURN_UNANSWERED,
        Kind.EXTENSION_DECIDED,
        Kind.VERIFIED,
        Kind.PIAGAM_ISSUED,
    ],
    "evaluator": [
        Kind.SUBMITTED,
        Kind.RESUBMITTED,
        Kind.EXTENSION_REQUESTED,
        Kind.REVIEW_OVERDUE,
    ],
}
DEFAULT_MODES[Kind.REMINDER] = Mode.IMMEDIATELY
