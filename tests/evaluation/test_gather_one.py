"""The score explanation reads one region's inputs for one period as the recomputation of the
whole cycle reads them: same items, decisions, requests and evidence, same score."""

import pytest

from evaluation.scorecards import gather, gather_one, holiday_dates, scoring_settings
from reporting.models import Extension, Period
from tests.evaluation import test_round_two as round_two_scenes
from tests.support import build_period

pytestmark = pytest.mark.django_db

report, round_two = round_two_scenes.report, round_two_scenes.round_two


def whole_cycle(region, period):
    found = [
        inputs
        for inputs in gather(period.cycle, periods=list(period.cycle.periods.all()))
        if inputs.region == region and inputs.period == period
    ]
    return found[0] if found else None


def test_a_returned_and_resubmitted_report_has_the_inputs_of_the_whole_cycle(round_two, admin_user):
    # given round two, with an extension of the deadline
    Extension.objects.create(
        region=round_two.region,
        period=round_two.period,
        due_on=round_two.period.due_on.replace(day=20),
        reason="Banjir",
        granted_by=admin_user,
    )
    period = Period.objects.select_related("cycle").get(pk=round_two.period_id)

    # when one pair is read
    one = gather_one(round_two.region, period)

    # then it equals the cycle's reading, and scores the same
    expected = whole_cycle(round_two.region, period)
    assert one == expected
    assert one.requests and one.extension_due and any(item.final for item in one.items)
    settings, holidays = scoring_settings(period.cycle), holiday_dates(period.cycle)
    assert one.score(settings, holidays) == expected.score(settings, holidays)


def test_a_region_without_a_report_or_an_assignment(balikpapan, samarinda, surabaya):
    # given two periods, the second with an action the first does not measure
    first = build_period([balikpapan, samarinda], actions=2, items_per_action=2)
    second = build_period([balikpapan], code="TW4", actions=3, items_per_action=1)

    # then each pair reads as in the whole cycle; a pair with nothing assigned has no inputs
    for period in (first, second):
        assert gather_one(balikpapan, period) == whole_cycle(balikpapan, period)
    assert gather_one(balikpapan, first).report is None
    assert len(gather_one(balikpapan, first).items) == 4
    assert gather_one(surabaya, first) is None
    assert gather_one(samarinda, second) == whole_cycle(samarinda, second)


def test_with_a_shared_cache_the_items_come_from_the_report_forms_entry(
    settings, balikpapan, samarinda, django_assert_num_queries
):
    # given the portal's shared cache, and a period whose items the report form already read
    settings.CACHE_URL = "redis://shared.example"
    period = build_period([balikpapan, samarinda], actions=3, items_per_action=2)
    gather_one(balikpapan, period)

    # when the pair is read again, then only its reports and extension are queried
    with django_assert_num_queries(2):
        one = gather_one(balikpapan, period)
    assert one == whole_cycle(balikpapan, period)
    assert [item.action_number for item in one.items] == [1, 1, 2, 2, 3, 3]
