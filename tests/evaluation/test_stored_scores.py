"""The Score rows a national recomputation stores are, figure for figure, what the rules give
each region and period read on its own (the explanation page's reading), on a seeded data set
with every state: late, on time, extended, returned, answered over a holiday, not sent."""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from accounts.models import Holiday, HolidayCategory, Region
from evaluation.models import Score
from evaluation.scorecards import STORED_FIELDS, explain, recompute_cycle, recompute_report
from reporting.models import (
    Extension,
    Period,
    Report,
    ReportingCycle,
    ReportStatus,
    RevisionRequest,
    end_of_local_day,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def seeded(regions, admin_user):
    """Three regions, two cycles, plus an extension that makes a late report on time and a
    holiday inside an answered revision request; scores computed as the seeding left them."""
    call_command("seed_scale", regions=3, cycles=2, current=False, stdout=io.StringIO())
    late = next(
        report
        for report in Report.objects.filter(first_submitted_at__isnull=False).select_related(
            "region", "period"
        )
        if report.first_submitted_at.astimezone(report.region.zone).date() > report.period.due_on
    )
    Extension.objects.create(
        region=late.region,
        period=late.period,
        due_on=late.first_submitted_at.astimezone(late.region.zone).date(),
        reason="Banjir",
        granted_by=admin_user,
    )
    answered = (
        RevisionRequest.objects.filter(answered_at__isnull=False)
        .select_related("report__region")
        .order_by("pk")
    )
    request = next(r for r in answered if _weekdays_between(r))
    Holiday.objects.get_or_create(
        date=_weekdays_between(request)[0],
        defaults={"name": "Libur uji", "category": HolidayCategory.OTHER},
    )
    return SimpleNamespace(
        cycles=ReportingCycle.objects.order_by("year"),
        extended=(late.region, late.period),
        over_holiday=(request.report.region, request.report.period),
    )


def _weekdays_between(request):
    zone = request.report.region.zone
    day = request.returned_at.astimezone(zone).date()
    last = request.answered_at.astimezone(zone).date()
    days = []
    while day < last:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


def stored_rows():
    """{(region id, period id): (figures..., computed_at)} of every Score row."""
    return {
        (row[0], row[1]): row[2:]
        for row in Score.objects.values_list(
            "region_id", "period_id", *STORED_FIELDS, "computed_at"
        )
    }


def figures_explained(region, period):
    """The stored figures of one pair, from its explanation and the definitions of DESIGN 5."""
    x = explain(region, period)
    report = Report.objects.filter(region=region, period=period).first()
    submitted = report is not None and report.first_submitted_at is not None
    due_on = x.inputs.extension_due or period.due_on
    requests = x.result.responsiveness_detail.requests if x.result.responsiveness_detail else ()
    return (
        report.pk if report else None,
        x.result.completeness,
        x.result.timeliness,
        x.result.responsiveness,
        x.result.final,
        x.result.submitted_by_close,
        x.result.timeliness_detail.on_time,
        report.first_submitted_at - end_of_local_day(due_on, region.zone) if submitted else None,
        [r.w for r in requests if r.working_days is not None],
        report is not None
        and (
            report.status in (ReportStatus.SUBMITTED, ReportStatus.RETURNED)
            or (submitted and any(item.final is None for item in x.inputs.items))
        ),
    )


def test_every_stored_score_is_what_the_rules_give_the_pair_on_its_own(seeded):
    # when every cycle is recomputed
    for cycle in seeded.cycles:
        recompute_cycle(cycle)

    # then every stored figure equals the pair's own reading, exactly
    rows = stored_rows()
    assert len(rows) == 3 * 2 * 4
    assert Score.objects.filter(provisional=True).exists()
    assert Score.objects.filter(submitted=False).exists()
    assert any(row[8] for row in rows.values())  # answered revision requests
    regions = Region.objects.in_bulk()
    for (region_id, period_id), row in rows.items():
        period = Period.objects.select_related("cycle").get(pk=period_id)
        expected = figures_explained(regions[region_id], period)
        assert row[:-1] == expected
        # The stored decimals carry two places, as the explanation shows them.
        assert [str(value) for value in row[1:5]] == [str(value) for value in expected[1:5]]
    # ...including the extended deadline and the holiday passed over
    region, period = seeded.extended
    assert rows[region.pk, period.pk][6] is True
    region, period = seeded.over_holiday
    assert explain(region, period).holidays_skipped


def test_a_second_recomputation_rewrites_no_row(seeded):
    # given
    for cycle in seeded.cycles:
        recompute_cycle(cycle)
    before = stored_rows()

    # when
    for cycle in seeded.cycles:
        recompute_cycle(cycle)

    # then: not even computed_at moved
    assert stored_rows() == before


def test_narrow_recomputations_store_the_rows_of_the_whole_cycle(seeded):
    # given the rows of whole-cycle recomputations
    for cycle in seeded.cycles:
        recompute_cycle(cycle)
    whole = {key: row[:-1] for key, row in stored_rows().items()}

    # when the scores are rebuilt one report, one region or one period at a time
    Score.objects.all().delete()
    for report in Report.objects.select_related("region", "period__cycle"):
        recompute_report(report)
    regions = list(Region.objects.filter(pk__in={region_id for region_id, _ in whole}))
    for cycle in seeded.cycles:
        for period in cycle.periods.all():
            recompute_cycle(cycle, periods=[period], regions=regions[:1])
        recompute_cycle(cycle, regions=regions[1:])

    # then they are the same rows
    assert {key: row[:-1] for key, row in stored_rows().items()} == whole
