"""Celery tasks: piagam rendering (queue "pdf") and the sweep that rescues stuck ones."""

import datetime
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError
from django.db.models import Q
from django.utils import timezone

from . import rendering
from .models import Certificate, CertificateStatus

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=60,
    time_limit=90,
    max_retries=3,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
)
def render_certificate(self, certificate_id):
    """Render one piagam. Claims its row first: a duplicate or retried message does nothing."""
    if not rendering.claim(certificate_id):
        return "skipped"
    certificate = Certificate.objects.get(pk=certificate_id)
    try:
        pdf, signed = rendering.render_bytes(certificate)
    except OperationalError:
        # The database hiccupped: give the row back so that the retry can claim it again.
        rendering.release(certificate_id)
        raise
    except SoftTimeLimitExceeded:
        rendering.mark_failed(certificate_id, "waktu pembuatan PDF habis")
        return "failed"
    except Exception as error:
        logger.exception("piagam %s failed", certificate.number)
        rendering.mark_failed(certificate_id, error)
        return "failed"
    rendering.store_pdf(certificate, pdf, signed=signed)
    return "issued"


@shared_task
def sweep_certificates():
    """Re-enqueue piagam stuck waiting (a lost message) or rendering (a killed worker)."""
    ids = sweep_stuck(
        pending_after=datetime.timedelta(minutes=2),
        rendering_after=datetime.timedelta(minutes=5),
    )
    return len(ids)


def enqueue_render(ids):
    for pk in ids:
        render_certificate.delay(pk)


def sweep_stuck(*, pending_after, rendering_after, now=None):
    """Waiting or rendering too long (a lost message, a killed worker): queue them again."""
    now = now or timezone.now()
    stale_rendering = Certificate.objects.filter(
        status=CertificateStatus.RENDERING, claimed_at__lt=now - rendering_after
    )
    stale_rendering.update(status=CertificateStatus.PENDING)
    ids = list(
        Certificate.objects.filter(
            Q(status=CertificateStatus.PENDING)
            & (
                Q(claimed_at__lt=now - rendering_after)
                | Q(claimed_at__isnull=True, created_at__lt=now - pending_after)
            )
        ).values_list("pk", flat=True)
    )
    enqueue_render(ids)
    return ids
