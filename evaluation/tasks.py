"""Celery tasks: piagam rendering (queue "pdf") and the sweep that rescues stuck ones."""

import datetime
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError

from . import certificates
from .models import Certificate

logger = logging.getLogger(__name__)


def piagam_content(certificate):
    from .pdf import PiagamContent

    return PiagamContent(
        number=certificate.number,
        recipient=certificate.recipient,
        categories=tuple(certificate.category_words),
        year=certificate.year,
        score=certificate.score,
        place=certificate.place,
        issued_on=certificate.issued_on,
        signatory_name=certificate.signatory_name,
        signatory_nip=certificate.signatory_nip,
        signatory_title=certificate.signatory_title,
        issuer_name=certificate.issuer_name,
        verification_url=certificates.verification_url(certificate.token),
        specimen=certificate.specimen,
    )


def render_bytes(certificate):
    """The finished PDF: rendered, and signed when the portal has a signing key."""
    from .pdf import render_piagam

    pdf = render_piagam(piagam_content(certificate))
    if settings.PIAGAM_SIGNING_PKCS12:
        from .signing import sign_pdf

        return sign_pdf(
            pdf,
            pkcs12_path=settings.PIAGAM_SIGNING_PKCS12,
            passphrase=settings.PIAGAM_SIGNING_PASSPHRASE,
            location=certificate.place,
        ), True
    return pdf, False


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
    if not certificates.claim(certificate_id):
        return "skipped"
    certificate = Certificate.objects.get(pk=certificate_id)
    try:
        pdf, signed = render_bytes(certificate)
    except OperationalError:
        # The database hiccupped: give the row back so that the retry can claim it again.
        certificates.release(certificate_id)
        raise
    except SoftTimeLimitExceeded:
        certificates.mark_failed(certificate_id, "waktu pembuatan PDF habis")
        return "failed"
    except Exception as error:
        logger.exception("piagam %s failed", certificate.number)
        certificates.mark_failed(certificate_id, error)
        return "failed"
    certificates.store_pdf(certificate, pdf, signed=signed)
    return "issued"


@shared_task
def sweep_certificates():
    """Re-enqueue piagam stuck waiting (a lost message) or rendering (a killed worker)."""
    ids = certificates.sweep_stuck(
        pending_after=datetime.timedelta(minutes=2),
        rendering_after=datetime.timedelta(minutes=5),
    )
    return len(ids)


@shared_task
def recompute_recent_cycles():
    """Daily: score every assigned region of this year's and last year's cycles.

    A period that closes with no report still needs its zero scores in the rankings.
    """
    from django.utils import timezone

    from reporting.models import ReportingCycle

    from .scorecards import recompute_cycle

    year = timezone.localdate().year
    return sum(
        recompute_cycle(cycle) for cycle in ReportingCycle.objects.filter(year__in=[year - 1, year])
    )
