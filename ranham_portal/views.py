"""The front door: where each role lands, the page of a server error and the readiness check.
It sits above every app, so it may name them all."""

import hmac
import logging
import threading
import time
import uuid
from http import HTTPStatus

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from accounts.network import is_internal_client

from .observability import current_request_id

logger = logging.getLogger(__name__)


def home_url_name(user):
    if user.is_portal_admin:
        return "evaluation:overview"
    if user.is_evaluator:
        return "evaluation:queue"
    if user.is_officer:
        return "reporting:officer-home"
    return "accounts:no-role"


@login_required
def home(request):
    """Each role lands on its own home page."""
    return redirect(home_url_name(request.user))


# --- a server error, told plainly -------------------------------------------------------------

# Where the result of an action shows, by the part of the portal it was sent to.
WHERE_TO_CHECK = [
    ("/laporan/", "reporting:officer-home", _("laporan Anda")),
    ("/evaluasi/", "evaluation:queue", _("antrean verifikasi")),
    ("/penghargaan/", "piagam:awards", _("penghargaan")),
    ("/piagam/", "piagam:awards", _("penghargaan")),
]


def where_to_check(request):
    """The page where the user can see whether the action went through: the page it was
    sent from when that is on this site, else the home of that part of the portal."""
    label, url = _("beranda"), "/"
    for prefix, url_name, name in WHERE_TO_CHECK:
        if request.path.startswith(prefix):
            label, url = name, reverse(url_name)
            break
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        url = referer
    return label, url


def server_error(request, template_name="500.html"):
    """Django's handler500, without the database or the session: says whether the action may
    have been saved, where to check before repeating it, and the id to quote to support."""
    try:
        label, url = where_to_check(request)
    except Exception:  # the page of last resort must not fail on a bad Host header
        label, url = _("beranda"), "/"
    context = {
        "was_action": request.method not in ("GET", "HEAD", "OPTIONS"),
        "check_label": label,
        "check_url": url,
        "request_id": getattr(request, "request_id", "") or current_request_id(),
    }
    return HttpResponseServerError(loader.get_template(template_name).render(context))


# --- readiness --------------------------------------------------------------------------------


def _check_database():
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()


def _check_cache():
    from django.core.cache import cache

    nonce = uuid.uuid4().hex
    cache.set("ranham:ready", nonce, timeout=30)
    if cache.get("ranham:ready") != nonce:
        raise RuntimeError("cache did not return what was stored")


def _check_broker():
    from .celery import app

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=settings.HEALTH_CHECK_TIMEOUT)


def _check_worker():
    from django.core.cache import cache

    from .celery import WORKER_HEARTBEAT_KEY, app

    beat = cache.get(WORKER_HEARTBEAT_KEY)
    if beat is not None and time.time() - beat <= settings.WORKER_HEARTBEAT_MAX_AGE:
        return
    # No recent heartbeat in a shared cache: ask the workers directly.
    if not app.control.ping(timeout=min(1.0, settings.HEALTH_CHECK_TIMEOUT)):
        raise RuntimeError("no worker answered in the last minute")


READINESS_CHECKS = {
    "database": _check_database,
    "cache": _check_cache,
    "broker": _check_broker,
    "worker": _check_worker,
}


def run_checks(checks, timeout):
    """Run each check in its own thread, all at once; one that overruns counts as failed.

    A failure's text (which names hosts and ports) goes to the log, not into the answer.
    """
    results = {name: {"ok": False, "error": "timeout"} for name in checks}

    def run(name, check):
        started = time.monotonic()
        try:
            check()
        except Exception as error:
            logger.warning("readiness check %s failed", name, exc_info=error)
            outcome = {"ok": False, "error": "failed"}
        else:
            outcome = {"ok": True}
        outcome["ms"] = round((time.monotonic() - started) * 1000, 1)
        results[name] = outcome

    threads = [
        threading.Thread(target=run, args=item, daemon=True, name=f"ready-{item[0]}")
        for item in checks.items()
    ]
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return dict(results)


# One round of checks at a time per process: a burst of probes never starts more threads.
_readiness_round = threading.Lock()
HEALTH_TOKEN_HEADER = "X-Health-Token"


def is_operator(request):
    """Whether the caller may run the readiness checks: a client on the loopback or a private
    network (as accounts.network counts it: behind the proxy, the visitor, not the proxy), or
    one that sends HEALTH_CHECK_TOKEN in the X-Health-Token header."""
    token = getattr(settings, "HEALTH_CHECK_TOKEN", "")
    sent = request.headers.get(HEALTH_TOKEN_HEADER, "")
    if token and sent and hmac.compare_digest(token.encode(), sent.encode()):
        return True
    return is_internal_client(request)


@never_cache
def readiness(request):
    """/sehat/siap/: 200 when the database, the cache, the broker and a worker all answer in
    time, 503 otherwise, with each check's result as JSON. For the operator only
    (:func:`is_operator`); anyone else is answered 404 without a check being run."""
    if not is_operator(request):
        raise Http404
    with _readiness_round:
        checks = run_checks(READINESS_CHECKS, settings.HEALTH_CHECK_TIMEOUT)
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "fail", "checks": checks}, status=200 if ready else 503
    )


# The portal's own pages for refused and failed requests, in the visitor's language, each with
# a way home. Like Django's defaults they read nothing from the database.


def _error_page(request, status):
    if request.path.startswith("/api/"):
        # The API answers as RFC 7807 problem details even when a middleware refuses the
        # request (a NUL in its query) or no route matches.
        title = HTTPStatus(status).phrase
        return JsonResponse(
            {"type": "about:blank", "title": title, "status": status, "detail": title},
            status=status,
            content_type="application/problem+json",
        )
    return render(request, f"{status}.html", {"error_code": status}, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return _error_page(request, 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return _error_page(request, 403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _error_page(request, 404)


@requires_csrf_token
def csrf_failure(request, reason=""):
    """A form sent from a stale page or without the cookie: say what to do, not Django's why."""
    return render(request, "403.html", {"error_code": 403, "csrf_failed": True}, status=403)
