"""Round two carries round one: unchanged accepted items keep their decision."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation.models import Decision, ItemDecision, Review
from evaluation.services import IncompleteReview, ItemChoice, decide
from reporting.models import Evidence, RejectionReason, ReportStatus
from reporting.requirements import report_requirements
from reporting.services import DraftChanges, save_draft, submit_report
from reporting.uploads import inspect_upload
from tests.support import build_period, submitted_report, tiny_pdf

WITA = ZoneInfo("Asia/Makassar")
SUBMITTED = datetime.datetime(2025, 10, 9, 9, 0, tzinfo=WITA)
RETURNED = datetime.datetime(2025, 10, 13, 10, 0, tzinfo=WITA)
RESUBMITTED = datetime.datetime(2025, 10, 14, 10, 0, tzinfo=WITA)

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(balikpapan, samarinda, officer_balikpapan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    period = build_period([balikpapan, samarinda], actions=3, items_per_action=2)
    return submitted_report(balikpapan, period, officer_balikpapan, at=SUBMITTED)


def labelled(report):
    return [
        (block.action.number, req)
        for block in report_requirements(report.region, report.period)
        for req in block.requirements
    ]


def accept_all(report):
    return {req.pk: ItemChoice(Decision.ACCEPTED) for _n, req in labelled(report)}


@pytest.fixture
def round_two(report, evaluator_kaltim, officer_balikpapan):
    """Round one rejects Aksi 2's first item; the region replaces that file and resubmits."""
    (_n, rejected) = labelled(report)[2]
    decide(
        report,
        by=evaluator_kaltim,
        round=1,
        outcome="returned",
        choices=accept_all(report)
        | {rejected.pk: ItemChoice(Decision.REJECTED, RejectionReason.UNSIGNED, "Tanda tangan?")},
        now=RETURNED,
    )
    report.refresh_from_db()
    old = Evidence.objects.get(report=report, requirement=rejected, removed_at__isnull=True)
    upload = SimpleUploadedFile("ganti.pdf", tiny_pdf("pengganti"), "application/pdf")
    upload.inspected = inspect_upload(upload)
    report = save_draft(
        report,
        DraftChanges(
            revision=report.revision,
            entries={e.action_id: (e.narrative, e.progress) for e in report.entries.all()},
            uploads=[(rejected.pk, upload)],
            removals={old.pk},
        ),
        by=officer_balikpapan,
    )
    submit_report(report, by=officer_balikpapan, now=RESUBMITTED)
    report.refresh_from_db()
    report.replaced = rejected
    report.new_file = Evidence.objects.get(
        report=report, requirement=rejected, removed_at__isnull=True
    )
    return report


def test_round_two_needs_a_decision_only_on_the_replaced_item(round_two, evaluator_kaltim):
    # given round two, where only the rejected item's file was replaced
    # when the evaluator decides that one item only and verifies
    decide(
        round_two,
        by=evaluator_kaltim,
        round=2,
        outcome="verified",
        choices={round_two.replaced.pk: ItemChoice(Decision.ACCEPTED)},
        now=RESUBMITTED + datetime.timedelta(days=1),
    )

    # then every item has a decision in round two: the others carried as accepted
    round_two.refresh_from_db()
    assert round_two.status == ReportStatus.VERIFIED
    decisions = ItemDecision.objects.filter(review__report=round_two, review__round=2)
    assert decisions.count() == len(labelled(round_two))
    assert set(decisions.values_list("decision", flat=True)) == {Decision.ACCEPTED}


def test_a_carried_decision_can_still_be_changed(round_two, evaluator_kaltim):
    # given round two
    (_n, first) = labelled(round_two)[0]

    # when the evaluator now rejects an item it accepted in round one
    decide(
        round_two,
        by=evaluator_kaltim,
        round=2,
        outcome="returned",
        choices={
            round_two.replaced.pk: ItemChoice(Decision.ACCEPTED),
            first.pk: ItemChoice(Decision.REJECTED, RejectionReason.WRONG_PERIOD),
        },
        now=RESUBMITTED + datetime.timedelta(days=1),
    )

    # then that choice, not the carried one, is recorded
    decision = ItemDecision.objects.get(review__round=2, requirement=first)
    assert (decision.decision, decision.reason) == (Decision.REJECTED, "salah_periode")


def test_the_replaced_item_without_a_decision_is_named_with_its_action(round_two, evaluator_kaltim):
    # when round two is verified with no decision at all
    with pytest.raises(IncompleteReview) as caught:
        decide(round_two, by=evaluator_kaltim, round=2, outcome="verified", choices={})

    # then only the replaced item is asked for, named by action number and item
    assert caught.value.problems == {
        round_two.replaced.pk: f"Aksi 2 – {round_two.replaced.name}: belum diputuskan."
    }
    assert not Review.objects.filter(report=round_two, round=2).exists()


def test_other_reason_without_a_note_is_refused(report, evaluator_kaltim):
    # given round one, an item rejected for "Lainnya" with no note
    (_n, first) = labelled(report)[0]
    choices = accept_all(report) | {first.pk: ItemChoice(Decision.REJECTED, "lainnya", "  ")}

    # when the evaluator returns the report
    with pytest.raises(IncompleteReview) as caught:
        decide(report, by=evaluator_kaltim, round=1, outcome="returned", choices=choices)

    # then the service refuses, naming the item
    assert "Aksi 1 – " in caught.value.problems[first.pk]
    assert "Lainnya" in caught.value.problems[first.pk]
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_the_review_screen_preselects_carried_items_and_marks_the_new_file(
    round_two, client_for, evaluator_kaltim
):
    # when the evaluator opens round two
    body = (
        client_for(evaluator_kaltim)
        .get(reverse("evaluation:review", args=[round_two.pk]))
        .content.decode()
    )

    # then the unchanged accepted items are pre-selected and said to be carried
    carried = len(labelled(round_two)) - 1
    assert body.count('data-testid="carried"') == carried
    assert body.count("diterima di putaran sebelumnya") == carried
    assert body.count('value="accepted" checked') == carried
    # and the replaced file alone is marked new
    assert body.count('data-testid="new-file"') == 1
    replaced = body.split(f'data-testid="item-{round_two.replaced.pk}"')[1]
    assert 'data-testid="new-file"' in replaced.split('data-testid="item-')[0]


def test_the_review_screen_names_the_other_reason_without_a_note(
    report, client_for, evaluator_kaltim
):
    # given every item accepted but the first, rejected for "Lainnya" without a note
    (_n, first), *rest = labelled(report)
    data = {"putaran": 1, "kembalikan": "1", "confirmed": "1"}
    data |= {f"keputusan-{req.pk}": "accepted" for _n, req in rest}
    data |= {f"keputusan-{first.pk}": "rejected", f"alasan-{first.pk}": "lainnya"}

    # when the evaluator returns the report
    response = client_for(evaluator_kaltim).post(
        reverse("evaluation:review", args=[report.pk]), data
    )

    # then the form says so at the item, and nothing happened
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="item-problem"' in body
    assert f"Aksi 1 – {first.name}" in body
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
