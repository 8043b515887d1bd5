"""Report events, extension requests and decisions, and piagam: each to its people only."""

import datetime

import pytest
from django.core import mail

from evaluation.models import Decision
from evaluation.services import ItemChoice, decide
from notifications.events import piagam_issued
from notifications.models import Kind, Mode, Preference
from outbox.models import Entry, EntryStatus
from piagam.rendering import store_pdf
from reporting.models import RejectionReason
from reporting.requirements import report_requirements
from reporting.services import decide_extension, request_extension
from tests.support import submitted_report

from .conftest import WITA, notices_of

pytestmark = pytest.mark.django_db

SUBMITTED_AT = datetime.datetime(2025, 10, 9, 10, 0, tzinfo=WITA)


def submit(period, region, officer, capture):
    with capture(execute=True):
        return submitted_report(region, period, officer, at=SUBMITTED_AT)


def test_a_submission_tells_the_kanwils_evaluators_and_nobody_else(
    period_kaltim, balikpapan, with_email, django_capture_on_commit_callbacks
):
    officer, other_officer, evaluator, other_evaluator = with_email

    report = submit(period_kaltim, balikpapan, officer, django_capture_on_commit_callbacks)

    [notice] = notices_of(evaluator, Kind.SUBMITTED)
    assert "Kota Balikpapan" in notice.title
    assert notice.url == f"/evaluasi/laporan/{report.pk}/reviu/"
    assert notices_of(other_evaluator) == []
    assert notices_of(officer) == [] and notices_of(other_officer) == []
    assert mail.outbox == []  # the default is the morning digest


def test_a_return_is_mandatory_and_lists_the_items_and_notes(
    period_kaltim, balikpapan, with_email, django_capture_on_commit_callbacks
):
    officer, other_officer, evaluator, other_evaluator = with_email
    Preference.objects.create(user=officer, kind=Kind.RETURNED, mode=Mode.OFF)
    report = submit(period_kaltim, balikpapan, officer, django_capture_on_commit_callbacks)
    items = [r for b in report_requirements(balikpapan, period_kaltim) for r in b.requirements]

    with django_capture_on_commit_callbacks(execute=True):
        decide(
            report,
            by=evaluator,
            round=1,
            outcome="returned",
            note="Lengkapi tanda tangan.",
            choices={
                items[0].pk: ItemChoice(Decision.REJECTED, RejectionReason.UNSIGNED, "Tanpa TTD"),
                items[1].pk: ItemChoice(Decision.ACCEPTED),
            },
        )

    [notice] = notices_of(officer, Kind.RETURNED)
    assert "Lengkapi tanda tangan." in notice.body
    assert items[0].name in notice.body and "Tanpa TTD" in notice.body
    assert notice.mode == Mode.IMMEDIATELY  # switched off, yet sent: mandatory
    [message] = mail.outbox
    assert message.to == [officer.email]
    assert "Tanpa tanda tangan" in message.body
    assert notices_of(other_officer) == [] and notices_of(other_evaluator) == []


def test_a_verification_tells_the_officers_their_score(
    period_kaltim, balikpapan, with_email, django_capture_on_commit_callbacks
):
    officer, other_officer, evaluator, _other = with_email
    report = submit(period_kaltim, balikpapan, officer, django_capture_on_commit_callbacks)
    items = [r for b in report_requirements(balikpapan, period_kaltim) for r in b.requirements]

    with django_capture_on_commit_callbacks(execute=True):
        decide(
            report,
            by=evaluator,
            round=1,
            outcome="verified",
            choices={r.pk: ItemChoice(Decision.ACCEPTED) for r in items},
        )

    [notice] = notices_of(officer, Kind.VERIFIED)
    assert "100,00" in notice.body  # F in Indonesian number format
    assert notices_of(other_officer) == []


