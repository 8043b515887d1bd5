"""Public pages and files are the same for every visitor in a language: each response is
kept whole in the shared cache under the version of everything it shows, answered with an
ETag (a matching If-None-Match gets 304 before any work) and public cache headers."""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import get_language

from .results import state_version

BROWSER_SECONDS = 300
SERVER_SECONDS = 3600


def etag_of(request):
    parts = (state_version(), get_language(), request.get_full_path())
    return '"' + hashlib.sha256(repr(parts).encode()).hexdigest()[:32] + '"'


def _finish(response, etag):
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=BROWSER_SECONDS)
    patch_vary_headers(response, ("Cookie",))  # the language choice is a cookie
    return response


def public_response(view):
    """Serve ``view``'s 200 answers from the shared cache; 304 when the client has it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        etag = etag_of(request)
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            return _finish(HttpResponseNotModified(), etag)
        key = f"public-response:{etag}"
        found = cache.get(key)
        if found is not None:
            content, headers = found
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return _finish(response, etag)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            kept = [
                (name, response[name])
                for name in ("Content-Type", "Content-Disposition", "Content-Language")
                if response.has_header(name)
            ]
            cache.set(key, (response.content, kept), SERVER_SECONDS)
        return _finish(response, etag) if response.status_code == 200 else response

    return wrapped
