from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import render

from accounts.models import Kanwil
from reporting.models import Report, ReportingCycle, ReportStatus


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
def overview(request):
    """National overview for admins: reports per Kanwil in the current cycle."""
    if not request.user.is_portal_admin:
        raise PermissionDenied
    cycle = ReportingCycle.objects.filter(periods__isnull=False).distinct().first()
    in_cycle = Q(provinces__province__members__reports__period__cycle=cycle)
    kanwils = Kanwil.objects.annotate(
        regions=Count("provinces__province__members", distinct=True),
        submitted=Count(
            "provinces__province__members__reports",
            filter=in_cycle & ~Q(provinces__province__members__reports__status=ReportStatus.DRAFT),
            distinct=True,
        ),
        verified=Count(
            "provinces__province__members__reports",
            filter=in_cycle
            & Q(provinces__province__members__reports__status=ReportStatus.VERIFIED),
            distinct=True,
        ),
    )
    return render(request, "evaluation/overview.html", {"cycle": cycle, "kanwils": kanwils})
