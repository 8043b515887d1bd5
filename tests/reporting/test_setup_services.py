"""Setup changes that move scores: each is audited and the rankings follow after commit."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.cached import is_cache_bookkeeping
from accounts.models import AuditAction, AuditEvent, Region
from evaluation.models import Score
from reporting.models import Assignment, Extension
from reporting.services import (
    assign_actions,
    change_cycle_rules,
    change_period_dates,
    grant_extension,
    unassign,
    withdraw_extension,
)
from tests.reporting.scenes import late_and_on_time, ranking

BEFORE = [("64.72", "100.00"), ("64.71", "92.50")]


@pytest.fixture
def period(balikpapan, samarinda, officer_balikpapan, officer_samarinda):
    return late_and_on_time(balikpapan, samarinda, officer_balikpapan, officer_samarinda)


# --- extensions ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_extension_is_audited_and_lifts_the_late_region_to_the_top(
    period, balikpapan, admin_user, django_capture_on_commit_callbacks
):
    # given
    assert ranking(period) == BEFORE

    # when
    with django_capture_on_commit_callbacks(execute=True):
        grant_extension(
            balikpapan, period, due_on=datetime.date(2025, 10, 15), reason="Banjir", by=admin_user
        )

    # then: on time now, and earlier relative to its deadline than Samarinda
    assert ranking(period) == [("64.71", "100.00"), ("64.72", "100.00")]
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_type) == (
        AuditAction.EXTENSION_GRANTED,
        admin_user,
        "reporting.extension",
    )
    assert event.details == {"before": None, "after": {"due_on": "2025-10-15", "reason": "Banjir"}}


@pytest.mark.django_db
def test_changing_an_extension_records_its_old_and_new_date(
    period, balikpapan, admin_user, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        grant_extension(
            balikpapan, period, due_on=datetime.date(2025, 10, 15), reason="Banjir", by=admin_user
        )

    # when: the new date is one day short of the submission
    with django_capture_on_commit_callbacks(execute=True):
        grant_extension(
            balikpapan, period, due_on=datetime.date(2025, 10, 12), reason="Banjir", by=admin_user
        )

    # then
    assert Extension.objects.get().due_on == datetime.date(2025, 10, 12)
    assert ranking(period) == [("64.72", "100.00"), ("64.71", "97.50")]
    event = AuditEvent.objects.filter(action=AuditAction.EXTENSION_CHANGED).get()
    assert event.details["before"]["due_on"] == "2025-10-15"
    assert event.details["after"]["due_on"] == "2025-10-12"


@pytest.mark.django_db
def test_an_extension_before_the_periods_own_deadline_is_refused(period, balikpapan, admin_user):
    with pytest.raises(ValidationError):
        grant_extension(
            balikpapan, period, due_on=datetime.date(2025, 10, 1), reason="?", by=admin_user
        )

    assert not Extension.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_withdrawing_an_extension_brings_the_lateness_back(
    period, balikpapan, admin_user, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        extension = grant_extension(
            balikpapan, period, due_on=datetime.date(2025, 10, 15), reason="Banjir", by=admin_user
        )

    pk = extension.pk

    # when
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_extension(extension, by=admin_user)

    # then
    assert ranking(period) == BEFORE
    assert not Extension.objects.exists()
    event = AuditEvent.objects.filter(action=AuditAction.EXTENSION_WITHDRAWN).get()
    assert event.object_id == str(pk)
    assert event.details["after"] is None


# --- cycle rules and period dates -----------------------------------------------------------


@pytest.mark.django_db
def test_a_smaller_late_penalty_is_audited_and_raises_the_late_regions_score(
    period, admin_user, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        change_cycle_rules(period.cycle, by=admin_user, late_penalty_per_day="5")

    # then: T = 85, F = 50 + 21.25 + 25
    assert ranking(period) == [("64.72", "100.00"), ("64.71", "96.25")]
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.CYCLE_RULES_CHANGED
    assert event.details == {
        "before": {"late_penalty_per_day": "10.00"},
        "after": {"late_penalty_per_day": "5.00"},
    }


@pytest.mark.django_db
def test_new_weights_move_the_final_scores(period, admin_user, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        change_cycle_rules(
            period.cycle,
            by=admin_user,
            weight_completeness="0.65",
            weight_timeliness="0.10",
            weight_responsiveness="0.25",
        )

    # then: F = 65 + 7 + 25; the unchanged weight is not recorded as a change
    assert ranking(period) == [("64.72", "100.00"), ("64.71", "97.00")]
    details = AuditEvent.objects.get().details
    assert details["before"] == {"weight_completeness": "0.50", "weight_timeliness": "0.25"}
    assert details["after"] == {"weight_completeness": "0.65", "weight_timeliness": "0.10"}


@pytest.mark.django_db
def test_weights_that_do_not_add_up_are_refused_and_nothing_is_recorded(period, admin_user):
    with pytest.raises(ValidationError):
        change_cycle_rules(period.cycle, by=admin_user, weight_completeness="0.60")

    period.cycle.refresh_from_db()
    assert str(period.cycle.weight_completeness) == "0.50"
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_the_award_threshold_is_audited_without_a_recomputation(
    period, admin_user, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        change_cycle_rules(period.cycle, by=admin_user, award_min_score="85")

    # then: nothing is queued after the commit (the cached cycles are only forgotten)
    assert [c for c in callbacks if not is_cache_bookkeeping(c)] == []
    assert AuditEvent.objects.get().details["after"] == {"award_min_score": "85.00"}


@pytest.mark.django_db
def test_setting_the_same_rules_again_records_nothing(period, admin_user):
    change_cycle_rules(period.cycle, by=admin_user, late_penalty_per_day="10.00")

    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_a_later_period_deadline_is_audited_and_moves_timeliness(
    period, admin_user, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        change_period_dates(period, by=admin_user, due_on=datetime.date(2025, 10, 12))

    # then: Balikpapan one day late
    assert ranking(period) == [("64.72", "100.00"), ("64.71", "97.50")]
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.PERIOD_DATES_CHANGED
    assert event.details == {"before": {"due_on": "2025-10-10"}, "after": {"due_on": "2025-10-12"}}


# --- assignments --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_assignment_is_audited_and_puts_the_region_in_the_ranking(
    period, admin_user, django_capture_on_commit_callbacks
):
    # given
    bontang = Region.objects.get(code="64.74")
    action = period.cycle.actions.get()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        created = assign_actions(
            [action], [bontang, Region.objects.get(code="64.71")], by=admin_user
        )

    # then: only Bontang is new; it never reported in the closed period
    assert created == 1
    assert ranking(period) == [*BEFORE, ("64.74", "0.00")]
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.ACTIONS_ASSIGNED
    assert event.object_id == str(action.pk)
    assert event.details == {"added": ["64.74"], "count": 1}


@pytest.mark.django_db
def test_a_removed_assignment_takes_the_regions_score_out_of_the_ranking(
    period, samarinda, admin_user, django_capture_on_commit_callbacks
):
    # given
    assignments = Assignment.objects.filter(region=samarinda)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        removed = unassign(assignments, by=admin_user)

    # then
    assert removed == 1
    assert ranking(period) == [("64.71", "92.50")]
    assert not Score.objects.filter(region=samarinda).exists()
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.ACTIONS_UNASSIGNED
    assert event.details == {"removed": ["64.72"], "count": 1}


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_the_scores_alone(
    period, samarinda, admin_user, django_capture_on_commit_callbacks
):
    from django.db import transaction

    # when
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            unassign(Assignment.objects.filter(region=samarinda), by=admin_user)
            raise RuntimeError

    # then
    assert callbacks == []
    assert ranking(period) == BEFORE
    assert not AuditEvent.objects.exists()