def test_extension_request_and_decision_reach_each_side(
    period_kaltim, balikpapan, with_email, django_capture_on_commit_callbacks
):
    officer, other_officer, evaluator, other_evaluator = with_email
    now = datetime.datetime(2025, 10, 8, 9, 0, tzinfo=WITA)

    with django_capture_on_commit_callbacks(execute=True):
        request = request_extension(
            balikpapan,
            period_kaltim,
            due_on=datetime.date(2025, 10, 17),
            reason="Banjir.",
            by=officer,
            now=now,
        )
    with django_capture_on_commit_callbacks(execute=True):
        decide_extension(request, grant=False, reason="Tidak cukup alasan.", by=evaluator)

    [asked] = notices_of(evaluator, Kind.EXTENSION_REQUESTED)
    assert "Banjir." in asked.body
    [decided] = notices_of(officer, Kind.EXTENSION_DECIDED)
    assert "ditolak" in decided.title and "Tidak cukup alasan." in decided.body
    assert notices_of(other_evaluator) == [] and notices_of(other_officer) == []


def issued_piagam(region, kanwil, admin, *, status="issued"):
    """A certificate row as a worker leaves it (status set by a conditional update)."""
    from django.utils import timezone

    from piagam.models import Certificate, CertificateBatch
    from reporting.models import ReportingCycle

    cycle, _created = ReportingCycle.objects.get_or_create(year=2025)
    batch = CertificateBatch.objects.create(
        cycle=cycle,
        kanwil=kanwil,
        place="Samarinda",
        issued_on=datetime.date(2026, 1, 20),
        created_by=admin,
    )
    certificate = Certificate.objects.create(
        batch=batch,
        cycle=cycle,
        kanwil=kanwil,
        region=region,
        issuer_code="KALTIM",
        year=2025,
        sequence=1,
        number="001/PIAGAM-HAM/KALTIM/2025",
        categories=["terbaik"],
        score="95.00",
        recipient=region.government_name,
        issuer_name=kanwil.name,
        place="Samarinda",
        issued_on=datetime.date(2026, 1, 20),
        signatory_name="Contoh",
        signatory_title="Kepala",
        token="t" * 40,
    )
    Certificate.objects.filter(pk=certificate.pk).update(
        status=status, pdf="piagam/x.pdf", rendered_at=timezone.now()
    )
    return certificate


def test_the_worker_that_issues_a_piagam_announces_it_once_to_the_regions_officers(
    balikpapan,
    kanwil_kaltim,
    admin_user,
    with_email,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    officer, other_officer, evaluator, _other = with_email
    settings.MEDIA_ROOT = tmp_path
    certificate = issued_piagam(balikpapan, kanwil_kaltim, admin_user, status="rendering")

    # when the worker stores the PDF (the conditional update that issues it)
    with django_capture_on_commit_callbacks(execute=True):
        assert store_pdf(certificate, b"%PDF-1.7 piagam", signed=False)

    # then the entry written with it was carried out: one notice, and never a second
    [entry] = Entry.objects.filter(topic="piagam.issued")
    assert entry.payload == {"certificate_id": certificate.pk}
    assert entry.status == EntryStatus.DONE
    assert piagam_issued(certificate.pk) == []  # a second run (at least once) adds nothing
    [notice] = notices_of(officer, Kind.PIAGAM_ISSUED)
    assert notice.url == f"/piagam/{certificate.pk}/unduh/"
    assert "001/PIAGAM-HAM/KALTIM/2025" in notice.body
    assert notices_of(other_officer) == [] and notices_of(evaluator) == []


def test_a_piagam_that_another_worker_issued_is_not_announced_again(
    balikpapan, kanwil_kaltim, admin_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    certificate = issued_piagam(balikpapan, kanwil_kaltim, admin_user, status="issued")

    assert not store_pdf(certificate, b"%PDF-1.7 piagam", signed=False)

    assert not Entry.objects.filter(topic="piagam.issued").exists()
