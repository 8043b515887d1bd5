"""The front door: where each role lands, the page of a server error and the readiness check.
It sits above every app, so it may name them all."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


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
