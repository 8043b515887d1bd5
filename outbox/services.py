"""Writing an entry (inside the change's transaction) and handing it to the broker after
commit. A broker that is down is logged, never raised: the sweep queues the entry later, so
a saved change never turns into an error page."""

from functools import partial

from django.db import transaction
from django.utils import timezone

from .models import Entry
from .registry import handler_of
from .tasks import enqueue


def record(topic, /, **payload):
    """Ask for ``topic``'s handler to run with ``payload`` (ids and plain values, JSON) once
    the current transaction commits; nothing happens if it rolls back."""
    handler_of(topic)  # an unknown topic is a programming error: fail in the change, not later
    entry = Entry.objects.create(topic=topic, payload=payload, available_at=timezone.now())
    transaction.on_commit(partial(enqueue, [entry.pk]), robust=True)
    return entry


def record_many(topic, payloads):
    """``record`` for many payloads at once (one INSERT), e.g. one entry per new account."""
    handler_of(topic)
    now = timezone.now()
    entries = Entry.objects.bulk_create(
        [Entry(topic=topic, payload=payload, available_at=now) for payload in payloads]
    )
    ids = [entry.pk for entry in entries]
    if ids:
        transaction.on_commit(partial(enqueue, ids), robust=True)
    return entries


def retry_failed(entry_ids):
    """An admin's "Ulangi": failed entries start again from their first attempt."""
    now = timezone.now()
    ids = list(Entry.objects.filter(pk__in=entry_ids, status="failed").values_list("pk", flat=True))
    Entry.objects.filter(pk__in=ids).update(
        status="pending", attempts=0, available_at=now, lease_until=None, updated_at=now
    )
    transaction.on_commit(partial(enqueue, ids), robust=True)
    return ids
