from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .models import Period, ReportingCycle
from .presenters import officer_period_rows


@login_required
def officer_home(request):
    """The officer's periods of the current cycle, with the region's own deadlines."""
    user = request.user
    if not user.is_officer:
        raise PermissionDenied
    cycle = ReportingCycle.objects.filter(periods__isnull=False).distinct().first()
    periods = list(Period.objects.filter(cycle=cycle)) if cycle else []
    rows = officer_period_rows(user.region, periods)
    return render(
        request,
        "reporting/officer_home.html",
        {
            "cycle": cycle,
            "region": user.region,
            "rows": rows,
        },
    )
