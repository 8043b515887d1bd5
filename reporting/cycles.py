"""Which reporting cycle a page shows: one query parameter and one default rule for every page."""

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.cached import bump_after_commit, read_at_version, version
from accounts.days import ministry_today

from .models import Period, ReportingCycle

CYCLE_PARAM = "siklus"

CYCLES_CACHE_KEY = "cycles-with-periods"
CYCLES_VERSION_KEY = "cycles-version"
CYCLES_CACHE_SECONDS = 3600

# This process's copy of the cycles, under the version they were read at: a page then pays
# one small read of the version rather than the unpickling of every cycle and period.
_kept = {}


def cycles_with_periods():
    """Cycles that have periods, newest first, with their periods prefetched.

    Almost every page chooses its cycle from these, and they change only when an admin edits
    a cycle or a period. With a shared cache (CACHE_URL) they are kept there, and in each
    process, under a version that every save or deletion of a cycle or a period moves once it
    commits: a list read before a change commits is stored under the number of before, which
    no later read asks for. Without a shared cache, two queries (a per-process copy could
    keep another process's old list).

    The same instances serve every request of the process until the version moves: read
    them, never change them.
    """
    if not settings.CACHE_URL:
        return _read()
    number = version(CYCLES_VERSION_KEY)
    found = _kept.get(number)
    if found is None:
        found = read_at_version(CYCLES_VERSION_KEY, CYCLES_CACHE_KEY, _read, CYCLES_CACHE_SECONDS)
        _kept.clear()
        _kept[number] = found
    return found


def _read():
    return list(
        ReportingCycle.objects.filter(periods__isnull=False).distinct().prefetch_related("periods")
    )


def period_or_404(pk):
    """The period ``pk`` with its cycle, else 404.

    From the cached cycles above when the portal has a shared cache (a page about one period
    then reads no row for it); else, or if the period is newer than the cached list, one query.
    """
    if settings.CACHE_URL:
        for cycle in cycles_with_periods():
            for period in cycle.periods.all():
                if period.pk == pk:
                    return period
    return get_object_or_404(Period.objects.select_related("cycle"), pk=pk)


def periods_by_pk(pks):
    """{pk: period with its cycle} of these periods, for rows that name their period.

    From the cached cycles above when the portal has a shared cache: a list's query then joins
    neither the period nor its cycle, which PostgreSQL plans at several times the cost of the
    rest (as with period_or_404, one query for any period newer than the cached list).
    """
    pks = set(pks)
    found = {}
    if settings.CACHE_URL:
        for cycle in cycles_with_periods():
            for period in cycle.periods.all():
                if period.pk in pks:
                    found[period.pk] = period
    if missing := pks - found.keys():
        found.update(Period.objects.select_related("cycle").in_bulk(missing))
    return found


def forget_cycles(**kwargs):
    """Move the cycles' version once the change is visible to other requests."""
    bump_after_commit(CYCLES_VERSION_KEY)


def connect():
    for model in (ReportingCycle, Period):
        uid = f"reporting-cycles-{model._meta.label_lower}"
        post_save.connect(forget_cycles, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(forget_cycles, sender=model, dispatch_uid=f"{uid}-delete")


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
