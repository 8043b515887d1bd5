import functools
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.middleware import OTPMiddleware

from .two_factor import (
    DEVICE_CACHE_SECONDS,
    ENROL,
    STEP_SESSION_KEY,
    device_cache_key,
    owed_step,
)

RENEWED_SESSION_KEY = "accounts.renewed"


def language_by_choice_only(get_response):
    """Bahasa Indonesia unless the user picked another language with the switcher.

    Officers often work on browsers set to English; the portal must still open in Indonesian.
    Dropping Accept-Language leaves Django's LocaleMiddleware the language cookie or the default.
    """

    def middleware(request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return get_response(request)

    return middleware


def renew_idle_session(get_response):
    """End a signed-in session after SESSION_COOKIE_AGE seconds without a request.

    Each request of a signed-in user pushes the session's expiry forward, but the session row
    is rewritten at most once every SESSION_RENEW_SECONDS rather than on every page. Only a
    session that the request already read is touched, so /sehat/ stays free of the database.
    """

    def middleware(request):
        response = get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.accessed and "_auth_user_id" in session:
            now = int(time.time())
            renewed = session.get(RENEWED_SESSION_KEY, 0)
            if now - renewed >= settings.SESSION_RENEW_SECONDS:
                mark_session_renewed(session, now)
        return response

    return middleware


def mark_session_renewed(session, now=None):
    """Note when the session's expiry was last pushed forward (logging in does it too)."""
    session[RENEWED_SESSION_KEY] = int(time.time()) if now is None else now


def second_factor_gate(get_response):
    """A signed-in user who owes the second factor reaches only the pages that settle it.

    Admins without an authenticator go to enrolment, anyone with one to the code page; every
    other page (the portal's and the Django admin) waits until the session is verified.
    """

    def middleware(request):
        if _settles_second_factor(request.path_info):
            return get_response(request)
        user = request.user
        if user.is_authenticated:
            step = request.session.get(STEP_SESSION_KEY)
            if step is None:
                step = request.session[STEP_SESSION_KEY] = owed_step(user)
            if step and not user.is_verified():
                target = "accounts:two-factor-setup" if step == ENROL else "accounts:two-factor"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return get_response(request)

    return middleware


@functools.cache
def _open_paths():
    names = [
        "accounts:two-factor",
        "accounts:two-factor-setup",
        "accounts:two-factor-qr",
        "accounts:logout",
        "accounts:health",
        "set_language",
    ]
    return frozenset(reverse(name) for name in names)


def _settles_second_factor(path):
    return path in _open_paths() or path.startswith("/" + settings.STATIC_URL.lstrip("/"))


class VerifiedDeviceMiddleware(OTPMiddleware):
    """django-otp's middleware, reading the session's verified device through the cache.

    Every page of a verified admin would otherwise cost one more query. The cached device is
    dropped whenever a device is saved or deleted (accounts.two_factor), and lives at most
    a minute in any case, so a removed authenticator ends verified sessions within that time
    even on a per-process cache.
    """

    def _device_from_persistent_id(self, persistent_id):
        key = device_cache_key(persistent_id)
        device = cache.get(key)
        if device is None:
            device = super()._device_from_persistent_id(persistent_id)
            if device is not None:
                cache.set(key, device, DEVICE_CACHE_SECONDS)
        return device
