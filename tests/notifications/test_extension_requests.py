"""An officer asks for more time; the Kanwil grants (the deadline and T move) or refuses."""

import datetime

import pytest

from accounts.models import AuditEvent
from evaluation.models import Score
from reporting.models import Extension, ExtensionRequest, ExtensionRequestStatus
from reporting.services import ReportingError, decide_extension, request_extension
from tests.support import submitted_report

from .conftest import WITA

pytestmark = pytest.mark.django_db

BEFORE_DUE = datetime.datetime(2025, 10, 8, 9, 0, tzinfo=WITA)


def ask(period, region, officer, *, due_on=datetime.date(2025, 10, 15), now=BEFORE_DUE):
    return request_extension(
        region, period, due_on=due_on, reason="Server daerah rusak.", by=officer, now=now
    )


def test_a_request_is_recorded_and_audited(period_kaltim, balikpapan, officer_balikpapan):
    request = ask(period_kaltim, balikpapan, officer_balikpapan)

    assert request.status == ExtensionRequestStatus.PENDING
    event = AuditEvent.objects.get(action="extension_requested")
    assert event.actor == officer_balikpapan and event.object_id == str(request.pk)


@pytest.mark.parametrize(
    "due_on, now, message",
    [
        (datetime.date(2025, 10, 10), BEFORE_DUE, "harus setelah"),
        (datetime.date(2025, 11, 5), datetime.datetime(2025, 11, 1, 9, tzinfo=WITA), "ditutup"),
    ],
)
def test_a_request_must_ask_a_later_date_before_the_period_closes(
    period_kaltim, balikpapan, officer_balikpapan, due_on, now, message
):
    with pytest.raises(ReportingError, match=message):
        ask(period_kaltim, balikpapan, officer_balikpapan, due_on=due_on, now=now)
    assert not ExtensionRequest.objects.exists()


def test_only_one_request_waits_at_a_time(period_kaltim, balikpapan, officer_balikpapan):
    ask(period_kaltim, balikpapan, officer_balikpapan)

    with pytest.raises(ReportingError, match="menunggu"):
        ask(period_kaltim, balikpapan, officer_balikpapan)


def test_granting_moves_the_deadline_and_the_timeliness_score(
    period_kaltim,
    balikpapan,
    officer_balikpapan,
    evaluator_kaltim,
    django_capture_on_commit_callbacks,
):
    request = ask(period_kaltim, balikpapan, officer_balikpapan)
    # Submitted three days after the period's due date: T = 70 without an extension.
    with django_capture_on_commit_callbacks(execute=True):
        submitted_report(
            balikpapan,
            period_kaltim,
            officer_balikpapan,
            at=datetime.datetime(2025, 10, 13, 9, 0, tzinfo=WITA),
        )
    assert Score.objects.get(region=balikpapan, period=period_kaltim).timeliness == 70

    with django_capture_on_commit_callbacks(execute=True):
        decide_extension(request, grant=True, by=evaluator_kaltim, reason="Diterima.")

    assert Extension.objects.get(region=balikpapan, period=period_kaltim).due_on == (
        datetime.date(2025, 10, 15)
    )
    assert Score.objects.get(region=balikpapan, period=period_kaltim).timeliness == 100
    request.refresh_from_db()
    assert request.status == ExtensionRequestStatus.GRANTED
    assert request.decided_by == evaluator_kaltim
    assert AuditEvent.objects.filter(action="extension_granted").count() == 1


def test_refusing_needs_a_reason_and_changes_no_deadline(
    period_kaltim, balikpapan, officer_balikpapan, evaluator_kaltim
):
    request = ask(period_kaltim, balikpapan, officer_balikpapan)

    with pytest.raises(ReportingError):
        decide_extension(request, grant=False, by=evaluator_kaltim, reason=" ")
    decide_extension(request, grant=False, by=evaluator_kaltim, reason="Tidak mendesak.")

    assert not Extension.objects.exists()
    assert AuditEvent.objects.filter(action="extension_refused").count() == 1
    with pytest.raises(ReportingError, match="sudah diputuskan"):
        decide_extension(request, grant=True, by=evaluator_kaltim)
