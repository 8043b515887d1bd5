"""Reporting rates (DHIS2 definitions) and a region's place in the annual ranking."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Region
from demo.story import ensure_cycle
from evaluation import recaps, scoring
from evaluation.models import Score, ScoreStamp
from evaluation.rankings import cycle_ranking
from reporting.models import (
    Action,
    ActionMeasure,
    Assignment,
    Extension,
    Report,
    ReportStatus,
    TargetGroup,
)

WITA = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def cycle(kanwil_kaltim):
    """The demo's 2025 cycle without reports: 17 Kaltim regions, seven actions each."""
    return ensure_cycle(2025, list(Region.objects.of_kanwil(kanwil_kaltim)))


def period(cycle, code):
    return cycle.periods.get(code=code)


def report(code, period, when=None, status=ReportStatus.SUBMITTED):
    return Report.objects.create(
        region=Region.objects.get(code=code),
        period=period,
        status=status if when else ReportStatus.DRAFT,
        first_submitted_at=when,
        last_submitted_at=when,
    )


def wita(day, hour, minute=0, month=10):
    return datetime.datetime(2025, month, day, hour, minute, tzinfo=WITA)


# --- rates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(16, 17, "94.1"), (2, 3, "66.7"), (1, 16, "6.3"), (0, 5, "0.0"), (5, 5, "100.0")],
)
def test_rates_are_percentages_rounded_half_up_to_one_decimal(part, whole, expected):
    assert recaps.rate(part, whole) == Decimal(expected)


def test_a_rate_with_nothing_expected_is_none():
    assert recaps.rate(0, 0) is None


@pytest.mark.django_db
def test_on_time_is_judged_in_each_regions_local_time(cycle, admin_user):
    # given: TW3 2025 is due on 10 October (end of day, local time) and closes on 31 October
    tw3 = period(cycle, "TW3")
    report("64.71", tw3, wita(10, 23, 30), ReportStatus.VERIFIED)  # T1: on time
    report("64.72", tw3, wita(11, 0, 30))  # half an hour late in WITA (16.30 UTC on the 10th)
    report("64.74", tw3, wita(13, 9), ReportStatus.RETURNED)  # late, but within an extension
    Extension.objects.create(
        region=Region.objects.get(code="64.74"),
        period=tw3,
        due_on=datetime.date(2025, 10, 15),
        reason="Banjir",
        granted_by=admin_user,
    )
    report("64.01", tw3)  # a draft: not submitted
    report("64.03", tw3, wita(5, 9, month=11))  # after the close, without an extension

    # when
    (rates,) = [r for r in recaps.period_rates(cycle) if r.period == tw3]

    # then
    counts = rates.counts
    assert (counts.expected, counts.submitted, counts.on_time) == (17, 3, 2)
    assert (counts.awaiting, counts.returned, counts.verified) == (2, 1, 1)
    assert counts.reporting_rate == Decimal("17.6")
    assert counts.on_time_rate == Decimal("11.8")
    assert rates.due is True


@pytest.mark.django_db
def test_only_assigned_regions_with_a_measure_in_the_period_are_expected(cycle, kanwil_jatim):
    # given: Surabaya assigned one extra action that asks something in TW1 only
    action = Action.objects.create(
        cycle=cycle,
        number=8,
        title="Aksi uji",
        target_group=TargetGroup.ANAK,
        success_criterion="Uji",
    )
    ActionMeasure.objects.create(action=action, period=period(cycle, "TW1"), measure="Uji")
    surabaya = Region.objects.get(code="35.78")
    Assignment.objects.create(action=action, region=surabaya)
    # and a report of a region nobody assigned anything
    report("35.01", period(cycle, "TW1"), wita(2, 9, month=4))

    # when
    by_period = {r.period.code: r.counts.expected for r in recaps.period_rates(cycle)}
    jatim = recaps.kanwil_recap(list(cycle.periods.all()), kanwil=kanwil_jatim)

    # then
    assert by_period == {"TW1": 18, "TW2": 17, "TW3": 17, "TW4": 17}
    (row,) = jatim.rows
    assert (row.kanwil, row.regions, row.counts.expected, row.counts.submitted) == (
        kanwil_jatim,
        39,
        1,
        0,
    )


@pytest.mark.django_db
def test_kanwil_recap_gives_each_kanwil_and_the_national_total(cycle, kanwil_jatim):
    # given
    tw1, tw2 = period(cycle, "TW1"), period(cycle, "TW2")
    report("64.71", tw1, wita(2, 9, month=4), ReportStatus.VERIFIED)
    report("64.71", tw2, wita(20, 9, month=7), ReportStatus.VERIFIED)  # late: due 10 July
    report("64.72", tw1, wita(9, 9, month=4), ReportStatus.RETURNED)

    # when
    recap = recaps.kanwil_recap([tw1, tw2])

    # then: Kanwil rows by name, then the regions no Kanwil covers
    names = [row.kanwil.code if row.kanwil else None for row in recap.rows]
    assert names == ["jatim", "kaltim", None]
    kaltim = recap.rows[1]
    assert (kaltim.counts.expected, kaltim.counts.submitted, kaltim.counts.on_time) == (34, 3, 2)
    assert (kaltim.counts.reporting_rate, kaltim.counts.on_time_rate) == (
        Decimal("8.8"),
        Decimal("5.9"),
    )
    assert recap.rows[2].regions == Region.objects.count() - 17 - 39
    assert recap.total.regions == Region.objects.count()
    assert recap.total.counts.expected == 34
    assert recap.total.counts.verified == 2
    assert recap.total.counts.returned == 1


