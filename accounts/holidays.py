"""Days off as the pages read them.

With a shared cache (CACHE_URL) every holiday is kept there, under a version that every write
to a Holiday row moves once it commits: saves and deletions through signals, ``update`` and
the bulk writes through ``accounts.querysets.HolidayQuerySet``. The move is registered when
the row is written, before the change that follows it asks the worker to rescore, so the
worker never reads the days of before. Without a shared cache, each read is a query (a
per-process copy could keep another process's old days).
"""

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from .cached import bump_after_commit, read_at_version
from .models import Holiday
from .querysets import HOLIDAYS_VERSION_KEY

HOLIDAYS_KEY = "holidays"
HOLIDAYS_SECONDS = 3600


def holiday_names():
    """{date: name} of every holiday, in one cache round trip when nothing has changed."""
    if not settings.CACHE_URL:
        return _read()
    return read_at_version(HOLIDAYS_VERSION_KEY, HOLIDAYS_KEY, _read, HOLIDAYS_SECONDS)


def _read():
    return dict(Holiday.objects.order_by("date").values_list("date", "name"))


def holidays_changed(**kwargs):
    bump_after_commit(HOLIDAYS_VERSION_KEY)


def connect():
    post_save.connect(holidays_changed, sender=Holiday, dispatch_uid="accounts-holidays-save")
    post_delete.connect(holidays_changed, sender=Holiday, dispatch_uid="accounts-holidays-delete")
