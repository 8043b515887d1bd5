"""Celery tasks: piagam rendering (queue "pdf"), the sweep that rescues stuck ones, and the
cleanup of files that no certificate names."""

import datetime
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Q
from django.utils import timezone

from . import rendering
from .models import Certificate, CertificateStatus

logger = logging.getLogger(__name__)

TIMED_OUT = "waktu pembuatan PDF habis"
WORKER_LOST = "pekerja berhenti saat membuat PDF"


def _seconds(name):
    return datetime.timedelta(seconds=getattr(settings, name))


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=60,
    time_limit=90,
)
def render_certificate(self, certificate_id):
    """Render one piagam. Claims its row first: a duplicate or retried message does nothing.

    Any error (rendering, signing, a full disk, the database) gives the row back with its
    reason; after PIAGAM_MAX_ATTEMPTS it ends ``failed`` and shows on the batch for a retry.
    """
    try:
        claimed = rendering.claim(certificate_id)
    except DatabaseError:
        # The database is away (a restart): this message must not be spent on it.
        logger.warning("piagam %s: database unavailable, retrying later", certificate_id)
        return _send_again(self, certificate_id, settings.PIAGAM_RETRY_DELAY_SECONDS)
    if not claimed:
        return "skipped"
    try:
        with rendering.heartbeat(certificate_id):
            certificate = Certificate.objects.get(pk=certificate_id)
            pdf, signed = rendering.render_bytes(certificate)
            rendering.store_pdf(certificate, pdf, signed=signed)
    except SoftTimeLimitExceeded:
        return _give_back(self, certificate_id, TIMED_OUT)
    except Exception as error:
        logger.exception("piagam %s: rendering failed", certificate_id)
        return _give_back(self, certificate_id, error)
    return "issued"


def _give_back(task, certificate_id, error):
    try:
        status = rendering.give_back(certificate_id, error)
    except DatabaseError:
        # The row stays `rendering` without a heartbeat: the sweep takes it back.
        logger.exception("piagam %s: could not record the failure", certificate_id)
        return "lost"
    if status != CertificateStatus.PENDING:
        return "failed" if status == CertificateStatus.FAILED else "skipped"
    attempts = Certificate.objects.filter(pk=certificate_id).values_list("attempts", flat=True)
    countdown = settings.PIAGAM_RETRY_DELAY_SECONDS * max(1, attempts.first() or 1)
    return _send_again(task, certificate_id, countdown)


def _send_again(task, certificate_id, countdown):
    try:
        task.apply_async(args=[certificate_id], countdown=countdown)
    except Exception:
        logger.warning("piagam %s: retry not queued; the sweep will", certificate_id)
        return "released"
    _mark_enqueued([certificate_id])
    return "retrying"


@shared_task(soft_time_limit=50, time_limit=60)
def sweep_certificates():
    """Re-enqueue piagam whose worker died or whose message was lost."""
    return len(sweep_stuck())


@shared_task(soft_time_limit=300, time_limit=330)
def remove_orphan_pdfs():
    """Remove files under MEDIA_ROOT/piagam that no certificate names, an hour old or more."""
    removed = rendering.remove_orphan_files(older_than=_seconds("PIAGAM_ORPHAN_AGE_SECONDS"))
    if removed:
        logger.warning("removed %d orphan piagam files: %s", len(removed), removed[:20])
    return len(removed)


def _mark_enqueued(ids):
    try:
        Certificate.objects.filter(pk__in=ids).update(last_enqueued_at=timezone.now())
    except DatabaseError:
        logger.warning("could not record the enqueuing of %d piagam", len(ids))


def enqueue_render(ids):
    """Queue the renderings. A broker that is down is logged, not raised: the rows stay
    pending and the sweep queues them when it is back. Returns the ids that were queued."""
    sent = []
    for pk in ids:
        try:
            render_certificate.apply_async(args=[pk], retry=False)
        except Exception:
            logger.exception(
                "broker unavailable: %d piagam left pending for the sweep", len(ids) - len(sent)
            )
            break
        sent.append(pk)
    if sent:
        _mark_enqueued(sent)
    return sent


def sweep_stuck(*, now=None, rendering_after=None, pending_after=None, requeue_after=None):
    """Take back renderings whose heartbeat stopped (a killed worker) and queue again what
    is pending and not waiting in the queue: never queued (the broker was down), or queued
    longer ago than the back-off interval (a lost message). Intervals default to settings."""
    now = now or timezone.now()
    rendering_after = rendering_after or _seconds("PIAGAM_LOST_AFTER_SECONDS")
    pending_after = pending_after or _seconds("PIAGAM_ENQUEUE_GRACE_SECONDS")
    requeue_after = requeue_after or _seconds("PIAGAM_REQUEUE_AFTER_SECONDS")
    lost_before = now - rendering_after
    lost = Certificate.objects.filter(status=CertificateStatus.RENDERING).filter(
        Q(heartbeat_at__lt=lost_before) | Q(heartbeat_at__isnull=True, claimed_at__lt=lost_before)
    )
    lost.filter(attempts__gte=rendering.max_attempts()).update(
        status=CertificateStatus.FAILED, error=WORKER_LOST, heartbeat_at=None
    )
    released = list(lost.values_list("pk", flat=True))
    Certificate.objects.filter(pk__in=released, status=CertificateStatus.RENDERING).update(
        status=CertificateStatus.PENDING, error=WORKER_LOST, heartbeat_at=None
    )
    waiting = (
        Certificate.objects.filter(status=CertificateStatus.PENDING)
        .filter(
            Q(last_enqueued_at__isnull=True, updated_at__lt=now - pending_after)
            | Q(last_enqueued_at__lt=now - requeue_after)
        )
        .exclude(pk__in=released)
        .values_list("pk", flat=True)
    )
    ids = released + list(waiting)
    if ids:
        logger.info("sweep: queueing %d piagam again", len(ids))
    return enqueue_render(ids)
