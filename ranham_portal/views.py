"""The front door: where each role lands. It sits above every app, so it may name them all."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import requires_csrf_token


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


# The portal's own pages for refused and failed requests, in the visitor's language, each with
# a way home. Like Django's defaults they read nothing from the database.


def _error_page(request, status):
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
