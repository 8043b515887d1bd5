"""The job record of a piagam's PDF: claiming a certificate, what it prints, storing the
result. Called by the rendering task only; WeasyPrint is imported only when rendering."""

import contextlib
import hashlib
import logging
import os
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from outbox.services import record

from .models import Certificate, CertificateStatus
from .wording import category_words

logger = logging.getLogger(__name__)

# The outbox topic of an issued piagam: apps above piagam (notifications) handle it.
ISSUED_TOPIC = "piagam.issued"

PDF_DIR = "piagam"
TEMP_SUFFIX = ".tmp"


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


def _fsync_dir(path):
    with contextlib.suppress(OSError):
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_temp(final_path, pdf_bytes):
    """The bytes on disk, synced, under a temporary name beside their final place."""
    final_path.parent.mkdir(parents=True, exist_ok=True)
    temp = final_path.with_name(f".{final_path.stem}.{uuid.uuid4().hex}{TEMP_SUFFIX}")
    try:
        with open(temp, "wb") as handle:
            handle.write(pdf_bytes)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def store_pdf(certificate, pdf_bytes, *, signed):
    """Keep the rendered PDF and its checksum; only the worker that claimed it gets here.

    The file is written and synced under a temporary name, then moved onto its fixed name in
    the same transaction that records it: if the row cannot be updated the temporary file is
    removed, and a crash between the move and the commit leaves a file under the fixed name
    that the next rendering replaces (and the hourly cleanup removes if none comes).
    """
    name = pdf_name(certificate)
    final_path = Path(settings.MEDIA_ROOT) / name
    temp = write_temp(final_path, pdf_bytes)
    try:
        with transaction.atomic():
            updated = Certificate.objects.filter(
                pk=certificate.pk, status=CertificateStatus.RENDERING
            ).update(
                status=CertificateStatus.ISSUED,
                pdf=name,
                sha256=hashlib.sha256(pdf_bytes).hexdigest(),
                signed=signed,
                rendered_at=timezone.now(),
                heartbeat_at=None,
                error="",
            )
            if updated:
                # Whoever announces a piagam (notifications) hears of it from this entry,
                # written in the transaction that issues it: once, and never before the PDF.
                record(ISSUED_TOPIC, certificate_id=certificate.pk)
                os.replace(temp, final_path)
                _fsync_dir(final_path.parent)
    finally:
        temp.unlink(missing_ok=True)
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
    left, or a rendering never recorded), once they are old enough to be nobody's work."""
    root = Path(settings.MEDIA_ROOT) / PDF_DIR
    if not root.is_dir():
        return []
    cutoff = (now or time.time()) - older_than.total_seconds()
    referenced = set(Certificate.objects.exclude(pdf="").values_list("pdf", flat=True))
    removed = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        name = path.relative_to(settings.MEDIA_ROOT).as_posix()
        if name in referenced:
            continue
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
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
