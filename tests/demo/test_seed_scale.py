import io
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.days import ministry_today
from accounts.models import Kanwil, KanwilProvince, Region
from demo.scale import SHARED_EVIDENCE_NAME, select_regions
from evaluation.models import Decision, ItemDecision, Review, ReviewOutcome, Score
from evaluation.scorecards import explain
from reporting.models import (
    Assignment,
    EventKind,
    Evidence,
    Period,
    Report,
    ReportEvent,
    ReportingCycle,
    ReportStatus,
    ReportVersion,
    RevisionRequest,
)
from reporting.requirements import report_requirements
from reporting.services import missing_items


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def seed(**options):
    out = io.StringIO()
    call_command("seed_scale", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def tiny(regions):
    """Three regions, two cycles: small enough for a test, big enough for every state."""
    seed(regions=3, cycles=2, current=False)
    return ReportingCycle.objects.order_by("year")


SUBMISSIONS = (EventKind.SUBMITTED, EventKind.RESUBMITTED)


@pytest.mark.django_db
def test_every_report_has_the_events_and_versions_its_status_implies(tiny):
    reports = Report.objects.select_related("region", "period")
    assert set(reports.values_list("status", flat=True)) >= {"verified", "submitted"}
    assert ReportVersion.objects.filter(number=2).exists()  # revision rounds too
    for report in reports:
        events = list(report.events.order_by("created_at", "pk"))
        versions = list(report.versions.order_by("number"))
        submissions = [e for e in events if e.kind in SUBMISSIONS]

        assert events[0].kind == EventKind.CREATED and events[0].from_status == ""
        assert all(later.from_status == earlier.to_status for earlier, later in pairwise(events))
        assert all(earlier.created_at <= later.created_at for earlier, later in pairwise(events))
        assert events[-1].to_status == report.status
        assert [v.number for v in versions] == list(range(1, len(submissions) + 1))
        assert [v.submitted_at for v in versions] == [e.created_at for e in submissions]
        assert report.first_submitted_at == (versions[0].submitted_at if versions else None)
        assert report.last_submitted_at == (versions[-1].submitted_at if versions else None)
        assert (report.verified_at is not None) == (report.status == ReportStatus.VERIFIED)
        zone, closes_on = report.region.zone, report.period.closes_on
        assert all(v.submitted_at.astimezone(zone).date() <= closes_on for v in versions)


@pytest.mark.django_db
def test_returns_are_revision_requests_answered_by_the_next_version(tiny):
    for report in Report.objects.all():
        returns = list(report.events.filter(kind=EventKind.RETURNED).order_by("created_at"))
        requests = list(report.revision_requests.order_by("returned_at"))
        versions = {v.number: v for v in report.versions.all()}

        assert [r.returned_at for r in requests] == [e.created_at for e in returns]
        for request in requests:
            following = versions.get(request.round + 1)
            assert request.answered_at == (following.submitted_at if following else None)
            assert request.items.count() >= 1
        unanswered = [r for r in requests if r.answered_at is None]
        assert len(unanswered) == (report.status == ReportStatus.RETURNED)


@pytest.mark.django_db
def test_every_decided_review_judges_every_required_item(tiny):
    for report in Report.objects.exclude(status=ReportStatus.DRAFT).select_related(
        "region", "period"
    ):
        required = {
            req.pk
            for block in report_requirements(report.region, report.period)
            for req in block.requirements
        }
        reviews = list(report.reviews.order_by("round"))
        decided = report.events.filter(kind__in=[EventKind.RETURNED, EventKind.VERIFIED])
        assert [r.round for r in reviews] == list(range(1, len(reviews) + 1))
        assert len(reviews) == decided.count()
        for review in reviews:
            decisions = list(review.decisions.all())
            assert {d.requirement_id for d in decisions} == required
            rejected = [d for d in decisions if d.decision == Decision.REJECTED]
            assert all(d.reason for d in rejected)
            if review.outcome == ReviewOutcome.RETURNED:
                request = report.revision_requests.get(round=review.round)
                assert {i.requirement_id for i in request.items.all()} == {
                    d.requirement_id for d in rejected
                }
        # A sent report holds a file for every required item, as submit_report demands.
        assert missing_items(report) == []


@pytest.mark.django_db
def test_each_version_lists_the_files_sent_in_its_round(tiny):
    for report in Report.objects.exclude(status=ReportStatus.DRAFT):
        files = {e.pk: e for e in report.evidence.all()}
        versions = list(report.versions.order_by("number"))
        for version in versions:
            listed = {item["id"] for item in version.content["evidence"]}
            assert listed <= set(files)
            assert all(files[pk].uploaded_at <= version.submitted_at for pk in listed)
        if report.status in (ReportStatus.SUBMITTED, ReportStatus.VERIFIED):
            current = {pk for pk, e in files.items() if e.removed_at is None}
            assert {item["id"] for item in versions[-1].content["evidence"]} == current


@pytest.mark.django_db
def test_every_assigned_region_and_period_has_the_score_the_rules_give(tiny):
    pairs = {
        (region_id, period_id)
        for region_id, cycle_id in Assignment.objects.values_list("region_id", "action__cycle_id")
        for period_id in Period.objects.filter(cycle_id=cycle_id).values_list("pk", flat=True)
    }
    scores = {(s.region_id, s.period_id): s for s in Score.objects.select_related("region")}

    assert len(pairs) == 3 * 2 * 4
    assert set(scores) == pairs
    for (_region_id, period_id), score in scores.items():
        live = explain(score.region, Period.objects.get(pk=period_id)).result
        assert score.final == live.final
        assert (score.completeness, score.timeliness, score.responsiveness) == (
            live.completeness,
            live.timeliness,
            live.responsiveness,
        )


@pytest.mark.django_db
def test_every_kanwil_with_data_has_reports_waiting_in_the_newest_cycle_only(tiny):
    oldest, newest = tiny.first(), tiny.last()
    with_data = Kanwil.objects.filter(
        provinces__province__members__reports__period__cycle=newest
    ).distinct()

    assert with_data.exists()
    for kanwil in with_data:
        assert Report.objects.filter(
            period=newest.periods.last(),
            status=ReportStatus.SUBMITTED,
            region__province__kanwil_link__kanwil=kanwil,
        ).exists()
    assert not Report.objects.filter(period__cycle=oldest, status=ReportStatus.SUBMITTED).exists()


@pytest.mark.django_db
def test_evidence_shares_one_stored_file_but_not_its_hash(tiny, media_root):
    evidence = Evidence.objects.all()
    assert set(evidence.values_list("file", flat=True)) == {SHARED_EVIDENCE_NAME}
    assert (media_root / SHARED_EVIDENCE_NAME).read_bytes().startswith(b"%PDF")
    hashes = list(evidence.values_list("sha256", flat=True))
    # A few rows repeat last year's file on purpose (duplicate flags); most are unique.
    assert len(set(hashes)) >= 0.95 * len(hashes)


@pytest.mark.django_db
def test_twenty_kanwil_cover_the_38_provinces(regions):
    seed(regions=1, cycles=1)

    assert Kanwil.objects.count() == 20
    assert KanwilProvince.objects.count() == 38
    assert Region.objects.provinces().filter(kanwil_link__isnull=True).count() == 0
    kaltim = Kanwil.objects.get(code="kaltim")
    assert set(kaltim.provinces.values_list("province__code", flat=True)) == {"64", "65"}
    assert kaltim.name == "Kantor Wilayah Kementerian HAM Kalimantan Timur"
    assert set(Kanwil.objects.values_list("head_name", flat=True)) == {
        "Kepala Kantor Wilayah (contoh)"
    }


@pytest.mark.django_db
def test_a_tenth_is_every_tenth_region_by_code(regions):
    every = list(regions.order_by("code").values_list("code", flat=True))

    chosen = [r.code for r in select_regions(0.1)]

    assert chosen == every[::10]
    assert len(chosen) == 56


@pytest.mark.django_db
def test_running_again_adds_nothing(tiny):
    models = (Report, ReportVersion, ReportEvent, Evidence, RevisionRequest, Review, ItemDecision)
    before = [m.objects.count() for m in models] + [Score.objects.count()]

    seed(regions=3, cycles=2, current=False)

    assert [m.objects.count() for m in models] + [Score.objects.count()] == before


@pytest.mark.django_db
def test_the_current_cycle_is_a_round_in_progress_as_of_today(regions):
    seed(regions=40, cycles=1)

    today = ministry_today()
    cycle = ReportingCycle.objects.get(year=today.year)
    reports = Report.objects.filter(period__cycle=cycle)
    assert not reports.filter(period__opens_on__gt=today).exists()
    assert not ReportEvent.objects.filter(created_at__gt=timezone.now()).exists()
    assert not ReportVersion.objects.filter(submitted_at__gt=timezone.now()).exists()
    current = [p for p in cycle.periods.all() if p.opens_on <= today <= p.ends_on]
    for period in current:
        assert reports.filter(period=period, status=ReportStatus.DRAFT).exists()
    closed = [p for p in cycle.periods.all() if p.closes_on < today]
    for period in closed:
        assert reports.filter(period=period, status=ReportStatus.VERIFIED).count() >= 30
    for report in reports.exclude(status=ReportStatus.DRAFT):
        events = list(report.events.order_by("created_at", "pk"))
        assert events[-1].to_status == report.status
        assert report.versions.count() >= 1
