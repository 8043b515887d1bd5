from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render

from accounts.models import Kanwil
from reporting.models import ReportingCycle, ReportStatus


@login_required
def rankings(request):
    raise Http404


@login_required
def rankings_export(request, fmt):
    raise Http404


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
