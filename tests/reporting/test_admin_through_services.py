"""What moves a score in the Django admin goes through the services: audited, and the
rankings follow once the change is committed."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent, Holiday, Region
from evaluation.models import Score
from reporting.models import (
    Action,
    ActionMeasure,
    Assignment,
    EvidenceRequirement,
    Extension,
    Period,
    ReportingCycle,
)
from tests.reporting.scenes import late_and_on_time, ranking, returned_and_answered

BEFORE = [("64.72", "100.00"), ("64.71", "92.50")]
CYCLE_FIELDS = [
    "year",
    "name",
    "scheme",
    "weight_completeness",
    "weight_timeliness",
    "weight_responsiveness",
    "late_penalty_per_day",
    "revision_credit",
    "revision_sla_days",
    "late_response_penalty_per_day",
    "award_min_score",
    "due_days_after_period",
    "close_days_after_due",
    "review_sla_days",
    "extension_max_days_after_close",
]
PERIOD_FIELDS = ["order", "code", "name", "starts_on", "ends_on", "opens_on", "due_on", "closes_on"]


@pytest.fixture
def period(balikpapan, samarinda, officer_balikpapan, officer_samarinda):
    return late_and_on_time(balikpapan, samarinda, officer_balikpapan, officer_samarinda)


def cycle_form(cycle, periods=None, **changes):
    """The cycle's change form as the admin page posts it, with every period inline."""
    data = {name: getattr(cycle, name) for name in CYCLE_FIELDS}
    periods = list(periods if periods is not None else cycle.periods.all())
    data.update({"periods-TOTAL_FORMS": len(periods), "periods-INITIAL_FORMS": len(periods)})
    for index, period in enumerate(periods):
        data[f"periods-{index}-id"] = period.pk
        data[f"periods-{index}-cycle"] = cycle.pk
        for name in PERIOD_FIELDS:
            data[f"periods-{index}-{name}"] = getattr(period, name)
    data.update(changes)
    return data


# --- extensions ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_extension_added_in_the_admin_is_audited_and_moves_the_ranking(
    client_for, admin_user, period, balikpapan, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            reverse("admin:reporting_extension_add"),
            {
                "region": balikpapan.pk,
                "period": period.pk,
                "due_on": "2025-10-15",
                "reason": "Banjir",
            },
        )

    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Extension.objects.get().granted_by == admin_user
    assert ranking(period) == [("64.71", "100.00"), ("64.72", "100.00")]
    assert AuditEvent.objects.get().action == AuditAction.EXTENSION_GRANTED


@pytest.mark.django_db
def test_an_extension_changed_or_deleted_in_the_admin_is_audited_each_time(
    client_for, admin_user, period, balikpapan, samarinda, django_capture_on_commit_callbacks
):
    # given
    extension = Extension.objects.create(
        region=balikpapan,
        period=period,
        due_on=datetime.date(2025, 10, 15),
        reason="Banjir",
        granted_by=admin_user,
    )
    client = client_for(admin_user)

    # when: an attempt to move it to Samarinda changes only its date
    with django_capture_on_commit_callbacks(execute=True):
        changed = client.post(
            reverse("admin:reporting_extension_change", args=[extension.pk]),
            {"region": samarinda.pk, "due_on": "2025-10-12", "reason": "Banjir"},
        )
    after_change = ranking(period)
    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.post(
            reverse("admin:reporting_extension_delete", args=[extension.pk]), {"post": "yes"}
        )

    # then
    assert (changed.status_code, deleted.status_code) == (302, 302)
    assert after_change == [("64.72", "100.00"), ("64.71", "97.50")]
    assert ranking(period) == BEFORE
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        AuditAction.EXTENSION_CHANGED,
        AuditAction.EXTENSION_WITHDRAWN,
    ]
    assert AuditEvent.objects.order_by("pk").first().details["before"]["due_on"] == "2025-10-15"


# --- cycle rules and period dates -----------------------------------------------------------


