"""Workers deliver the send log: each row claimed just before it is sent, under a lease that
expires, and its result recorded right after. A killed worker leaves at most the one row it
was sending; the others of its batch are still pending and the next run takes them, and the
one it held is sent again once its lease runs out (at least once: the mail's Message-ID and
the gateway's Idempotency-Key, both derived from the send key, make a second copy
recognisable). Failures are tried again with backoff, then shown to admins as failed with
their reason and a resend action."""

import datetime
import hashlib
import logging
import time
from email.utils import parseaddr
from urllib.parse import urlsplit

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Invitation
from outbox.registry import register
from outbox.services import record_many

from .channels import (
    digest_message,
    gateway_payload,
    invitation_message,
    invitation_text,
    languages_of,
    link_of,
    notice_message,
    post_to_gateway,
)
from .models import Channel, Mode, Notice, SendLog, SendStatus

logger = logging.getLogger(__name__)

DELIVER = "notifications.deliver"
NOTICES_QUEUE = "notices"
BATCH_SIZE = 50
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 60
# A delivery task: a batch of sends, each bounded by EMAIL_TIMEOUT (30 s) or the gateway's
# 10 s. It stops taking rows well before its soft limit and hands the rest to a new entry.
SOFT_TIME_LIMIT = 60
TIME_LIMIT = 90
# A row is held past the task's hard limit: while its worker lives nobody else sends it.
ROW_LEASE_SECONDS = TIME_LIMIT + 30
# The sweep queues a row again that was queued this long ago and is still not sent.
REQUEUE_AFTER_SECONDS = 300
CLAIMABLE = (SendStatus.PENDING, SendStatus.RETRYING)


def backoff(attempts):
    """Seconds before the next try: 1, 2, 4, 8 minutes."""
    return RETRY_BASE_SECONDS * 2 ** (attempts - 1)


