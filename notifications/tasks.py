"""Beat's jobs: the hourly morning round, piagam announcements, stuck deliveries."""

from celery import shared_task
from django.utils import timezone

from .delivery import deliver, sweep_stuck_deliveries

__all__ = ["deliver", "sweep_stuck_deliveries", "morning_round", "announce_piagam"]


@shared_task
def morning_round():
    """Hourly: everything due at 08.00 for the people whose local time is now 08.xx."""
    from .jobs import run_morning

    return run_morning(timezone.now())


@shared_task
def announce_piagam():
    """Every two minutes: tell the officers of each newly issued piagam (once each)."""
    from .events import announce_recent_piagam

    return announce_recent_piagam()
