"""An admin sets up a cycle end to end in the Django admin."""

import datetime

import pytest
from django.urls import reverse

from reporting.models import Action, Assignment, Period, ReportingCycle


@pytest.mark.django_db
def test_a_new_cycle_gets_the_periods_of_its_scheme(client_for, admin_user):
    client = client_for(admin_user)

    response = client.post(
        reverse("admin:reporting_reportingcycle_add"),
        {
            "year": 2027,
            "name": "RANHAM 2027",
            "scheme": "four_monthly",
            "weight_completeness": "0.50",
            "weight_timeliness": "0.25",
            "weight_responsiveness": "0.25",
            "late_penalty_per_day": "10",
            "revision_credit": "0.50",
            "revision_sla_days": 3,
            "late_response_penalty_per_day": "20",
            "award_min_score": "80",
            "due_days_after_period": 10,
            "close_days_after_due": 21,
            "review_sla_days": 5,
            "extension_max_days_after_close": 30,
            "periods-TOTAL_FORMS": 0,
            "periods-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    cycle = ReportingCycle.objects.get(year=2027)
    assert list(Period.objects.filter(cycle=cycle).values_list("code", "due_on")) == [
        ("B04", datetime.date(2027, 5, 10)),
        ("B08", datetime.date(2027, 9, 10)),
        ("B12", datetime.date(2028, 1, 10)),
    ]


@pytest.mark.django_db
def test_weights_that_do_not_add_up_are_refused_with_a_message(client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("admin:reporting_reportingcycle_add"),
        {
            "year": 2028,
            "scheme": "quarterly",
            "weight_completeness": "0.60",
            "weight_timeliness": "0.25",
            "weight_responsiveness": "0.25",
            "late_penalty_per_day": "10",
            "revision_credit": "0.50",
            "revision_sla_days": 3,
            "late_response_penalty_per_day": "20",
            "award_min_score": "80",
            "due_days_after_period": 10,
            "close_days_after_due": 21,
            "review_sla_days": 5,
            "extension_max_days_after_close": 30,
            "periods-TOTAL_FORMS": 0,
            "periods-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 200
    assert "Jumlah bobot C, T, dan R harus 1,00" in response.content.decode()
    assert not ReportingCycle.objects.filter(year=2028).exists()


@pytest.mark.django_db
def test_an_action_is_assigned_to_every_region_in_one_step(client_for, admin_user, regions):
    cycle = ReportingCycle.objects.create(year=2027)
    action = Action.objects.create(
        cycle=cycle, number=1, title="Aksi", target_group="anak", success_criterion="Tercapai."
    )

    client_for(admin_user).post(
        reverse("admin:reporting_action_changelist"),
        {
            "action": "assign_to_all_regions",
            "_selected_action": [action.pk],
        },
    )

    assert Assignment.objects.filter(action=action).count() == 552


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model",
    [
        "reportingcycle",
        "period",
        "action",
        "actionmeasure",
        "assignment",
        "report",
        "evidence",
        "extension",
        "reportevent",
    ],
)
def test_every_reporting_list_in_the_admin_opens_with_search(client_for, admin_user, model):
    response = client_for(admin_user).get(
        reverse(f"admin:reporting_{model}_changelist") + "?q=balikpapan"
    )

    assert response.status_code == 200
