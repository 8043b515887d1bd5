"""Version numbers and forgotten entries of the shared cache, moved once a write commits.

A page that keeps something in the shared cache stores it under a version number (or under a
key that a write deletes). The write moves the number, or deletes the key, only after its
transaction commits: before that, another request would read the old rows and store them
under the new number. The callbacks are marked, so that a test counting what runs after a
commit can tell work (a task queued, a recomputation) from this bookkeeping.
"""

import hashlib
import time

from django.core.cache import cache
from django.db import models, transaction

# Long: a number that expires (or is evicted) starts again from the clock, never from a
# number an earlier entry was stored under.
VERSION_SECONDS = 30 * 24 * 3600


def digest(prefix, *parts):
    """A cache key for ``parts`` (ids, names, paths), whatever characters they hold."""
    return f"{prefix}:{hashlib.sha256(repr(parts).encode()).hexdigest()}"


def version(key):
    """The current number under ``key``, started from the clock when there is none."""
    found = cache.get(key)
    if found is None:
        cache.add(key, time.time_ns(), VERSION_SECONDS)
        found = cache.get(key)
    return found


def versions(keys, found=None):
    """The current numbers under ``keys``, each as ``version`` gives it, in one round trip
    when they are all there. ``found``: what a ``cache.get_many`` over ``keys`` (and other
    keys a caller needs in the same round trip) returned."""
    if found is None:
        found = cache.get_many(keys)
    return [found[key] if found.get(key) is not None else version(key) for key in keys]


def read_at_version(version_key, key, read, seconds):
    """``read()``, kept under ``key`` together with the number under ``version_key`` it was
    read at, and taken from there while that number stands.

    One round trip when it is there (the number and the entry read together), where an entry
    named after the number needs two: the number, then the entry.
    """
    found = cache.get_many([version_key, key])
    number = found.get(version_key) or version(version_key)
    entry = found.get(key)
    if entry is not None and entry[0] == number:
        return entry[1]
    value = read()
    cache.set(key, (number, value), seconds)
    return value


def _bump(key):
    try:
        cache.incr(key)
    except ValueError:  # no number yet (or evicted): a fresh start is a change as well
        cache.add(key, time.time_ns(), VERSION_SECONDS)


def _after_commit(callback):
    callback.cache_bookkeeping = True
    # Cheap (one cache call), so it stays after commit rather than in the outbox; robust, so
    # that a cache (Redis) that fails here never turns the saved change into an error page:
    # the entry it misses expires by itself.
    transaction.on_commit(callback, robust=True)


def bump_after_commit(key):
    _after_commit(lambda: _bump(key))


def forget_after_commit(*keys):
    if keys:
        _after_commit(lambda: cache.delete_many(list(keys)))


def is_cache_bookkeeping(callback):
    return getattr(callback, "cache_bookkeeping", False)


class VersionedQuerySet(models.QuerySet):
    """Writes that send no model signal (update, bulk_create, bulk_update) still move the
    subclass's ``version_key``; saves and deletions move it through signals."""

    version_key = None

    def _moved(self, result):
        if result:
            bump_after_commit(self.version_key)
        return result

    def update(self, **kwargs):
        return self._moved(super().update(**kwargs))

    def bulk_create(self, objs, *args, **kwargs):
        return self._moved(super().bulk_create(objs, *args, **kwargs))

    def bulk_update(self, objs, *args, **kwargs):
        return self._moved(super().bulk_update(objs, *args, **kwargs))
