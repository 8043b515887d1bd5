"""Holidays edited by an admin: audited, kept from the next sync, and the R scores follow."""

import datetime

import pytest

from accounts.cached import is_cache_bookkeeping
from accounts.models import AuditAction, AuditEvent, Holiday, HolidayCategory
from accounts.services import delete_holiday, delete_holidays, save_holiday, sync_holidays
from evaluation.models import ScoreStamp
from evaluation.scorecards import recompute_cycle
from tests.reporting.scenes import ranking, returned_and_answered

# Tue 14 to Mon 20 October: five working days, two past the limit: R = 60, F = 90.
BEFORE = [("64.71", "100.00"), ("64.72", "90.00")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def period(balikpapan, samarinda, officer_balikpapan, officer_samarinda, evaluator_kaltim):
    return returned_and_answered(
        balikpapan, samarinda, officer_balikpapan, officer_samarinda, evaluator_kaltim
    )


def holiday(day, name="Libur uji", *, from_package=True):
    return Holiday.objects.create(
        date=day, name=name, category=HolidayCategory.PUBLIC, from_package=from_package
    )


@pytest.mark.django_db
def test_a_new_holiday_is_audited_and_shortens_the_response_time(
    period, admin_user, django_capture_on_commit_callbacks
):
    # given
    assert ranking(period) == BEFORE

    # when: Wednesday 15 October is declared a holiday
    with django_capture_on_commit_callbacks(execute=True):
        save_holiday(
            Holiday(date=datetime.date(2025, 10, 15), name="Libur daerah", category="other"),
            by=admin_user,
        )

    # then: four working days, R = 80, F = 95
    assert ranking(period) == [("64.71", "100.00"), ("64.72", "95.00")]
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_type) == (
        AuditAction.HOLIDAY_ADDED,
        admin_user,
        "accounts.holiday",
    )
    assert event.details == {
        "before": None,
        "after": {
            "date": "2025-10-15",
            "name": "Libur daerah",
            "category": "other",
            "from_package": False,
        },
    }


@pytest.mark.django_db
def test_moving_a_holiday_to_a_weekend_gives_the_working_day_back(
    period, admin_user, django_capture_on_commit_callbacks
):
    # given: a package holiday on Wednesday 15 October, scored
    row = holiday(datetime.date(2025, 10, 15))
    recompute_cycle(period.cycle)
    assert ranking(period) == [("64.71", "100.00"), ("64.72", "95.00")]

    # when: the admin corrects it to Saturday 18 October
    row.date = datetime.date(2025, 10, 18)
    with django_capture_on_commit_callbacks(execute=True):
        save_holiday(row, by=admin_user)

    # then
    assert ranking(period) == BEFORE
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.HOLIDAY_CHANGED
    assert event.details["before"]["date"] == "2025-10-15"
    assert event.details["before"]["from_package"] is True
    assert event.details["after"]["date"] == "2025-10-18"
    assert event.details["after"]["from_package"] is False


@pytest.mark.django_db
def test_an_admins_correction_survives_the_next_sync(admin_user, regions):
    # given: the package's row for 17 August 2025, corrected by an admin
    sync_holidays([2025])
    row = Holiday.objects.get(date=datetime.date(2025, 8, 17))
    row.name = "Hari Kemerdekaan (koreksi)"
    save_holiday(row, by=admin_user)

    # when
    sync_holidays([2025])

    # then
    row.refresh_from_db()
    assert (row.name, row.from_package) == ("Hari Kemerdekaan (koreksi)", False)


@pytest.mark.django_db
def test_deleting_a_holiday_is_audited_and_the_day_counts_again(
    period, admin_user, django_capture_on_commit_callbacks
):
    # given
    row = holiday(datetime.date(2025, 10, 15))
    pk = row.pk
    recompute_cycle(period.cycle)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        delete_holiday(row, by=admin_user)

    # then
    assert ranking(period) == BEFORE
    assert not Holiday.objects.exists()
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id) == (AuditAction.HOLIDAY_DELETED, str(pk))
    assert event.details["after"] is None


@pytest.mark.django_db
def test_deleting_several_holidays_recomputes_once(
    period, admin_user, django_capture_on_commit_callbacks
):
    # given
    holiday(datetime.date(2025, 10, 15))
    holiday(datetime.date(2025, 10, 16))
    recompute_cycle(period.cycle)
    assert ranking(period) == [("64.71", "100.00"), ("64.72", "100.00")]

    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        delete_holidays(Holiday.objects.all(), by=admin_user)

    # then: one audit event per day, one recomputation (plus its cache reset; the holidays'
    # own cache version moves as well)
    assert ranking(period) == BEFORE
    assert AuditEvent.objects.filter(action=AuditAction.HOLIDAY_DELETED).count() == 2
    assert len([c for c in callbacks if not is_cache_bookkeeping(c)]) == 2


@pytest.mark.django_db
def test_a_holiday_of_next_year_rescores_this_years_cycle(
    period, admin_user, django_capture_on_commit_callbacks
):
    # given: revision rounds may run past new year, so a cycle counts next year's holidays
    stamp_before = ScoreStamp.objects.get(cycle=period.cycle).version

    # when
    with django_capture_on_commit_callbacks(execute=True):
        save_holiday(
            Holiday(date=datetime.date(2026, 1, 2), name="Cuti bersama", category="government"),
            by=admin_user,
        )

    # then
    assert ScoreStamp.objects.get(cycle=period.cycle).version == stamp_before + 1
