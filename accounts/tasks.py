from celery import shared_task
from django.utils import timezone

from .imports import remove_expired_previews
from .services import sync_holidays


# A few hundred rows from a package: seconds. Idempotent: rows are matched by date.
@shared_task(soft_time_limit=120, time_limit=150)
def sync_holidays_task(year=None):
    """Add holidays from the package: the given year, or this year and the next (beat)."""
    years = [year] if year else [timezone.now().year, timezone.now().year + 1]
    created, updated = sync_holidays(years)
    return {"created": created, "updated": updated}


# One UPDATE of the previews older than a day: seconds.
@shared_task(soft_time_limit=120, time_limit=150)
def remove_expired_import_previews():
    """Empty the accounts files previewed more than a day ago and never committed."""
    return remove_expired_previews()
