"""Business dates follow the zone they concern: the ministry's (WIB) or the region's own."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from accounts.days import ministry_today, region_today, zone_abbreviation
from evaluation.rankings import closed_periods
from evaluation.recaps import due_periods
from tests.support import build_period

UTC = datetime.UTC


def test_at_half_past_midnight_wib_the_ministry_is_already_on_the_next_day():
    # given 30 November 2026, 00.30 WIB: still the 29th in UTC, the server's zone
    moment = datetime.datetime(2026, 11, 29, 17, 30, tzinfo=UTC)

    with time_machine.travel(moment, tick=False):
        # then
        assert timezone.now().date() == datetime.date(2026, 11, 29)
        assert ministry_today() == datetime.date(2026, 11, 30)


@pytest.mark.django_db
def test_at_half_past_eleven_wit_a_papuan_region_is_still_on_its_own_day(regions):
    # given Kota Jayapura (WIT) at 23.30 on 30 November 2026: 21.30 WIB, 14.30 UTC
    jayapura = regions.get(code="91.71")
    moment = datetime.datetime(2026, 11, 30, 14, 30, tzinfo=UTC)

    # then its day is the 30th; an hour later (00.30 WIT) it is 1 December there
    assert region_today(jayapura, moment) == datetime.date(2026, 11, 30)
    assert jayapura.today(moment + datetime.timedelta(hours=1)) == datetime.date(2026, 12, 1)
    assert ministry_today(moment + datetime.timedelta(hours=1)) == datetime.date(2026, 11, 30)


@pytest.mark.django_db
def test_a_period_counts_as_closed_from_half_past_midnight_wib(regions):
    # given a period that closes on 31 October 2025
    period = build_period([regions.get(code="64.71")], closes_on=datetime.date(2025, 10, 31))
    cycle = period.cycle

    # when the ministry's clock shows 1 November 00.30 WIB (31 October 17.30 UTC)
    with time_machine.travel(datetime.datetime(2025, 10, 31, 17, 30, tzinfo=UTC), tick=False):
        closed = closed_periods(cycle)
        due = due_periods(cycle)

    # then the period is closed and due already, though the server's UTC date is the 31st
    assert closed == [period]
    assert due == [period]

    # and at 23.30 WIB on the 31st it is not closed yet
    with time_machine.travel(datetime.datetime(2025, 10, 31, 16, 30, tzinfo=UTC), tick=False):
        assert closed_periods(cycle) == []


def test_zone_abbreviations_name_indonesias_three_zones():
    assert [
        zone_abbreviation(name)
        for name in ("Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura")
    ] == ["WIB", "WIB", "WITA", "WIT"]
