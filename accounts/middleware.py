import functools
import time
from urllib.parse import unquote_to_bytes, urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import BadRequest
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve, reverse
from django_otp.middleware import OTPMiddleware

from .two_factor import (
    DEVICE_CACHE_SECONDS,
    ENROL,
    STEP_SESSION_KEY,
    device_cache_key,
    owed_step,
)

RENEWED_SESSION_KEY = "accounts.renewed"

# Headers whose value the portal reads (sessions, CSRF, client address, redirects): these must
# be UTF-8 as well. No header may hold a NUL.
_CHECKED_HEADERS = (
    "HTTP_COOKIE",
    "HTTP_REFERER",
    "HTTP_ORIGIN",
    "HTTP_HOST",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_CSRFTOKEN",
    "HTTP_X_REQUESTED_WITH",
)
_FORM = "application/x-www-form-urlencoded"


def language_by_choice_only(get_response):
    """Bahasa Indonesia unless the user picked another language with the switcher.

    Officers often work on browsers set to English; the portal must still open in Indonesian.
    Dropping Accept-Language leaves Django's LocaleMiddleware the language cookie or the default.
    """

    def middleware(request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return get_response(request)

    return middleware


# Powerful browser features the portal never uses, switched off for its pages and their frames.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "serial",
        "bluetooth",
        "xr-spatial-tracking",
    )
)


def permissions_policy(get_response):
    """Every response carries the Permissions-Policy."""

    def middleware(request):
        response = get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return middleware


def framing_follows_x_frame_options(get_response):
    """A response its view lets the portal frame (an evidence preview) says so in its CSP too.

    The policy forbids all framing; views marked ``xframe_options_sameorigin`` answer
    ``X-Frame-Options: SAMEORIGIN``, and browsers that read only the CSP must agree.
    Listed after the CSP middleware, so it runs before that one writes the header.
    """

    def middleware(request):
        response = get_response(request)
        if response.get("X-Frame-Options") == "SAMEORIGIN":
            own = response.get("Content-Security-Policy")
            if own is None:
                replace = dict(getattr(response, "_csp_replace", None) or {})
                replace["frame-ancestors"] = ["'self'"]
                response._csp_replace = replace
            elif "frame-ancestors" not in own:
                # The view wrote a policy of its own (an evidence file's sandbox): add to it.
                response["Content-Security-Policy"] = f"{own}; frame-ancestors 'self'"
        return response

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


def _clean_encoded(raw):
    """Whether URL-encoded bytes decode to UTF-8 text without NUL characters."""
    decoded = unquote_to_bytes(raw.replace(b"+", b" "))
    if b"\x00" in decoded:
        return False
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _clean_header(value):
    if "\x00" in value:
        return False
    try:
        # WSGI hands headers over as Latin-1; what the client sent must be UTF-8.
        value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False
    return True


def check_form_fields(request):
    """Raise BadRequest for a NUL in the names or values of a parsed form body."""
    for key, values in request.POST.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            raise BadRequest("NUL in a form field")


class MalformedInputMiddleware:
    """Answer 400 to NUL bytes and broken UTF-8 before anything reads the request.

    Django would turn "%FF" into U+FFFD and keep "%00" as a NUL, which PostgreSQL refuses
    in a query (a 500). The query string, a URL-encoded form body and the headers the portal
    reads are checked as bytes. A multipart body is parsed here too (CsrfViewMiddleware would
    parse it next anyway), except for views that install their own upload limits first
    (``reporting.uploads.limit_evidence_uploads``), which check its fields themselves once
    parsed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if not _clean_encoded(query.encode("latin-1", "replace")):
            raise BadRequest("malformed query string")
        if "\x00" in request.path_info:
            raise BadRequest("NUL in path")
        for name, value in request.META.items():
            if name.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
                raise BadRequest(f"NUL in header {name}")
        for name in _CHECKED_HEADERS:
            value = request.META.get(name)
            if value and not _clean_header(value):
                raise BadRequest(f"malformed header {name}")
        if request.method == "POST" and request.content_type == _FORM:
            # Bounded by DATA_UPLOAD_MAX_MEMORY_SIZE: a bigger body is a 400 already.
            if not _clean_encoded(request.body):
                raise BadRequest("malformed form body")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.content_type != "multipart/form-data":
            return None
        if getattr(view_func, "parses_own_uploads", False):
            return None
        check_form_fields(request)
        return None


# Multipart boundaries and the CSRF token beside the fields: a little over the fields' bound.
_BODY_SLACK = 64 * 1024


def accepts_body(max_bytes):
    """Let a view take a bigger body than the form fields' bound (a spreadsheet to import):
    ``@accepts_body(20 * 1024 * 1024)``. :func:`body_size_guard` reads it before the body."""

    def decorate(view):
        view.max_body_bytes = max_bytes
        return view

    return decorate


def declared_body_limit(request):
    """The most a request to this path may declare, or None when its view bounds its own
    (reporting.uploads.limit_evidence_uploads marks those with ``parses_own_uploads``)."""
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        view = None
    if getattr(view, "parses_own_uploads", False):
        return None
    own = getattr(view, "max_body_bytes", None)
    if own is not None:
        return own
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440) + _BODY_SLACK


def body_size_guard(get_response):
    """Answer 413 to a body whose declared length is over what its view takes, unread.

    Django bounds the form fields it keeps in memory (DATA_UPLOAD_MAX_MEMORY_SIZE) but would
    still stream a multipart body of any size to temporary files before a view refuses it:
    the login page must not read 60 MB. The proxy in front bounds bodies too (deploy/nginx);
    this holds where a client reaches gunicorn without it.
    """

    def middleware(request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads such a body as empty
        if declared > 0:
            limit = declared_body_limit(request)
            if limit is not None and declared > limit:
                response = render(
                    request,
                    "413.html",
                    {"error_code": 413, "limit": filesizeformat(limit)},
                    status=413,
                )
                response["Connection"] = "close"
                return response
        return get_response(request)

    return middleware