@pytest.mark.django_db
def test_due_periods_are_those_past_their_due_date(cycle):
    assert [p.code for p in recaps.due_periods(cycle, datetime.date(2025, 10, 11))] == [
        "TW1",
        "TW2",
        "TW3",
    ]
    assert [p.code for p in recaps.due_periods(cycle, datetime.date(2025, 10, 10))] == [
        "TW1",
        "TW2",
    ]


def _fill(cycle, codes):
    for code in codes:
        for p in cycle.periods.all():
            report(code, p, datetime.datetime(p.due_on.year, p.due_on.month, 1, 9, tzinfo=WITA))


@pytest.mark.django_db
def test_rates_take_the_same_number_of_queries_for_more_regions(cycle, kanwil_kaltim, kanwil_jatim):
    # given
    codes = [region.code for region in Region.objects.of_kanwil(kanwil_kaltim)]
    _fill(cycle, codes[:3])
    periods = list(cycle.periods.all())
    cache.clear()  # the period rates are cached per score version: measure their computation
    with CaptureQueriesContext(connection) as small:
        recaps.kanwil_recap(periods)
        recaps.period_rates(cycle)

    # when
    _fill(cycle, codes[3:])
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        recap = recaps.kanwil_recap(periods)
        recaps.period_rates(cycle)
    with CaptureQueriesContext(connection) as again:
        recaps.period_rates(cycle)

    # then: the versions are read besides the four queries; a repeat reads the versions and
    # the cycle's periods only
    assert recap.total.counts.submitted == 17 * 4
    assert len(large.captured_queries) == len(small.captured_queries) == 5 + 1 + 4
    assert len(again.captured_queries) == 2


# --- a region's place -------------------------------------------------------------------------


def give_final(code, cycle, c):
    """Scores in every period of the cycle with the given C (T = R = 100)."""
    region = Region.objects.get(code=code)
    for p in cycle.periods.all():
        Score.objects.create(
            region=region,
            period=p,
            completeness=Decimal(c),
            timeliness=Decimal(100),
            responsiveness=Decimal(100),
            final=scoring.final_score(
                completeness=Decimal(c), timeliness=Decimal(100), responsiveness=Decimal(100)
            ),
            submitted=True,
            on_time=True,
        )


@pytest.mark.django_db
def test_region_positions_in_its_kanwil_and_nationally(cycle, kanwil_kaltim, kanwil_jatim):
    # given: Surabaya (Jawa Timur) best nationally, then Samarinda, Balikpapan, Bontang
    for code, c in [("35.78", 100), ("64.72", 90), ("64.71", 80), ("64.74", 70)]:
        give_final(code, cycle, c)
    balikpapan = Region.objects.get(code="64.71")

    # when
    positions = recaps.region_positions(balikpapan, cycle)

    # then: the same places as the two rankings give
    in_kanwil = cycle_ranking(cycle, kanwil_kaltim)
    national = cycle_ranking(cycle)
    assert positions.national == 3 == next(r.position for r in national if r.region == balikpapan)
    assert positions.national_of == 4
    assert positions.in_kanwil == 2 == next(r.position for r in in_kanwil if r.region == balikpapan)
    assert positions.in_kanwil_of == 3
    assert positions.kanwil == kanwil_kaltim
    assert positions.final == Decimal("90.00")
    assert positions.periods == 4


@pytest.mark.django_db
def test_an_unranked_region_has_no_position(cycle):
    give_final("64.72", cycle, 90)

    assert recaps.region_positions(Region.objects.get(code="64.71"), cycle) is None


@pytest.mark.django_db
def test_a_region_outside_any_kanwil_has_only_a_national_position(cycle):
    # given: Surabaya, with no Kanwil set up for Jawa Timur
    give_final("35.78", cycle, 80)
    give_final("64.71", cycle, 90)

    # when
    positions = recaps.region_positions(Region.objects.get(code="35.78"), cycle)

    # then
    assert (positions.national, positions.national_of) == (2, 2)
    assert (positions.kanwil, positions.in_kanwil, positions.in_kanwil_of) == (None, None, None)


@pytest.mark.django_db
def test_region_positions_take_four_queries_whatever_the_number_of_regions(
    cycle, kanwil_kaltim, django_assert_num_queries
):
    # given: scores as a recomputation leaves them (which bumps the cycle's score version)
    codes = [r.code for r in Region.objects.of_kanwil(kanwil_kaltim)]
    for index, code in enumerate(codes[:4]):
        give_final(code, cycle, 60 + index)
    balikpapan = Region.objects.get(code="64.71")
    give_final("64.71", cycle, 99)
    ScoreStamp.bump(cycle)
    # the versions, the periods, the scores and their regions
    with django_assert_num_queries(4):
        small = recaps.region_positions(balikpapan, cycle)

    # when
    for index, code in enumerate(codes[4:]):
        if code != "64.71":
            give_final(code, cycle, 70 + index)
    ScoreStamp.bump(cycle)
    with django_assert_num_queries(4):
        large = recaps.region_positions(balikpapan, cycle)
    # and again with nothing recomputed: only the version is read, the rest is cached
    with django_assert_num_queries(1):
        again = recaps.region_positions(balikpapan, cycle)

    # then
    assert again == large
    assert (small.in_kanwil, small.in_kanwil_of) == (1, 5)
    assert (large.in_kanwil, large.in_kanwil_of) == (1, 17)
