"""The job record of a piagam's PDF: claiming a certificate, what it prints, storing the
result. Called by the rendering task only; WeasyPrint is imported only when rendering."""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from .models import Certificate, CertificateStatus
from .wording import category_words


def verification_url(token):
    return settings.SITE_URL + reverse("piagam:verify", args=[token])


def claim(certificate_id):
    """Take a waiting certificate for rendering; False if someone else has it or it is done."""
    return bool(
        Certificate.objects.filter(pk=certificate_id, status=CertificateStatus.PENDING).update(
            status=CertificateStatus.RENDERING,
            claimed_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )


def store_pdf(certificate, pdf_bytes, *, signed):
    """Keep the rendered PDF and its checksum; only the worker that claimed it gets here."""
    name = default_storage.save(
        f"piagam/{certificate.year}/{certificate.token}.pdf", ContentFile(pdf_bytes)
    )
    updated = Certificate.objects.filter(
        pk=certificate.pk, status=CertificateStatus.RENDERING
    ).update(
        status=CertificateStatus.ISSUED,
        pdf=name,
        sha256=hashlib.sha256(pdf_bytes).hexdigest(),
        signed=signed,
        rendered_at=timezone.now(),
        error="",
    )
    if not updated:
        default_storage.delete(name)
    return bool(updated)


def release(certificate_id):
    Certificate.objects.filter(pk=certificate_id, status=CertificateStatus.RENDERING).update(
        status=CertificateStatus.PENDING
    )


def mark_failed(certificate_id, error):
    Certificate.objects.filter(pk=certificate_id, status=CertificateStatus.RENDERING).update(
        status=CertificateStatus.FAILED, error=str(error)[:2000]
    )


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
