"""Beat's jobs: the hourly morning round and the sweep of due and lost deliveries.

A piagam is announced from the outbox entry its rendering writes (events.piagam_issued), so
no task polls for issued piagam.
"""

from celery import shared_task
from django.utils import timezone

from .delivery import sweep_deliveries

__all__ = ["morning_round", "sweep_deliveries"]


# At national scale a round makes a few thousand notices and send-log rows in well under a
# minute; the limits leave room for a loaded machine. A round cut short is finished by the
# next beat of the same day (every notice is keyed, so nothing is made twice).
@shared_task(soft_time_limit=600, time_limit=660)
def morning_round():
    """Hourly: everything due today for the people whose local time is 08.00 or later
    (a missed beat is caught up by the next one of the same day)."""
    from .jobs import run_morning

    return run_morning(timezone.now())
