"""The second factor (TOTP, with recovery codes): who needs it and how it is enrolled.

Admins (the portal's and the Django admin's) must use it; evaluators may. The step a
signed-in session still owes is kept in the session, so pages do not look up devices on
every request; ``accounts.middleware.second_factor_gate`` sends the user there.
"""

from base64 import b32encode

import django_otp
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuditAction
from .services import audit

STEP_SESSION_KEY = "accounts.second_factor"
# Set by the page that opens a session from an invitation link (allow_enrolment): that fresh
# session may enrol before it has been verified.
ENROLMENT_ALLOWED_SESSION_KEY = "accounts.may_enrol"
# The unconfirmed device this session's enrolment page shows (start_enrolment).
ENROLLING_SESSION_KEY = "accounts.enrolling"
ENROL = "enrol"
VERIFY = "verify"
RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Aplikasi autentikator"
RECOVERY_NAME = "Kode pemulihan"
DEVICE_CACHE_SECONDS = 60


def device_cache_key(persistent_id):
    """Where accounts.middleware keeps a verified session's device between requests."""
    return f"otp-device:{persistent_id}"


@receiver([post_save, post_delete])
def forget_cached_device(sender, instance, **kwargs):
    if isinstance(instance, Device):
        cache.delete(device_cache_key(instance.persistent_id))


def second_factor_required(user):
    return bool(user.is_portal_admin or user.is_staff)


def second_factor_offered(user):
    return second_factor_required(user) or user.is_evaluator


def has_authenticator(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def owed_step(user):
    """What this user must do after the password: enrol, verify, or nothing ("")."""
    if has_authenticator(user):
        return VERIFY
    if second_factor_required(user):
        return ENROL
    return ""


def remember_owed_step(request, user):
    request.session[STEP_SESSION_KEY] = owed_step(user)


def allow_enrolment(request):
    """Let this session enrol an authenticator before it is verified: for the session that an
    invitation link (or another proof of the person, such as a reset link) has just opened."""
    request.session[ENROLMENT_ALLOWED_SESSION_KEY] = True


def may_enrol(request):
    """Whether this session may see or confirm a new authenticator's secret.

    A session that passed both steps may; so may one opened by an invitation link
    (:func:`allow_enrolment`), and one of a user who has no authenticator yet (the password
    is then all the account has). A session with the password alone of a user who has an
    authenticator may not: it could otherwise plant a second factor of its own.
    """
    user = request.user
    if not user.is_authenticated or not second_factor_offered(user):
        return False
    if user.is_verified() or request.session.get(ENROLMENT_ALLOWED_SESSION_KEY):
        return True
    return not has_authenticator(user)


def start_enrolment(request):
    """A new unconfirmed device with a fresh secret for this session's enrolment page.

    Any other unconfirmed device of the user goes: a secret shown to another session (or
    earlier to this one) is never the one confirmed.
    """
    user = request.user
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    request.session[ENROLLING_SESSION_KEY] = device.pk
    return device


def enrolling_device(request):
    """The unconfirmed device this session was shown, or None."""
    pk = request.session.get(ENROLLING_SESSION_KEY)
    if pk is None:
        return None
    return TOTPDevice.objects.filter(pk=pk, user=request.user, confirmed=False).first()


def manual_key(device):
    """The secret as an authenticator app asks for it: base32 in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def confirm_authenticator(request, device, token):
    """Activate ``device`` if ``token`` is its current code; the new recovery codes, or None.

    The session counts as verified from then on; any earlier authenticator and recovery codes
    of the user are replaced.
    """
    user = request.user
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = replace_recovery_codes(user)
    django_otp.login(request, device)
    request.session[STEP_SESSION_KEY] = VERIFY
    request.session.pop(ENROLLING_SESSION_KEY, None)
    request.session.pop(ENROLMENT_ALLOWED_SESSION_KEY, None)
    audit(AuditAction.TWO_FACTOR_ENROLLED, user, by=user, details={"device": device.persistent_id})
    return codes


def replace_recovery_codes(user):
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


class Refused(Exception):
    """The code was not accepted; the message says why."""


def verify_second_factor(request, token):
    """Verify the session with an authenticator code (6 digits) or an unused recovery code."""
    token = "".join((token or "").split()).lower()
    user = request.user
    kind = TOTPDevice if token.isdigit() else StaticDevice
    with transaction.atomic():
        for device in devices_for_user(user, for_verify=True):
            if not isinstance(device, kind):
                continue
            allowed, extra = device.verify_is_allowed()
            if not allowed:
                raise Refused("throttled")
            if device.verify_token(token):
                django_otp.login(request, device)
                if kind is StaticDevice:
                    audit(
                        AuditAction.RECOVERY_CODE_USED,
                        user,
                        by=user,
                        details={"left": device.token_set.count()},
                    )
                return device
    raise Refused("invalid")


def remove_second_factor(user, *, by):
    """Take away a user's authenticator and recovery codes (e.g. a lost phone)."""
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            device.delete()
        audit(AuditAction.TWO_FACTOR_REMOVED, user, by=by)
