"""The review screen's rows, read in few queries, say what the reporting presenters and the
review services say: the same items, the same duplicate flags, the same carried decisions."""

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.review_screen import (
    carried_ids,
    evidence_files,
    latest_decisions,
    mark_duplicates,
    past_decisions,
    review_blocks,
)
from evaluation.services import carried_decisions
from reporting.cycles import cycles_with_periods
from reporting.models import Evidence
from reporting.presenters import duplicate_flags, evidence_by_requirement, round_changes
from reporting.requirements import report_requirements
from tests.evaluation import test_round_two as round_two_scenes
from tests.reporting import conftest as reporting_scenes
from tests.reporting import test_evidence_file as duplicate_scenes

pytestmark = pytest.mark.django_db

# The scenes of the round-two and duplicate-file tests, borrowed as they are.
report, round_two = round_two_scenes.report, round_two_scenes.round_two
cycle, tw3, actions, draft = (
    reporting_scenes.cycle,
    reporting_scenes.tw3,
    reporting_scenes.actions,
    reporting_scenes.draft,
)
shared_file = duplicate_scenes.shared_file
shared_with_surabaya = duplicate_scenes.shared_with_surabaya


def flags_shown(report, viewer):
    files = evidence_files(report)
    mark_duplicates(report, files, viewer=viewer)
    return {
        row["pk"]: row["duplicates"] for rows in files.values() for row in rows if row["duplicates"]
    }


@pytest.mark.parametrize("scene", ["shared_file", "shared_with_surabaya"])
@pytest.mark.parametrize("who", ["evaluator_kaltim", "admin_user", None])
def test_duplicate_flags_name_the_same_places_as_the_reporting_presenter(
    request, scene, who, draft
):
    # given a file of Balikpapan's report also sent by another region (in or out of the scope)
    request.getfixturevalue(scene)
    viewer = request.getfixturevalue(who) if who else None

    # when the review screen marks its files
    shown = flags_shown(draft, viewer)

    # then each flag reads as the presenter's list of places
    expected = {pk: "; ".join(places) for pk, places in duplicate_flags(draft, viewer).items()}
    assert shown == expected
    assert len(shown) == 1


def test_files_are_those_the_presenter_lists_in_its_order(shared_file, draft):
    files = evidence_files(draft)

    assert {req: [row["pk"] for row in rows] for req, rows in files.items()} == {
        req: [e.pk for e in items] for req, items in evidence_by_requirement(draft).items()
    }


def test_blocks_hold_the_required_items_in_the_order_of_the_requirements(round_two):
    expected = [
        (block.action.pk, block.action.number, [req.pk for req in block.requirements])
        for block in report_requirements(round_two.region, round_two.period)
    ]

    blocks = review_blocks(round_two)

    assert [(b.action_id, b.number, [req.pk for req in b.requirements]) for b in blocks] == (
        expected
    )
    assert all(req.ref == str(req.pk) for b in blocks for req in b.requirements)


def test_round_two_carries_what_the_review_service_carries(round_two):
    changes = round_changes(round_two)
    decided = past_decisions(round_two)

    carried = carried_ids(decided, changes)

    assert carried == set(carried_decisions(round_two, changes))
    assert round_two.replaced.pk not in carried
    latest = latest_decisions(decided)
    assert latest[round_two.replaced.pk].round == 1
    assert latest[round_two.replaced.pk].reason_label == "Tanpa tanda tangan atau kop surat"


def test_a_refused_decision_keeps_each_items_chosen_reason(report, client_for, evaluator_kaltim):
    # given round one, where the evaluator rejects two items and leaves the rest undecided
    items = [req.pk for block in review_blocks(report) for req in block.requirements]
    first, second = items[:2]
    data = {
        "putaran": 1,
        "kembalikan": "1",
        f"keputusan-{first}": "rejected",
        f"alasan-{first}": "tanpa_ttd",
        f"keputusan-{second}": "rejected",
        f"alasan-{second}": "salah_periode",
    }

    # when the screen refuses the incomplete decision
    response = client_for(evaluator_kaltim).post(
        reverse("evaluation:review", args=[report.pk]), data
    )

    # then each rejected item shows its own reason selected, and only that one
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('<option value="tanpa_ttd" selected>') == 1
    assert body.count('<option value="salah_periode" selected>') == 1
    assert body.count('<option value="tanpa_ttd">') == len(items) - 1


@pytest.mark.parametrize("shared_cache", [True, False])
@pytest.mark.parametrize("scene", [None, "shared_file", "shared_with_surabaya"])
def test_marking_duplicates_costs_one_query_when_nothing_is_shared_and_two_when_found(
    request,
    settings,
    shared_cache,
    scene,
    draft,
    actions,
    evaluator_kaltim,
    officer_balikpapan,
    django_assert_num_queries,
):
    # given Balikpapan's files: sent nowhere else, also sent in scope, or also sent out of it
    if scene:
        request.getfixturevalue(scene)
    else:
        requirement = duplicate_scenes.requirement_of(actions[0], draft.period)
        content = duplicate_scenes.make_pdf("SK hanya milik Balikpapan")
        duplicate_scenes.upload_to(draft, requirement, "SK.pdf", content, by=officer_balikpapan)
    files = evidence_files(draft)
    if shared_cache:
        # The portal's setting: the periods are named from the cycles every page keeps there.
        settings.CACHE_URL = "redis://shared.example"
        cycles_with_periods()

    # when the review screen marks them, then one query finds that nothing is shared, or two
    # answer where, named or hinted (and without a shared cache, one more names the periods of
    # what it found)
    expected = 1 if not scene else (2 if shared_cache else 3)
    with django_assert_num_queries(expected):
        mark_duplicates(draft, files, viewer=evaluator_kaltim)
    flagged = [row["duplicates"] for rows in files.values() for row in rows if row["duplicates"]]
    assert len(flagged) == (1 if scene else 0)


@pytest.mark.parametrize("removed", [False, True])
def test_a_file_held_only_by_an_unsent_draft_or_taken_back_is_not_flagged(
    removed, draft, actions, samarinda, evaluator_kaltim, officer_balikpapan, officer_samarinda
):
    # given Balikpapan's SK and the same bytes in Samarinda's report, which Samarinda has
    # not sent yet (or has sent, after taking the file back)
    content = duplicate_scenes.make_pdf("SK yang belum dikirim Samarinda")
    requirement = duplicate_scenes.requirement_of(actions[0], draft.period)
    duplicate_scenes.upload_to(draft, requirement, "SK.pdf", content, by=officer_balikpapan)
    theirs = duplicate_scenes.start_report(samarinda, draft.period, by=officer_samarinda)
    copy = duplicate_scenes.upload_to(
        theirs, requirement, "SK Samarinda.pdf", content, by=officer_samarinda
    )
    if removed:
        duplicate_scenes.mark_sent(theirs)
        Evidence.objects.filter(pk=copy.pk).update(removed_at=timezone.now())

    # when the review screen marks Balikpapan's files, then none is flagged
    assert flags_shown(draft, evaluator_kaltim) == {}

    # and once Samarinda sends the file, it is
    if not removed:
        duplicate_scenes.mark_sent(theirs)
        assert list(flags_shown(draft, evaluator_kaltim).values()) == [
            "Kota Samarinda \u2013 Triwulan III 2025"
        ]
