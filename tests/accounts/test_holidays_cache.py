"""Days off from the shared cache: read once, and read again after every kind of write."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.holidays import holiday_names
from accounts.models import Holiday, HolidayCategory
from accounts.services import delete_holiday, save_holiday
from evaluation.scorecards import explain
from tests.reporting.scenes import returned_and_answered

pytestmark = pytest.mark.django_db

WEDNESDAY = datetime.date(2025, 10, 15)  # between Samarinda's return and its answer
CHRISTMAS = datetime.date(2025, 12, 25)


@pytest.fixture
def shared_cache(settings):
    # Only the setting's presence matters: the tests' cache stands for the shared one.
    settings.CACHE_URL = "redis://cache.example/1"


@pytest.fixture
def period(balikpapan, samarinda, officer_balikpapan, officer_samarinda, evaluator_kaltim):
    return returned_and_answered(
        balikpapan, samarinda, officer_balikpapan, officer_samarinda, evaluator_kaltim
    )


def holiday_queries(captured):
    return [q["sql"] for q in captured.captured_queries if "accounts_holiday" in q["sql"]]


def test_the_explanation_reads_the_days_off_once_then_from_the_cache(
    shared_cache, period, samarinda, admin_user, django_capture_on_commit_callbacks
):
    # given the days read once
    explain(samarinda, period)

    # when the explanation is read again, then no query reads a holiday
    with CaptureQueriesContext(connection) as captured:
        x = explain(samarinda, period)
    assert holiday_queries(captured) == []
    assert (x.result.responsiveness, x.holidays_skipped) == (60, [])

    # and an admin's new holiday is counted, with its name, as soon as it commits
    with django_capture_on_commit_callbacks(execute=True):
        save_holiday(Holiday(date=WEDNESDAY, name="Libur daerah", category="other"), by=admin_user)
    x = explain(samarinda, period)
    assert (x.result.responsiveness, x.holidays_skipped) == (80, [(WEDNESDAY, "Libur daerah")])

    # and its removal as well
    with django_capture_on_commit_callbacks(execute=True):
        delete_holiday(Holiday.objects.get(date=WEDNESDAY), by=admin_user)
    assert explain(samarinda, period).result.responsiveness == 60


def write(kind):
    if kind == "save":
        Holiday.objects.create(date=CHRISTMAS, name="Natal", category=HolidayCategory.PUBLIC)
    elif kind == "bulk_create":
        Holiday.objects.bulk_create(
            [Holiday(date=CHRISTMAS, name="Natal", category=HolidayCategory.PUBLIC)]
        )
    elif kind == "update":
        Holiday.objects.filter(date=WEDNESDAY).update(date=CHRISTMAS, name="Natal")
    elif kind == "bulk_update":
        row = Holiday.objects.get(date=WEDNESDAY)
        row.date, row.name = CHRISTMAS, "Natal"
        Holiday.objects.bulk_update([row], ["date", "name"])
    elif kind == "delete":
        Holiday.objects.filter(date=WEDNESDAY).delete()


@pytest.mark.parametrize("kind", ["save", "bulk_create", "update", "bulk_update", "delete"])
def test_every_door_that_writes_a_holiday_is_read_once_it_commits(
    kind, shared_cache, django_capture_on_commit_callbacks
):
    # given a holiday, and the days read into the cache
    with django_capture_on_commit_callbacks(execute=True):
        Holiday.objects.create(date=WEDNESDAY, name="Libur daerah", category="other")
    assert holiday_names() == {WEDNESDAY: "Libur daerah"}

    # when the rows are written through this door, before the commit the old days stand
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        write(kind)
        assert holiday_names() == {WEDNESDAY: "Libur daerah"}
    assert callbacks

    # then, once committed, the next read has the rows as they are
    assert holiday_names() == dict(Holiday.objects.values_list("date", "name"))
    assert holiday_names() != {WEDNESDAY: "Libur daerah"}


def test_without_a_shared_cache_every_read_is_a_query(settings, django_assert_num_queries):
    settings.CACHE_URL = ""
    Holiday.objects.create(date=WEDNESDAY, name="Libur daerah", category="other")
    for _ in range(2):
        with django_assert_num_queries(1):
            assert holiday_names() == {WEDNESDAY: "Libur daerah"}
