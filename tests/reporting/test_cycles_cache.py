"""The cycles every page chooses from come from the shared cache and change with any edit."""

import datetime

import pytest

from reporting.cycles import cycles_with_periods
from reporting.models import Period, ReportingCycle
from reporting.services import change_period_dates, generate_periods


@pytest.fixture
def shared_cache(settings):
    # The cached path is taken only with a shared cache; the test's local one stands in.
    settings.CACHE_URL = "redis://shared.example"


def periods_of(cycles):
    return {c.year: [(p.code, p.closes_on) for p in c.periods.all()] for c in cycles}


@pytest.mark.django_db(transaction=True)
def test_a_second_read_costs_no_query(shared_cache, cycle, django_assert_num_queries):
    first = cycles_with_periods()
    with django_assert_num_queries(0):
        again = cycles_with_periods()
    assert periods_of(again) == periods_of(first)
    assert [c.year for c in again] == [cycle.year]


@pytest.mark.django_db(transaction=True)
def test_a_moved_period_is_seen_at_once(shared_cache, cycle, admin_user):
    cycles_with_periods()
    period = cycle.periods.order_by("opens_on").first()
    new_close = period.closes_on + datetime.timedelta(days=3)
    change_period_dates(period, by=admin_user, closes_on=new_close)
    shown = periods_of(cycles_with_periods())[cycle.year]
    assert (period.code, new_close) in shown


@pytest.mark.django_db(transaction=True)
def test_new_and_deleted_cycles_are_seen_at_once(shared_cache, cycle):
    cycles_with_periods()
    newer = ReportingCycle.objects.create(year=cycle.year + 1)
    generate_periods(newer)  # bulk_create: no post_save of its own
    assert [c.year for c in cycles_with_periods()] == [cycle.year + 1, cycle.year]
    Period.objects.filter(cycle=newer).delete()
    assert [c.year for c in cycles_with_periods()] == [cycle.year]
    newer.delete()
    assert [c.year for c in cycles_with_periods()] == [cycle.year]


@pytest.mark.django_db
def test_without_a_shared_cache_every_read_is_fresh(cycle, django_assert_num_queries):
    cycles_with_periods()
    with django_assert_num_queries(2):
        cycles_with_periods()
