"""People keep their own e-mail address and WhatsApp number, each confirmed by a code.

A person asks for a code to a new (or not yet confirmed) contact; the notifications app sends
it there (outbox topic ``accounts.contact_code_sent``); typing it back within 30 minutes, in
at most 5 tries, makes the contact the person's, confirmed. Until then the contact receives
nothing but its code: notices go only to confirmed contacts (notifications.services).
"""

import datetime
import secrets

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from outbox.services import record

from .models import AuditAction, ContactChannel, ContactCode, User
from .services import audit

SENT_TOPIC = "accounts.contact_code_sent"
SALT = "accounts.contact_code"
VALID_MINUTES = 30
MAX_ATTEMPTS = 5
RESEND_SECONDS = 60
CODES_PER_HOUR = 5


class Throttled(Exception):
    """Too many codes asked for: the message says when to try again."""


def normalise_phone(text):
    """An Indonesian mobile number as +62..., or ValidationError with a plain reason."""
    try:
        number = phonenumbers.parse((text or "").strip(), "ID")
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.region_code_for_number(number) != "ID"
    ):
        raise ValidationError(
            _("Nomor WhatsApp tidak valid. Tulis nomor Indonesia, mis. 0812 3456 7890.")
        )
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationError(_("Nomor ini bukan nomor ponsel; WhatsApp butuh nomor ponsel."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(text):
    value = (text or "").strip()
    validate_email(value)
    local, _at, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalise(channel, text):
    return normalise_phone(text) if channel == ContactChannel.PHONE else normalise_email(text)


def email_taken(value, user):
    return User.objects.filter(email__iexact=value).exclude(pk=user.pk).exists()


def code_of(contact_code):
    """The 6 digits of a code row: derived with the secret key, never stored."""
    digest = salted_hmac(SALT, f"{contact_code.pk}:{contact_code.nonce}", algorithm="sha256")
    return f"{int(digest.hexdigest(), 16) % 1_000_000:06d}"


def open_code(user, channel, now=None):
    """The person's code for the channel that can still be typed, or None."""
    now = now or timezone.now()
    return (
        ContactCode.objects.filter(
            user=user,
            channel=channel,
            confirmed_at__isnull=True,
            ended_at__isnull=True,
            expires_at__gt=now,
            attempts__lt=MAX_ATTEMPTS,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def _check_throttle(user, channel, now):
    recent = ContactCode.objects.filter(
        user=user, channel=channel, created_at__gt=now - datetime.timedelta(hours=1)
    ).order_by("-created_at")
    last = recent.first()
    if last is not None and (now - last.created_at).total_seconds() < RESEND_SECONDS:
        raise Throttled(
            _("Kode baru saja dikirim. Tunggu %(seconds)s detik sebelum meminta lagi.")
            % {"seconds": RESEND_SECONDS - int((now - last.created_at).total_seconds())}
        )
    if recent.count() >= CODES_PER_HOUR:
        raise Throttled(
            _("Sudah %(n)s kode dalam satu jam. Coba lagi nanti.") % {"n": CODES_PER_HOUR}
        )


@transaction.atomic
def request_code(user, channel, text, *, now=None):
    """A new code for ``text`` (normalised) on ``channel``, sent after commit; earlier open
    codes of the channel end. ValidationError for a bad contact, Throttled when asked too
    often. Returns the row."""
    now = now or timezone.now()
    value = normalise(channel, text)
    if channel == ContactChannel.PHONE and not settings.NOTIFY_GATEWAY_URL:
        raise ValidationError(
            _(
                "Portal ini belum tersambung ke layanan WhatsApp, jadi nomor belum dapat "
                "dikonfirmasi."
            )
        )
    if channel == ContactChannel.EMAIL and email_taken(value, user):
        raise ValidationError(_("E-mail ini sudah dipakai akun lain."))
    # One person's requests one after the other, so the throttle counts each of them.
    User.objects.select_for_update().filter(pk=user.pk).first()
    _check_throttle(user, channel, now)
    ContactCode.objects.filter(
        user=user, channel=channel, confirmed_at__isnull=True, ended_at__isnull=True
    ).update(ended_at=now)
    code = ContactCode.objects.create(
        user=user,
        channel=channel,
        value=value,
        nonce=secrets.token_urlsafe(24),
        created_at=now,
        expires_at=now + datetime.timedelta(minutes=VALID_MINUTES),
    )
    audit(
        AuditAction.CONTACT_CODE_SENT,
        user,
        by=user,
        details={"channel": channel, "value": value, "code": code.pk},
    )
    record(SENT_TOPIC, code_id=code.pk)
    return code


# What ``confirm`` found.
CONFIRMED, WRONG, SPENT, MISSING, TAKEN = "confirmed", "wrong", "spent", "missing", "taken"


@transaction.atomic
def confirm(user, channel, entered, *, now=None):
    """Check a typed code; the right one makes its contact the person's, confirmed.

    Returns (outcome, tries left): CONFIRMED; WRONG (a try counted); SPENT (that was the last
    try); MISSING (no code to check: none asked, expired or used up); TAKEN (the e-mail went
    to another account meanwhile)."""
    now = now or timezone.now()
    code = open_code(user, channel, now)
    if code is None:
        return MISSING, 0
    code = ContactCode.objects.select_for_update().get(pk=code.pk)
    if code.attempts >= MAX_ATTEMPTS or code.ended_at or code.confirmed_at:
        return MISSING, 0
    code.attempts += 1
    if not constant_time_compare(code_of(code), (entered or "").strip()):
        code.save(update_fields=["attempts"])
        left = MAX_ATTEMPTS - code.attempts
        return (WRONG, left) if left else (SPENT, 0)
    if channel == ContactChannel.EMAIL and email_taken(code.value, user):
        code.ended_at = now
        code.save(update_fields=["attempts", "ended_at"])
        return TAKEN, 0
    code.confirmed_at = now
    code.save(update_fields=["attempts", "confirmed_at"])
    field, stamp = ("email", "email_confirmed_at")
    if channel == ContactChannel.PHONE:
        field, stamp = ("phone", "phone_confirmed_at")
    before = getattr(user, field)
    setattr(user, field, code.value)
    setattr(user, stamp, now)
    user.save(update_fields=[field, stamp])
    audit(
        AuditAction.CONTACT_CONFIRMED,
        user,
        by=user,
        details={"channel": channel, "before": before, "after": code.value},
    )
    return CONFIRMED, MAX_ATTEMPTS - code.attempts


def claim_sending(code_id, *, now=None):
    """Take a code row for sending; False when it was sent already (a second run)."""
    return bool(
        ContactCode.objects.filter(pk=code_id, sent_at__isnull=True).update(
            sent_at=now or timezone.now()
        )
    )


def release_sending(code_id):
    """Give the row back after a failed send, so that the retry sends it."""
    ContactCode.objects.filter(pk=code_id).update(sent_at=None)