@pytest.mark.django_db
def test_new_weights_saved_in_the_admin_are_audited_and_move_the_ranking(
    client_for, admin_user, period, django_capture_on_commit_callbacks
):
    # given
    cycle = period.cycle

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            reverse("admin:reporting_reportingcycle_change", args=[cycle.pk]),
            cycle_form(
                cycle,
                name="RANHAM 2025 (revisi)",
                weight_completeness="0.65",
                weight_timeliness="0.10",
                late_penalty_per_day="5",
            ),
        )

    # then: T = 85 for Balikpapan, F = 65 + 8.50 + 25
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ranking(period) == [("64.72", "100.00"), ("64.71", "98.50")]
    cycle.refresh_from_db()
    assert cycle.name == "RANHAM 2025 (revisi)"
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.CYCLE_RULES_CHANGED
    assert event.actor == admin_user
    assert event.details == {
        "before": {
            "weight_completeness": "0.50",
            "weight_timeliness": "0.25",
            "late_penalty_per_day": "10.00",
        },
        "after": {
            "weight_completeness": "0.65",
            "weight_timeliness": "0.10",
            "late_penalty_per_day": "5.00",
        },
    }


@pytest.mark.django_db
def test_a_deadline_moved_in_the_cycles_period_inline_is_audited_and_moves_timeliness(
    client_for, admin_user, period, django_capture_on_commit_callbacks
):
    # given
    cycle = period.cycle

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            reverse("admin:reporting_reportingcycle_change", args=[cycle.pk]),
            cycle_form(cycle, **{"periods-0-due_on": "2025-10-12", "periods-0-name": "TW III"}),
        )

    # then
    assert response.status_code == 302, response.content.decode()[:3000]
    period.refresh_from_db()
    assert (period.name, period.due_on) == ("TW III", datetime.date(2025, 10, 12))
    assert ranking(period) == [("64.72", "100.00"), ("64.71", "97.50")]
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.PERIOD_DATES_CHANGED
    assert event.details == {"before": {"due_on": "2025-10-10"}, "after": {"due_on": "2025-10-12"}}


@pytest.mark.django_db
def test_a_period_closed_earlier_in_the_period_admin_zeroes_the_late_report(
    client_for, admin_user, period, django_capture_on_commit_callbacks
):
    # given
    data = {name: getattr(period, name) for name in PERIOD_FIELDS}
    data.update(cycle=period.cycle_id, closes_on="2025-10-12")

    # when: Balikpapan's report (13 October) now came after the close
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            reverse("admin:reporting_period_change", args=[period.pk]), data
        )

    # then
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ranking(period) == [("64.72", "100.00"), ("64.71", "0.00")]
    assert AuditEvent.objects.get().details["after"] == {"closes_on": "2025-10-12"}


# --- holidays -----------------------------------------------------------------------------


@pytest.fixture
def returned_period(balikpapan, samarinda, officer_balikpapan, officer_samarinda, evaluator_kaltim):
    return returned_and_answered(
        balikpapan, samarinda, officer_balikpapan, officer_samarinda, evaluator_kaltim
    )


@pytest.mark.django_db
def test_a_holiday_added_in_the_admin_is_audited_and_moves_responsiveness(
    client_for, admin_user, returned_period, django_capture_on_commit_callbacks
):
    # given
    assert ranking(returned_period) == [("64.71", "100.00"), ("64.72", "90.00")]

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            reverse("admin:accounts_holiday_add"),
            {"date": "2025-10-15", "name": "Libur daerah", "category": "other"},
        )

    # then
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Holiday.objects.get().from_package is False
    assert ranking(returned_period) == [("64.71", "100.00"), ("64.72", "95.00")]
    assert AuditEvent.objects.get().action == AuditAction.HOLIDAY_ADDED


@pytest.mark.django_db
def test_holidays_deleted_in_bulk_in_the_admin_are_audited_and_count_as_working_days(
    client_for, admin_user, returned_period, django_capture_on_commit_callbacks
):
    # given
    for day in (15, 16):
        Holiday.objects.create(date=datetime.date(2025, 10, day), name="Libur", category="other")
    from evaluation.scorecards import recompute_cycle

    recompute_cycle(returned_period.cycle)
    assert ranking(returned_period) == [("64.71", "100.00"), ("64.72", "100.00")]

    # when
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin_user).post(
            reverse("admin:accounts_holiday_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": list(Holiday.objects.values_list("pk", flat=True)),
                "post": "yes",
            },
        )

    # then
    assert not Holiday.objects.exists()
    assert ranking(returned_period) == [("64.71", "100.00"), ("64.72", "90.00")]
    assert AuditEvent.objects.filter(action=AuditAction.HOLIDAY_DELETED).count() == 2


