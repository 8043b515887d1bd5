"""Which reporting cycle a page shows: one query parameter and one default rule for every page."""

from django.http import Http404

from accounts.days import ministry_today

from .models import ReportingCycle

CYCLE_PARAM = "siklus"


def cycles_with_periods():
    """Cycles that have periods, newest first, with their periods prefetched (two queries)."""
    return list(
        ReportingCycle.objects.filter(periods__isnull=False).distinct().prefetch_related("periods")
    )


def default_cycle(cycles, today):
    """The newest cycle whose reporting has begun (a period opened by `today`), else the
    oldest one still to come, else None."""
    begun = [c for c in cycles if any(p.opens_on <= today for p in c.periods.all())]
    if begun:
        return max(begun, key=lambda c: c.year)
    return min(cycles, key=lambda c: c.year) if cycles else None


def choose_cycle(request, cycles, *, today=None):
    """The cycle named by ``?siklus=`` (404 if unknown), else the default cycle."""
    year = request.GET.get(CYCLE_PARAM, "").strip()
    if year:
        cycle = next((c for c in cycles if str(c.year) == year), None)
        if cycle is None:
            raise Http404
        return cycle
    return default_cycle(cycles, today or ministry_today())
