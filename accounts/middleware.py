from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest

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
