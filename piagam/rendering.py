"""The job record of a piagam's PDF: claiming a certificate, what it prints, storing the
result. Called by the rendering task only; WeasyPrint is imported only when rendering."""

import contextlib
import hashlib
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts import storage
from outbox.services import record

from .models import Certificate, CertificateStatus
from .wording import category_words

logger = logging.getLogger(__name__)

# The outbox topic of an issued piagam: apps above piagam (notifications) handle it.
ISSUED_TOPIC = "piagam.issued"

PDF_DIR = "piagam"


def verification_url(token):
    return settings.SITE_URL + reverse("piagam:verify", args=[token])


def max_attempts():
    return max(1, int(getattr(settings, "PIAGAM_MAX_ATTEMPTS", 3)))


def claim(certificate_id):
    """Take a waiting certificate for rendering; False if someone else has it or it is done."""
    now = timezone.now()
    return bool(
        Certificate.objects.filter(pk=certificate_id, status=CertificateStatus.PENDING).update(
            status=CertificateStatus.RENDERING,
            claimed_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
        )
    )


def beat(certificate_id):
    """Tell the sweep that this rendering is alive."""
    return Certificate.objects.filter(pk=certificate_id, status=CertificateStatus.RENDERING).update(
        heartbeat_at=timezone.now()
    )


@contextlib.contextmanager
def heartbeat(certificate_id, every=None):
    """While the block runs, a thread records a heartbeat on the row every few seconds, so
    that the sweep can tell a long rendering from one whose worker was killed."""
    every = every if every is not None else settings.PIAGAM_HEARTBEAT_SECONDS
    stop = threading.Event()

    def run():
        try:
            while not stop.wait(every):
                try:
                    beat(certificate_id)
                except DatabaseError:
                    logger.warning("piagam %s: heartbeat not recorded", certificate_id)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=run, name=f"heartbeat-{certificate_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)


def pdf_name(certificate):
    """One fixed name per certificate: a second rendering replaces, never adds, a file."""
    return f"{PDF_DIR}/{certificate.year}/{certificate.token}.pdf"


def store_pdf(certificate, pdf_bytes, *, signed):
    """Keep the rendered PDF and its checksum; only the worker that claimed it gets here.

    The file is put under its fixed name, whole or not at all (:func:`accounts.storage.put`:
    an atomic put in a bucket, a synced temporary file renamed on a local disk), in the same
    transaction that records it, and read back to check its SHA-256 before that transaction
    commits: if the row cannot be updated nothing is written, and a crash between the put and
    the commit leaves a file under the fixed name that the next rendering replaces (and the
    hourly cleanup removes if none comes).
    """
    name = pdf_name(certificate)
    digest = hashlib.sha256(pdf_bytes).hexdigest()
    with transaction.atomic():
        updated = Certificate.objects.filter(
            pk=certificate.pk, status=CertificateStatus.RENDERING
        ).update(
            status=CertificateStatus.ISSUED,
            pdf=name,
            sha256=digest,
            signed=signed,
            rendered_at=timezone.now(),
            heartbeat_at=None,
            error="",
        )
        if updated:
            # Whoever announces a piagam (notifications) hears of it from this entry,
            # written in the transaction that issues it: once, and never before the PDF.
            record(ISSUED_TOPIC, certificate_id=certificate.pk)
            storage.put(name, pdf_bytes)
            if storage.sha256_of(name) != digest:
                raise OSError(f"piagam {name}: the stored file does not match its SHA-256")
    return bool(updated)


def give_back(certificate_id, error):
    """A rendering that went wrong: failed for good after the last attempt, else waiting
    again with its reason. Returns the new status, or None if the row was no longer ours."""
    reason = describe(error)
    rows = Certificate.objects.filter(pk=certificate_id, status=CertificateStatus.RENDERING)
    if rows.filter(attempts__gte=max_attempts()).update(
        status=CertificateStatus.FAILED, error=reason, heartbeat_at=None
    ):
        return CertificateStatus.FAILED
    if rows.update(status=CertificateStatus.PENDING, error=reason, heartbeat_at=None):
        return CertificateStatus.PENDING
    return None


def describe(error):
    if isinstance(error, str):
        return error[:2000]
    text = str(error) or error.__class__.__name__
    if isinstance(error, OSError) and error.strerror:
        text = f"{error.__class__.__name__}: {text}"
    return text[:2000]


def release(certificate_id):
    Certificate.objects.filter(pk=certificate_id, status=CertificateStatus.RENDERING).update(
        status=CertificateStatus.PENDING, heartbeat_at=None
    )


def mark_failed(certificate_id, error):
    Certificate.objects.filter(pk=certificate_id, status=CertificateStatus.RENDERING).update(
        status=CertificateStatus.FAILED, error=describe(error), heartbeat_at=None
    )


def remove_orphan_files(*, older_than, now=None):
    """Files under the piagam folder that no certificate names (temporary files a power cut
    left, or a rendering never recorded), once they are old enough to be nobody's work.
    Found through the storage's ``listdir``, so the same sweep serves a bucket."""
    now = now or time.time()
    cutoff = now - older_than.total_seconds()
    referenced = set(Certificate.objects.exclude(pdf="").values_list("pdf", flat=True))
    removed = []
    for name in storage.walk(PDF_DIR):
        if name in referenced:
            continue
        written = storage.modified(name)
        if written is not None and written.timestamp() < cutoff:
            storage.delete(name)
            removed.append(name)
    return removed


def piagam_content(certificate):
    from .pdf import PiagamContent

    return PiagamContent(
        number=certificate.number,
        recipient=certificate.recipient,
        categories=tuple(category_words(certificate.categories)),
        year=certificate.year,
        score=certificate.score,
        place=certificate.place,
        issued_on=certificate.issued_on,
        signatory_name=certificate.signatory_name,
        signatory_nip=certificate.signatory_nip,
        signatory_title=certificate.signatory_title,
        issuer_name=certificate.issuer_name,
        verification_url=verification_url(certificate.token),
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
