"""One number that changes whenever any piagam or batch row changes.

The awards page is cached whole per session (evaluation.caches.cache_page_per_session) and
shows every batch's progress, which the rendering workers move on without any score
changing. With a shared cache (CACHE_URL) the page's key carries this number instead of a
query over all piagam on every request. Every write goes through a path that moves it: a
model's save or delete (signals), and the querysets' update, bulk_create and bulk_update
(piagam.querysets). It moves once the write is committed, so that no request can store the
old state under the new number.
"""

import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

VERSION_KEY = "piagam-version"
# Long: an entry that expires (or is evicted) starts again from the clock, never from a
# number an earlier entry already had.
VERSION_SECONDS = 30 * 24 * 3600


def _start():
    cache.add(VERSION_KEY, time.time_ns(), VERSION_SECONDS)


def piagam_version():
    found = cache.get(VERSION_KEY)
    if found is None:
        _start()
        found = cache.get(VERSION_KEY)
    return found


def _bump():
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no entry yet (or evicted): a fresh start is a change as well
        _start()


def changed(**kwargs):
    transaction.on_commit(_bump)


def connect(*models):
    """Move the version on every save and delete of these models (the piagam's and batches')."""
    for model in models:
        uid = f"piagam-version-{model._meta.label_lower}"
        post_save.connect(changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}-delete")
