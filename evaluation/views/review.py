from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from reporting.models import Report, ReportStatus


@login_required
def queue(request):
    """The evaluator's queue: its Kanwil's reports waiting for a decision, oldest first."""
    user = request.user
    if not (user.is_evaluator or user.is_portal_admin):
        raise PermissionDenied
    reports = (
        Report.objects.visible_to(user)
        .filter(status=ReportStatus.SUBMITTED)
        .select_related("region", "period__cycle")
        .order_by("last_submitted_at", "pk")
    )
    return render(
        request,
        "evaluation/queue.html",
        {
            "kanwil": user.kanwil,
            "reports": reports,
        },
    )


@login_required
def review(request, pk):
    raise Http404


@login_required
def reopen_view(request, pk):
    raise Http404


@login_required
def explain_score(request, region_pk, period_pk):
    raise Http404
