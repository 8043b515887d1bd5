"""Nothing after a commit turns a saved submission into an error page: the notices are an
outbox entry, carried out after the commit, and a failure there is retried, never raised."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from notifications import events
from notifications.models import Kind
from outbox import tasks
from outbox.models import Entry, EntryStatus
from reporting.models import ProgressStatus, Report, ReportStatus
from reporting.requirements import report_requirements
from reporting.services import DraftChanges, save_draft, start_report
from reporting.uploads import inspect_upload
from tests.support import build_period, tiny_pdf

from .conftest import notices_of


@pytest.fixture
def complete_draft(balikpapan, officer_balikpapan, evaluator_kaltim, settings, tmp_path):
    """Balikpapan's draft of a period open now, every item filled in, not yet sent."""
    settings.MEDIA_ROOT = tmp_path
    due_on = timezone.localdate() + datetime.timedelta(days=10)
    period = build_period([balikpapan], due_on=due_on)
    report = start_report(balikpapan, period, by=officer_balikpapan)
    blocks = report_requirements(balikpapan, period)
    uploads = []
    for block in blocks:
        for requirement in block.requirements:
            upload = SimpleUploadedFile(
                f"{requirement.pk}.pdf", tiny_pdf(str(requirement.pk)), "application/pdf"
            )
            upload.inspected = inspect_upload(upload)
            uploads.append((requirement.pk, upload))
    return save_draft(
        report,
        DraftChanges(
            revision=report.revision,
            entries={b.action.pk: ("Capaian terlaksana.", ProgressStatus.DONE) for b in blocks},
            uploads=uploads,
        ),
        by=officer_balikpapan,
    )


def send_from_the_page(client, report):
    data = {"revision": report.revision, "notes": "", "proposals": "", "kirim": "1"}
    data["confirmed"] = "1"
    for block in report_requirements(report.region, report.period):
        data[f"aksi-{block.action.pk}-narrative"] = "Capaian terlaksana."
        data[f"aksi-{block.action.pk}-progress"] = ProgressStatus.DONE
    return client.post(reverse("reporting:report-edit", args=[report.period_id]), data)


def notices_entry():
    return Entry.objects.get(topic=events.REPORT_EVENT)


@pytest.mark.django_db(transaction=True)
def test_a_failing_notice_handler_leaves_the_submission_saved_and_answered_302(
    complete_draft, client_for, officer_balikpapan, evaluator_kaltim, monkeypatch
):
    # given a notice maker that fails (a bug, a database hiccup), run by a worker at once
    def broken(*args, **kwargs):
        raise RuntimeError("pembuat pemberitahuan rusak")

    monkeypatch.setattr(events, "notify", broken)

    # when the officer sends the report from the page (the request commits)
    response = send_from_the_page(client_for(officer_balikpapan), complete_draft)

    # then the officer lands on the sent report, which is saved
    report = Report.objects.get(pk=complete_draft.pk)
    assert response.status_code == 302
    assert response.url == reverse("reporting:report-detail", args=[report.pk])
    assert report.status == ReportStatus.SUBMITTED
    # and the notices wait to be tried again, with the reason
    entry = notices_entry()
    assert entry.status == EntryStatus.PENDING
    assert entry.last_error == "RuntimeError: pembuat pemberitahuan rusak"

    # when the cause is fixed and the retry comes
    monkeypatch.undo()
    Entry.objects.filter(pk=entry.pk).update(available_at=timezone.now())
    assert tasks.run_entry(entry.pk) == "done"

    # then the Kanwil's evaluator hears of it, once
    assert len(notices_of(evaluator_kaltim, Kind.SUBMITTED)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_broker_down_at_commit_leaves_the_submission_saved_and_the_sweep_sends_later(
    complete_draft, client_for, officer_balikpapan, evaluator_kaltim, monkeypatch
):
    # given a broker that refuses every message
    def refused(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(tasks.run_entry, "apply_async", refused)

    # when the officer sends the report from the page
    response = send_from_the_page(client_for(officer_balikpapan), complete_draft)

    # then it is saved and answered as usual, and nothing was made in the request
    assert response.status_code == 302
    assert Report.objects.get(pk=complete_draft.pk).status == ReportStatus.SUBMITTED
    assert notices_entry().queued_at is None
    assert notices_of(evaluator_kaltim, Kind.SUBMITTED) == []

    # when the broker is back, the minute's sweep queues what was left
    monkeypatch.setattr(
        tasks.run_entry, "apply_async", lambda args, **options: tasks.run_entry(*args)
    )
    assert tasks.sweep() >= 1

    # then the evaluator hears of it
    assert notices_entry().status == EntryStatus.DONE
    assert len(notices_of(evaluator_kaltim, Kind.SUBMITTED)) == 1
