"""The cycles every page chooses from come from the shared cache and change with any edit."""

import datetime

import pytest
from django.core.cache import cache
from django.http import Http404

from accounts.cached import version
from reporting import cycles
from reporting.cycles import (
    CYCLES_CACHE_KEY,
    CYCLES_VERSION_KEY,
    cycles_with_periods,
    period_or_404,
)
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


@pytest.mark.django_db(transaction=True)
def test_a_period_is_read_from_the_cached_cycles(shared_cache, cycle, django_assert_num_queries):
    wanted = cycle.periods.get(code="TW3")
    cycles_with_periods()
    with django_assert_num_queries(0):
        period = period_or_404(wanted.pk)
        shown = str(period)  # the name carries the cycle's year
    assert period.pk == wanted.pk
    assert shown == str(wanted)


@pytest.mark.django_db(transaction=True)
def test_a_period_missing_from_the_cached_list_is_read_or_not_found(shared_cache, cycle):
    stale = cycles_with_periods()
    newer = ReportingCycle.objects.create(year=cycle.year + 1)
    generate_periods(newer)
    # As if the version had not moved (a cache that failed when the change committed).
    cache.set(CYCLES_CACHE_KEY, (version(CYCLES_VERSION_KEY), stale))
    cycles._kept.clear()
    assert cycles_with_periods() == stale
    period = newer.periods.first()
    assert period_or_404(period.pk).pk == period.pk
    with pytest.raises(Http404):
        period_or_404(period.pk + 1000)


@pytest.mark.django_db
def test_without_a_shared_cache_a_period_costs_one_query(cycle, django_assert_num_queries):
    wanted = cycle.periods.get(code="TW3")
    with django_assert_num_queries(1):
        assert str(period_or_404(wanted.pk)) == str(wanted)


@pytest.mark.django_db(transaction=True)
def test_each_process_keeps_its_copy_until_the_version_moves(shared_cache, cycle, admin_user):
    # given the cycles read once
    first = cycles_with_periods()

    # when they are read again, then this process's copy answers, not even unpickled
    assert cycles_with_periods() is first

    # and a list read by a request that raced a change is stored under the number of
    # before, which no later read asks for
    before = version(CYCLES_VERSION_KEY)
    period = cycle.periods.order_by("opens_on").first()
    new_close = period.closes_on + datetime.timedelta(days=5)
    change_period_dates(period, by=admin_user, closes_on=new_close)
    assert version(CYCLES_VERSION_KEY) != before
    cache.set(CYCLES_CACHE_KEY, (before, first))
    shown = cycles_with_periods()
    assert shown is not first
    assert (period.code, new_close) in periods_of(shown)[cycle.year]
