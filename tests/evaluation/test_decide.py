"""Evaluators decide per item, then return or verify; the score follows the decisions."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from evaluation import presence
from evaluation.models import Decision, Review, Score
from evaluation.services import ItemChoice, decide, reopen
from reporting.models import ReportStatus
from reporting.services import ReportingError, submit_report
from tests.support import build_period, submitted_report

WITA = ZoneInfo("Asia/Makassar")


@pytest.fixture
def period(balikpapan, samarinda, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # Seven actions with two items each: the fourteen items of worked example C1.
    return build_period([balikpapan, samarinda], actions=7, items_per_action=2)


def all_items(report):
    from reporting.requirements import report_requirements

    return [r for b in report_requirements(report.region, report.period) for r in b.requirements]


def accept_all(report):
    return {r.pk: ItemChoice(Decision.ACCEPTED) for r in all_items(report)}


@pytest.mark.django_db
def test_worked_example_c1_through_the_database(
    period, balikpapan, officer_balikpapan, evaluator_kaltim
):
    report = submitted_report(
        balikpapan,
        period,
        officer_balikpapan,
        at=datetime.datetime(2025, 10, 10, 23, 30, tzinfo=WITA),
    )
    first_item = all_items(report)[0]
    decide(
        report,
        by=evaluator_kaltim,
        round=1,
        outcome="returned",
        choices=accept_all(report)
        | {first_item.pk: ItemChoice(Decision.REJECTED, "tanpa_ttd", "Belum ditandatangani")},
        now=datetime.datetime(2025, 10, 17, 10, 0, tzinfo=WITA),
    )
    report.refresh_from_db()
    submit_report(
        report, by=officer_balikpapan, now=datetime.datetime(2025, 10, 22, 16, 0, tzinfo=WITA)
    )

    decide(
        report,
        by=evaluator_kaltim,
        round=2,
        outcome="verified",
        choices=accept_all(report),
        now=datetime.datetime(2025, 10, 24, 9, 0, tzinfo=WITA),
    )

    score = Score.objects.get(region=balikpapan, period=period)
    assert (score.completeness, score.timeliness, score.responsiveness, score.final) == (
        Decimal("96.43"),
        Decimal("100.00"),
        Decimal("100.00"),
        Decimal("98.22"),
    )
    assert score.response_days == [3]
    assert score.provisional is False
    report.refresh_from_db()
    assert report.status == ReportStatus.VERIFIED


@pytest.mark.django_db
def test_every_item_needs_a_decision_and_nothing_is_recorded_without(
    period, balikpapan, officer_balikpapan, evaluator_kaltim
):
    report = submitted_report(
        balikpapan, period, officer_balikpapan, at=datetime.datetime(2025, 10, 9, 9, 0, tzinfo=WITA)
    )
    choices = accept_all(report)
    choices.pop(all_items(report)[-1].pk)

    with pytest.raises(ReportingError, match="Aksi 7 – Dokumen 7.2: belum diputuskan"):
        decide(report, by=evaluator_kaltim, round=1, outcome="verified", choices=choices)

    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert not Review.objects.filter(report=report).exists()


@pytest.mark.django_db
def test_the_first_decision_records_who_reviewed_and_when_they_began(
    period, balikpapan, officer_balikpapan, evaluator_kaltim
):
    report = submitted_report(
        balikpapan, period, officer_balikpapan, at=datetime.datetime(2025, 10, 9, 9, 0, tzinfo=WITA)
    )
    opened = datetime.datetime(2025, 10, 13, 8, 30, tzinfo=WITA)
    decided = datetime.datetime(2025, 10, 13, 9, 0, tzinfo=WITA)
    presence.note_open(report, round=1, user=evaluator_kaltim, now=opened)

    decide(
        report,
        by=evaluator_kaltim,
        round=1,
        outcome="verified",
        choices=accept_all(report),
        now=decided,
    )

    review = Review.objects.get(report=report, round=1)
    assert (review.opened_by, review.opened_at, review.decided_by, review.decided_at) == (
        evaluator_kaltim,
        opened,
        evaluator_kaltim,
        decided,
    )


@pytest.mark.django_db
def test_a_review_begun_by_someone_else_counts_from_the_decision(
    period, balikpapan, officer_balikpapan, evaluator_kaltim, admin_user
):
    report = submitted_report(
        balikpapan, period, officer_balikpapan, at=datetime.datetime(2025, 10, 9, 9, 0, tzinfo=WITA)
    )
    decided = datetime.datetime(2025, 10, 13, 9, 0, tzinfo=WITA)
    presence.note_open(
        report, round=1, user=admin_user, now=datetime.datetime(2025, 10, 13, 8, 0, tzinfo=WITA)
    )

    decide(
        report,
        by=evaluator_kaltim,
        round=1,
        outcome="verified",
        choices=accept_all(report),
        now=decided,
    )

    review = Review.objects.get(report=report, round=1)
    assert (review.opened_by, review.opened_at) == (evaluator_kaltim, decided)


@pytest.mark.django_db
def test_a_decision_ends_the_notice_that_the_report_is_open(
    period,
    balikpapan,
    officer_balikpapan,
    evaluator_kaltim,
    admin_user,
    django_capture_on_commit_callbacks,
):
    report = submitted_report(
        balikpapan, period, officer_balikpapan, at=datetime.datetime(2025, 10, 9, 9, 0, tzinfo=WITA)
    )
    presence.note_open(report, round=1, user=admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        decide(report, by=evaluator_kaltim, round=1, outcome="verified", choices=accept_all(report))

    assert presence.opened_since(report, round=1, user=admin_user) is None


@pytest.mark.django_db
def test_a_rejection_needs_a_reason_code(period, balikpapan, officer_balikpapan, evaluator_kaltim):
    report = submitted_report(
        balikpapan, period, officer_balikpapan, at=datetime.datetime(2025, 10, 9, 9, 0, tzinfo=WITA)
    )
    item = all_items(report)[0]

    with pytest.raises(ReportingError, match="alasan penolakan"):
        decide(
            report,
            by=evaluator_kaltim,
            round=1,
            outcome="returned",
            choices=accept_all(report) | {item.pk: ItemChoice(Decision.REJECTED, "")},
        )

    assert report.status == ReportStatus.SUBMITTED


@pytest.mark.django_db
def test_second_evaluator_deciding_the_same_round_is_told_and_changes_nothing(
    period, balikpapan, officer_balikpapan, evaluator_kaltim, admin_user
):
    report = submitted_report(
        balikpapan, period, officer_balikpapan, at=datetime.datetime(2025, 10, 9, 9, 0, tzinfo=WITA)
    )
    decide(report, by=evaluator_kaltim, round=1, outcome="verified", choices=accept_all(report))

    with pytest.raises(ReportingError, match="sudah diputuskan oleh Verifikator Kaltim"):
        decide(
            report,
            by=admin_user,
            round=1,
            outcome="returned",
            choices=accept_all(report),
            note="Perbaiki",
        )

    report.refresh_from_db()
    assert report.status == ReportStatus.VERIFIED
    assert Review.objects.get(report=report, round=1).decided_by == evaluator_kaltim


@pytest.mark.django_db
def test_reopening_a_verified_report_returns_it_and_recomputes(
    period, balikpapan, officer_balikpapan, evaluator_kaltim
):
    report = submitted_report(
        balikpapan, period, officer_balikpapan, at=datetime.datetime(2025, 10, 9, 9, 0, tzinfo=WITA)
    )
    decide(
        report,
        by=evaluator_kaltim,
        round=1,
        outcome="verified",
        choices=accept_all(report),
        now=datetime.datetime(2025, 10, 13, 9, 0, tzinfo=WITA),
    )
    assert Score.objects.get(region=balikpapan, period=period).provisional is False

    with pytest.raises(ReportingError, match="Alasan"):
        reopen(report, by=evaluator_kaltim, reason="  ")
    reopen(
        report,
        by=evaluator_kaltim,
        reason="SK ternyata milik tahun lalu.",
        now=datetime.datetime(2025, 10, 20, 9, 0, tzinfo=WITA),
    )

    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert report.events.last().reason == "SK ternyata milik tahun lalu."
    assert Score.objects.get(region=balikpapan, period=period).provisional is True


@pytest.mark.django_db
def test_a_region_that_never_submitted_scores_zero(
    period, balikpapan, samarinda, officer_balikpapan, evaluator_kaltim
):
    from evaluation.scorecards import recompute_cycle

    submitted_report(
        balikpapan, period, officer_balikpapan, at=datetime.datetime(2025, 10, 9, 9, 0, tzinfo=WITA)
    )

    recompute_cycle(period.cycle)

    silent = Score.objects.get(region=samarinda, period=period)
    assert (silent.final, silent.submitted, silent.report) == (Decimal("0.00"), False, None)
    assert Score.objects.get(region=balikpapan, period=period).provisional is True
