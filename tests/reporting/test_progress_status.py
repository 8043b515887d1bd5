"""Progress is reported as it is: every status may be sent; "not started" says why."""

import pytest

from reporting.models import ProgressStatus, ReportStatus
from reporting.presenters import officer_period_rows
from reporting.services import IncompleteReport, save_draft, submit_report
from tests.reporting.conftest import ON_TIME, full_changes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "progress",
    [ProgressStatus.NOT_STARTED, ProgressStatus.IN_PROGRESS, ProgressStatus.DONE],
)
def test_every_progress_status_with_a_narrative_can_be_submitted(
    draft, officer_balikpapan, progress
):
    # given a complete draft whose every action carries the status and a narrative
    changes = full_changes(draft)
    changes.entries = {
        action_id: (narrative, progress) for action_id, (narrative, _p) in changes.entries.items()
    }
    save_draft(draft, changes, by=officer_balikpapan)

    # when the officer submits
    submitted = submit_report(draft, by=officer_balikpapan, now=ON_TIME)

    # then it is sent with the status as reported
    assert submitted.status == ReportStatus.SUBMITTED
    assert set(draft.entries.values_list("progress", flat=True)) == {progress}


def test_not_started_without_a_reason_is_refused_asking_for_the_reason(
    draft, actions, officer_balikpapan
):
    # given a complete draft where Aksi 2 has not started and gives no reason
    changes = full_changes(draft)
    changes.entries[actions[1].pk] = ("", ProgressStatus.NOT_STARTED)
    save_draft(draft, changes, by=officer_balikpapan)

    # when the officer submits
    with pytest.raises(IncompleteReport) as caught:
        submit_report(draft, by=officer_balikpapan, now=ON_TIME)

    # then the one gap asks for the reason in the narrative
    assert caught.value.missing == [
        "Aksi 2: status \u201cBelum dimulai\u201d: tuliskan alasannya di kolom capaian."
    ]
    draft.refresh_from_db()
    assert draft.status == ReportStatus.DRAFT


def test_the_home_page_counts_a_not_started_action_with_its_reason_as_filled_in(
    draft, actions, officer_balikpapan, balikpapan
):
    # given a complete draft where Aksi 1 has not started, with the reason written
    changes = full_changes(draft)
    changes.entries[actions[0].pk] = ("Anggaran belum turun.", ProgressStatus.NOT_STARTED)
    save_draft(draft, changes, by=officer_balikpapan)

    # when the officer's periods are listed
    (row,) = [r for r in officer_period_rows(balikpapan, [draft.period]) if r.report]

    # then nothing is missing: completeness rests on the narratives and evidence items
    assert row.missing_narratives == 0
    assert row.missing_items == 0
