"""Workers deliver the send log in batches, each row claimed once, failures retried."""

import datetime
import logging

from celery import shared_task
from django.core.mail import get_connection
from django.db.models import F
from django.utils import timezone

from accounts.models import Invitation

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

MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 60
CLAIMABLE = (SendStatus.PENDING, SendStatus.RETRYING)


def backoff(attempts):
    """Seconds before the next try: 1, 2, 4, 8 minutes."""
    return RETRY_BASE_SECONDS * 2 ** (attempts - 1)


def claim(pk):
    """Take one row for this worker; False when another worker has it or it is done."""
    return bool(
        SendLog.objects.filter(pk=pk, status__in=CLAIMABLE).update(
            status=SendStatus.SENDING, attempts=F("attempts") + 1, updated_at=timezone.now()
        )
    )


@shared_task(acks_late=True)
def deliver(ids):
    """Send the rows of a batch that nobody else has sent; one SMTP connection per batch."""
    claimed = [pk for pk in ids if claim(pk)]
    if not claimed:
        return 0
    rows = list(
        SendLog.objects.filter(pk__in=claimed).select_related(
            "recipient__region", "notice__recipient"
        )
    )
    languages = languages_of([row.recipient for row in rows])
    sent = 0
    connection = get_connection()
    try:
        for row in rows:
            try:
                _send(row, languages[row.recipient_id], connection)
            except Exception as error:  # noqa: BLE001 - every failure is logged and retried
                _failed(row, error)
            else:
                now = timezone.now()
                SendLog.objects.filter(pk=row.pk).update(
                    status=SendStatus.SENT, sent_at=now, last_error="", updated_at=now
                )
                sent += 1
    finally:
        connection.close()
    return sent


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
            message = digest_message(row.recipient, notices, language)
            message.connection = connection
            message.send()
            Notice.objects.filter(pk__in=[n.pk for n in notices]).update(mailed_at=timezone.now())
        return
    if row.kind == "invitation":
        invitation = Invitation.objects.select_related("user").get(pk=row.object_id)
        if row.channel == Channel.EMAIL:
            message = invitation_message(invitation, language)
            message.connection = connection
            message.send()
        elif row.channel == Channel.GATEWAY:
            post_to_gateway(
                {
                    "to": row.recipient.phone,
                    "text": invitation_text(invitation, language),
                    "url": link_of(invitation, "phone"),
                    "id": f"ranham-invitation-{invitation.pk}",
                }
            )
        return
    notice = row.notice
    if notice is None:
        raise LookupError("the notice of this delivery no longer exists")
    if row.channel == Channel.EMAIL:
        message = notice_message(notice, language)
        message.connection = connection
        message.send()
        Notice.objects.filter(pk=notice.pk).update(mailed_at=timezone.now())
    elif row.channel == Channel.GATEWAY:
        post_to_gateway(gateway_payload(notice))


def _failed(row, error):
    attempts = row.attempts
    final = attempts >= MAX_ATTEMPTS
    SendLog.objects.filter(pk=row.pk).update(
        status=SendStatus.FAILED if final else SendStatus.RETRYING,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        updated_at=timezone.now(),
    )
    logger.warning("notice delivery %s failed (attempt %s): %s", row.pk, attempts, error)
    if not final:
        deliver.apply_async(args=[[row.pk]], countdown=backoff(attempts))


@shared_task
def sweep_stuck_deliveries():
    """A row a killed worker left 'sending' for an hour is shown as failed, never resent:
    the message may have left already, and a second copy is worse than a visible failure."""
    cutoff = timezone.now() - datetime.timedelta(hours=1)
    return SendLog.objects.filter(status=SendStatus.SENDING, updated_at__lt=cutoff).update(
        status=SendStatus.FAILED, last_error="worker stopped while sending"
    )
