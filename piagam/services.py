"""Issuing, rendering and revoking piagam: every change of a certificate's state."""

import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.services import ReportingError

from .awards import proposals
from .models import (
    Certificate,
    CertificateBatch,
    CertificateStatus,
    NumberSequence,
)
from .tasks import enqueue_render

MINISTRY_CODE = "PUSAT"
MINISTRY_NAME = "Kementerian Hak Asasi Manusia Republik Indonesia"
# National awards are signed for the minister; demo data must show it is an example.
MINISTER_TITLE = "Menteri Hak Asasi Manusia"


def issuer_code(kanwil):
    return kanwil.code.upper() if kanwil is not None else MINISTRY_CODE


def certificate_number(sequence, code, year):
    return f"{sequence:03d}/PIAGAM-HAM/{code}/{year}"


def allocate_number(code, year):
    """The next number of an issuer's year; called inside the issuing transaction."""
    sequence, _created = NumberSequence.objects.select_for_update().get_or_create(
        issuer_code=code, year=year
    )
    sequence.last = F("last") + 1
    sequence.save(update_fields=["last"])
    sequence.refresh_from_db(fields=["last"])
    return sequence.last


def _signatory(kanwil):
    if kanwil is not None:
        return kanwil.head_name, kanwil.head_nip, kanwil.head_title, kanwil.name
    return (
        getattr(settings, "MINISTER_NAME", "") or "Menteri Hak Asasi Manusia (contoh)",
        getattr(settings, "MINISTER_NIP", ""),
        MINISTER_TITLE,
        MINISTRY_NAME,
    )


def _is_specimen(name):
    return "(contoh)" in name


@transaction.atomic
def issue_batch(cycle, kanwil, *, by, place, issued_on):
    """Create the certificates of the scope's awards with their numbers, then render them.

    Idempotent: a region that already holds a standing piagam for this cycle and scope gets
    no second one. The PDFs are rendered by workers after the transaction commits.
    """
    code = issuer_code(kanwil)
    batch = CertificateBatch.objects.create(
        cycle=cycle, kanwil=kanwil, place=place, issued_on=issued_on, created_by=by
    )
    standing = set(
        Certificate.objects.filter(cycle=cycle, issuer_code=code)
        .exclude(status=CertificateStatus.REVOKED)
        .values_list("region_id", flat=True)
    )
    name, nip, title, issuer_name = _signatory(kanwil)
    created = []
    for proposal in proposals(cycle, kanwil):
        region = proposal.region
        if region.pk in standing:
            continue
        sequence = allocate_number(code, cycle.year)
        created.append(
            Certificate.objects.create(
                batch=batch,
                cycle=cycle,
                kanwil=kanwil,
                region=region,
                issuer_code=code,
                year=cycle.year,
                sequence=sequence,
                number=certificate_number(sequence, code, cycle.year),
                categories=[str(category) for category in proposal.categories],
                score=proposal.row.final,
                recipient=region.government_name,
                issuer_name=issuer_name,
                place=place,
                issued_on=issued_on,
                signatory_name=name,
                signatory_nip=nip,
                signatory_title=title,
                specimen=_is_specimen(name),
                token=secrets.token_urlsafe(24),
            )
        )
    ids = [certificate.pk for certificate in created]
    # A broker that is down must not turn the issued numbers into an error page: the rows
    # stay pending and the sweep queues them (enqueue_render logs and never raises).
    transaction.on_commit(lambda: enqueue_render(ids), robust=True)
    return batch


def retry_failed(batch):
    """Put a batch's failed certificates back in the queue."""
    ids = list(
        batch.certificates.filter(status=CertificateStatus.FAILED).values_list("pk", flat=True)
    )
    Certificate.objects.filter(pk__in=ids, status=CertificateStatus.FAILED).update(
        status=CertificateStatus.PENDING,
        error="",
        attempts=0,
        last_enqueued_at=None,
        updated_at=timezone.now(),
    )
    transaction.on_commit(lambda: enqueue_render(ids), robust=True)
    return len(ids)


@transaction.atomic
def revoke(certificate, *, by, reason, now=None):
    """Revoke a piagam: the row and its number stay; who and why are recorded."""
    if not reason.strip():
        raise ReportingError(_("Alasan pencabutan wajib diisi."))
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.status == CertificateStatus.REVOKED:
        raise ReportingError(_("Piagam ini sudah dicabut."))
    locked.status = CertificateStatus.REVOKED
    locked.revoked_at = now or timezone.now()
    locked.revoked_by = by
    locked.revocation_reason = reason.strip()
    locked.save(
        update_fields=["status", "revoked_at", "revoked_by", "revocation_reason", "updated_at"]
    )
    return locked


def flag_dependent_certificates(report, reason):
    """A reopened report may change its scope's awards: flag the piagam that rest on them."""
    kanwil_link = getattr(report.region.province, "kanwil_link", None)
    scope = Q(kanwil__isnull=True)
    if kanwil_link is not None:
        scope |= Q(kanwil=kanwil_link.kanwil_id)
    return (
        Certificate.objects.filter(scope, cycle=report.period.cycle)
        .exclude(status=CertificateStatus.REVOKED)
        .update(needs_review=True, review_reason=reason)
    )