def send_key_digest(row):
    """A short, stable digest of the row's unique key (recipient, kind, object, occasion,
    channel): the same for every attempt of the same delivery."""
    key = "|".join(
        str(part)
        for part in (
            row.recipient_id,
            row.kind,
            row.object_type,
            row.object_id,
            row.occasion,
            row.channel,
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def idempotency_key(row):
    """What the gateway receives as ``Idempotency-Key``: one value per delivery."""
    return f"sendlog-{row.pk}-{send_key_digest(row)}"


def mail_domain():
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2] if "@" in address else ""
    return domain or urlsplit(settings.SITE_URL).hostname or "localhost"


def message_id(row):
    """The ``Message-ID`` of the row's mail, the same on every attempt: a copy sent twice
    (a worker killed between the server's answer and the row's update) is recognisable."""
    return f"<{idempotency_key(row)}@{mail_domain()}>"


def claim(pk, *, now=None):
    """Take one row for this worker just before sending it: pending or retrying and due, or
    held by a worker whose lease ran out. Returns the row, or None when another worker has
    it, it is not due yet, or it is done."""
    now = now or timezone.now()
    taken = (
        SendLog.objects.filter(pk=pk)
        .filter(
            Q(status__in=CLAIMABLE, available_at__isnull=True)
            | Q(status__in=CLAIMABLE, available_at__lte=now)
            | Q(status=SendStatus.SENDING, lease_until__lt=now)
        )
        .update(
            status=SendStatus.SENDING,
            attempts=F("attempts") + 1,
            lease_until=now + datetime.timedelta(seconds=ROW_LEASE_SECONDS),
            updated_at=now,
        )
    )
    if not taken:
        return None
    return SendLog.objects.select_related("recipient__region", "notice__recipient").get(pk=pk)


@register(
    DELIVER,
    queue=NOTICES_QUEUE,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    max_attempts=MAX_ATTEMPTS,
    # Rows are claimed one by one, so two runs of a batch never send a row twice: the
    # redelivered message of a killed worker process resumes the batch at once, and the
    # sweep takes a batch whose whole worker died a minute after it was started.
    lease_seconds=60,
    exclusive=False,
)
def deliver(ids, budget=None):
    """Send the rows that are still to be sent, one at a time; returns how many were sent.

    Stops taking rows after ``budget`` seconds (by default what the soft limit leaves after
    one more send) and records the rest as a new entry: every run is bounded.
    """
    budget = budget if budget is not None else SOFT_TIME_LIMIT - settings.EMAIL_TIMEOUT - 5
    started = time.monotonic()
    sent = 0
    connection = None
    try:
        for position, pk in enumerate(ids):
            if time.monotonic() - started > max(budget, 1):
                _continue_later(ids[position:])
                break
            row = claim(pk)
            if row is None:
                continue
            if connection is None:
                connection = get_connection()
            try:
                _send(row, languages_of([row.recipient])[row.recipient_id], connection)
            except SoftTimeLimitExceeded as error:
                _failed(row, error)
                _continue_later(ids[position + 1 :])
                break
            except Exception as error:  # noqa: BLE001 - every failure is logged and retried
                _failed(row, error)
                # A connection that broke mid-batch is opened again for the next row.
                _close(connection)
                connection = None
            else:
                _sent(row)
                sent += 1
    finally:
        _close(connection)
    return sent


def _close(connection):
    if connection is not None:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - a dead server's connection may fail to close
            logger.debug("closing a mail connection failed", exc_info=True)


def _continue_later(ids):
    if ids:
        queue([list(ids)])


def _sent(row):
    now = timezone.now()
    SendLog.objects.filter(pk=row.pk).update(
        status=SendStatus.SENT, sent_at=now, lease_until=None, last_error="", updated_at=now
    )


def _send(row, language, connection):
    if row.channel == Channel.DIGEST:
        notices = list(
            Notice.objects.filter(
                recipient=row.recipient,
                mode=Mode.DIGEST,
                mailed_at__isnull=True,
                read_at__isnull=True,
                created_at__lte=row.created_at,
            ).order_by("created_at", "pk")
        )
        if notices:
            _mail(row, digest_message(row.recipient, notices, language), connection)
            Notice.objects.filter(pk__in=[n.pk for n in notices]).update(mailed_at=timezone.now())
        return
    if row.kind == "invitation":
        invitation = Invitation.objects.select_related("user").get(pk=row.object_id)
        if row.channel == Channel.EMAIL:
            _mail(row, invitation_message(invitation, language), connection)
        elif row.channel == Channel.GATEWAY:
            post_to_gateway(
                {
                    "to": row.recipient.phone,
                    "text": invitation_text(invitation, language),
                    "url": link_of(invitation, "phone"),
                    "id": f"ranham-invitation-{invitation.pk}",
                },
                idempotency_key=idempotency_key(row),
            )
        return
    notice = row.notice
    if notice is None:
        raise LookupError("the notice of this delivery no longer exists")
    if row.channel == Channel.EMAIL:
        _mail(row, notice_message(notice, language), connection)
        Notice.objects.filter(pk=notice.pk).update(mailed_at=timezone.now())
    elif row.channel == Channel.GATEWAY:
        post_to_gateway(gateway_payload(notice), idempotency_key=idempotency_key(row))


def _mail(row, message, connection):
    message.extra_headers["Message-ID"] = message_id(row)
    connection.open()  # once per batch: the rows of a batch share one SMTP session
    message.connection = connection
    message.send()


def _failed(row, error):
    attempts = row.attempts
    final = attempts >= MAX_ATTEMPTS
    now = timezone.now()
    SendLog.objects.filter(pk=row.pk, status=SendStatus.SENDING).update(
        status=SendStatus.FAILED if final else SendStatus.RETRYING,
        available_at=None if final else now + datetime.timedelta(seconds=backoff(attempts)),
        lease_until=None,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        updated_at=now,
    )
    logger.warning("notice delivery %s failed (attempt %s): %s", row.pk, attempts, error)


def queue(batches):
    """One outbox entry per batch of row ids, written in the current transaction."""
    batches = [list(batch) for batch in batches if batch]
    if not batches:
        return []
    SendLog.objects.filter(pk__in=[pk for batch in batches for pk in batch]).update(
        queued_at=timezone.now()
    )
    return record_many(DELIVER, [{"ids": batch} for batch in batches])


def queue_ids(ids):
    ids = sorted(set(ids))
    return queue(ids[start : start + BATCH_SIZE] for start in range(0, len(ids), BATCH_SIZE))


def due_rows(now=None):
    """Rows that should be sent now and that no entry is known to carry: a retry whose
    backoff is over, a row held by a worker whose lease ran out (killed), and a row queued
    long ago and still waiting (an entry that failed for good)."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=REQUEUE_AFTER_SECONDS)
    due = Q(status__in=CLAIMABLE) & (Q(available_at__isnull=True) | Q(available_at__lte=now))
    lost = Q(status=SendStatus.SENDING, lease_until__lt=now)
    not_carried = (
        Q(queued_at__isnull=True)
        | Q(queued_at__lt=stale)
        | Q(queued_at__lt=F("available_at"))
        | Q(queued_at__lt=F("lease_until"))
    )
    return SendLog.objects.filter((due | lost) & not_carried)


@shared_task(name="notifications.delivery.sweep_deliveries", soft_time_limit=50, time_limit=60)
def sweep_deliveries(limit=5000):
    """Every minute (beat): queue the retries that are due and the rows a killed worker
    held. Returns how many rows were queued."""
    ids = list(due_rows().order_by("pk").values_list("pk", flat=True)[:limit])
    queue_ids(ids)
    return len(ids)
