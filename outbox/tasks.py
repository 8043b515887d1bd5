"""The worker side: run one entry under a lease, and the sweep that finds entries no task
took (broker down at commit, a lost message, a killed worker)."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Entry, EntryStatus
from .registry import handler_of

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 30


def backoff(attempts):
    """Seconds before the next try: 30 s, 1, 2, 4 minutes..."""
    return RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)


def lease_seconds(handler):
    # By default longer than the hard limit: a live worker is killed by Celery before its
    # lease ends (registry.register).
    return handler.lease_seconds


def claim(pk, *, now=None):
    """Take the entry for this worker: pending and due, or running with its lease expired.
    Returns the entry with its handler, or None when someone else has it or it is done."""
    now = now or timezone.now()
    entry = Entry.objects.filter(pk=pk).only("topic").first()
    if entry is None:
        return None
    handler = handler_of(entry.topic)
    running = Q(status=EntryStatus.RUNNING)
    if handler.exclusive:
        running &= Q(lease_until__lt=now)
    taken = Entry.objects.filter(
        Q(status=EntryStatus.PENDING, available_at__lte=now) | running, pk=pk
    ).update(
        status=EntryStatus.RUNNING,
        attempts=F("attempts") + 1,
        lease_until=now + datetime.timedelta(seconds=lease_seconds(handler)),
        updated_at=now,
    )
    if not taken:
        return None
    return Entry.objects.get(pk=pk), handler


@shared_task(
    name="outbox.run_entry",
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
)
def run_entry(pk):
    """Carry out one entry. Its handler is idempotent, so a second run after a killed
    worker does no harm; a failure is tried again with backoff, then shown as failed."""
    claimed = claim(pk)
    if claimed is None:
        return "not claimed"
    entry, handler = claimed
    try:
        handler.function(**entry.payload)
    except Exception as error:  # noqa: BLE001 - recorded on the row and retried
        _failed(entry, handler, error)
        return "failed"
    now = timezone.now()
    Entry.objects.filter(pk=pk, status=EntryStatus.RUNNING).update(
        status=EntryStatus.DONE, done_at=now, lease_until=None, last_error="", updated_at=now
    )
    return "done"


def _failed(entry, handler, error):
    final = entry.attempts >= handler.max_attempts
    delay = backoff(entry.attempts)
    now = timezone.now()
    Entry.objects.filter(pk=entry.pk, status=EntryStatus.RUNNING).update(
        status=EntryStatus.FAILED if final else EntryStatus.PENDING,
        available_at=now + datetime.timedelta(seconds=delay),
        lease_until=None,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        updated_at=now,
    )
    logger.warning(
        "outbox entry %s (%s) failed, attempt %s: %s", entry.pk, entry.topic, entry.attempts, error
    )
    if not final:
        transaction.on_commit(lambda: enqueue([entry.pk], countdown=delay), robust=True)


def enqueue(ids, *, countdown=None):
    """Hand the entries to their queues; returns the ids that reached the broker."""
    sent = []
    topics = dict(Entry.objects.filter(pk__in=ids).values_list("pk", "topic"))
    for pk in ids:
        if pk not in topics:
            continue
        handler = handler_of(topics[pk])
        try:
            run_entry.apply_async(
                args=[pk],
                queue=handler.queue,
                countdown=countdown,
                soft_time_limit=handler.soft_time_limit,
                time_limit=handler.time_limit,
                retry=False,
            )
        except Exception:
            logger.exception("broker unavailable: outbox entries left for the sweep")
            break
        sent.append(pk)
    if sent:
        Entry.objects.filter(pk__in=sent).update(queued_at=timezone.now())
    return sent


def requeue_after_seconds():
    return getattr(settings, "OUTBOX_REQUEUE_AFTER_SECONDS", 120)


def due_entries(now=None):
    """Entries that should be running and that no queued message is known to carry: due and
    never queued or queued long ago, or running with an expired lease (a killed worker)."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=requeue_after_seconds())
    return Entry.objects.filter(
        Q(status=EntryStatus.PENDING, available_at__lte=now)
        & (Q(queued_at__isnull=True) | Q(queued_at__lt=stale) | Q(queued_at__lt=F("available_at")))
        | Q(status=EntryStatus.RUNNING, lease_until__lt=now)
    )


@shared_task(name="outbox.sweep", soft_time_limit=50, time_limit=60)
def sweep(limit=5000):
    """Every minute (beat): queue what no task took. Returns how many were queued."""
    ids = list(due_entries().order_by("available_at").values_list("pk", flat=True)[:limit])
    return len(enqueue(ids)) if ids else 0