# --- assignments --------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_assignment_added_then_deleted_in_the_admin_enters_and_leaves_the_ranking(
    client_for, admin_user, period, django_capture_on_commit_callbacks
):
    # given
    bontang = Region.objects.get(code="64.74")
    action = period.cycle.actions.get()
    client = client_for(admin_user)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        added = client.post(
            reverse("admin:reporting_assignment_add"), {"action": action.pk, "region": bontang.pk}
        )
    after_add = ranking(period)
    assignment = Assignment.objects.get(region=bontang)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:reporting_assignment_changelist"),
            {"action": "delete_selected", "_selected_action": [assignment.pk], "post": "yes"},
        )

    # then
    assert added.status_code == 302, added.content.decode()[:3000]
    assert after_add == [*BEFORE, ("64.74", "0.00")]
    assert ranking(period) == BEFORE
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "details")) == [
        (AuditAction.ACTIONS_ASSIGNED, {"added": ["64.74"], "count": 1}),
        (AuditAction.ACTIONS_UNASSIGNED, {"removed": ["64.74"], "count": 1}),
    ]


@pytest.mark.django_db
def test_an_assignment_cannot_be_edited_into_another_one(client_for, admin_user, period, samarinda):
    # given
    assignment = Assignment.objects.get(region__code="64.71")

    # when
    response = client_for(admin_user).post(
        reverse("admin:reporting_assignment_change", args=[assignment.pk]),
        {"action": assignment.action_id, "region": samarinda.pk},
    )

    # then
    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.region.code == "64.71"


@pytest.mark.django_db
def test_assigning_an_action_to_every_region_is_audited_and_ranks_them_all(
    client_for, admin_user, period, django_capture_on_commit_callbacks
):
    # given
    action = period.cycle.actions.get()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin_user).post(
            reverse("admin:reporting_action_changelist"),
            {"action": "assign_to_all_regions", "_selected_action": [action.pk]},
        )

    # then: the two that reported lead 550 that did not
    rows = ranking(period)
    assert len(rows) == 552
    assert rows[:2] == BEFORE
    assert {final for _code, final in rows[2:]} == {"0.00"}
    event = AuditEvent.objects.get()
    assert (event.action, event.details["count"]) == (AuditAction.ACTIONS_ASSIGNED, 550)


@pytest.mark.django_db
def test_deleting_an_action_in_the_admin_takes_its_only_regions_out_of_the_ranking(
    client_for, admin_user, period, django_capture_on_commit_callbacks
):
    # given: a second action, assigned to Bontang alone, that nobody reported on
    bontang = Region.objects.get(code="64.74")
    action = Action.objects.create(
        cycle=period.cycle, number=2, title="Aksi baru", target_group="anak", success_criterion="-"
    )
    measure = ActionMeasure.objects.create(action=action, period=period, measure="Ukuran")
    EvidenceRequirement.objects.create(measure=measure, name="Dokumen")
    Assignment.objects.create(action=action, region=bontang)
    from evaluation.scorecards import recompute_cycle

    recompute_cycle(period.cycle)
    assert Score.objects.filter(region=bontang).exists()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            reverse("admin:reporting_action_delete", args=[action.pk]), {"post": "yes"}
        )

    # then
    assert response.status_code == 302
    assert not Action.objects.filter(pk=action.pk).exists()
    assert ranking(period) == BEFORE
    assert AuditEvent.objects.get().action == AuditAction.ACTIONS_UNASSIGNED


@pytest.mark.django_db
def test_a_new_cycle_made_in_the_admin_is_not_an_audited_rule_change(client_for, admin_user):
    cycle = ReportingCycle(year=2030)

    response = client_for(admin_user).post(
        reverse("admin:reporting_reportingcycle_add"), cycle_form(cycle, periods=[])
    )

    assert response.status_code == 302
    assert Period.objects.filter(cycle__year=2030).count() == 4
    assert not AuditEvent.objects.exists()
