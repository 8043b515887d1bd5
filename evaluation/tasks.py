"""Celery tasks of evaluation: the daily recomputation of recent cycles."""

from celery import shared_task


# Two national cycles take a few seconds; the limit leaves room for a loaded machine.
@shared_task(soft_time_limit=600, time_limit=660)
def recompute_recent_cycles():
    """Daily: score every assigned region of this year's and last year's cycles.

    A period that closes with no report still needs its zero scores in the rankings.
    """
    from accounts.days import ministry_today
    from reporting.models import ReportingCycle

    from .scorecards import recompute_cycle

    year = ministry_today().year
    return sum(
        recompute_cycle(cycle) for cycle in ReportingCycle.objects.filter(year__in=[year - 1, year])
    )
