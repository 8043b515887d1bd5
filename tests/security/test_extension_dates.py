"""One rule for extension dates, whoever asks or grants: after the current deadline, at most
``extension_max_days_after_close`` days after the period closes, never shorter than granted."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db.models import QuerySet
from django.urls import reverse

from reporting.models import Extension, ExtensionRequest
from reporting.services import (
    ReportingError,
    decide_extension,
    grant_extension,
    request_extension,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def region(officer_balikpapan):
    return officer_balikpapan.region


def test_a_request_far_past_the_close_of_the_period_is_refused(
    region, open_period, actions, officer_balikpapan
):
    with pytest.raises(ReportingError, match="paling lambat"):
        request_extension(
            region,
            open_period,
            due_on=datetime.date(2099, 12, 31),
            reason="Banjir",
            by=officer_balikpapan,
        )
    assert not ExtensionRequest.objects.exists()


def test_the_bound_is_a_cycle_setting_of_thirty_days_after_the_close(
    region, open_period, actions, officer_balikpapan
):
    assert open_period.cycle.extension_max_days_after_close == 30
    latest = open_period.closes_on + datetime.timedelta(days=30)

    request_extension(region, open_period, due_on=latest, reason="Banjir", by=officer_balikpapan)
    with pytest.raises(ReportingError):
        grant_extension(
            region,
            open_period,
            due_on=latest + datetime.timedelta(days=1),
            reason="x",
            by=officer_balikpapan,
        )


def test_a_grant_cannot_shorten_the_extension_the_region_has(
    region, open_period, actions, officer_balikpapan, evaluator_kaltim
):
    # given an extension to the 20th day after the period's due date
    long_date = open_period.due_on + datetime.timedelta(days=20)
    grant_extension(region, open_period, due_on=long_date, reason="Banjir", by=evaluator_kaltim)
    # and a pending request for later still
    request = request_extension(
        region,
        open_period,
        due_on=long_date + datetime.timedelta(days=5),
        reason="Masih banjir",
        by=officer_balikpapan,
    )

    # when the Kanwil grants it with a date before the extension's
    with pytest.raises(ReportingError):
        decide_extension(
            request,
            grant=True,
            due_on=open_period.due_on + datetime.timedelta(days=2),
            by=evaluator_kaltim,
        )

    # then the region keeps its longer extension
    assert Extension.objects.get().due_on == long_date


def test_a_granted_date_is_bounded_too(
    region, open_period, actions, officer_balikpapan, evaluator_kaltim
):
    request = request_extension(
        region,
        open_period,
        due_on=open_period.due_on + datetime.timedelta(days=3),
        reason="Banjir",
        by=officer_balikpapan,
    )
    with pytest.raises(ReportingError, match="paling lambat"):
        decide_extension(
            request, grant=True, due_on=datetime.date(2099, 12, 31), by=evaluator_kaltim
        )
    assert not Extension.objects.exists()


def test_a_double_submitted_request_answers_with_a_message_not_a_500(
    region, open_period, actions, officer_balikpapan, client_for, monkeypatch
):
    # given a request already pending, which the second click's check did not yet see
    due_on = open_period.due_on + datetime.timedelta(days=3)
    request_extension(region, open_period, due_on=due_on, reason="Banjir", by=officer_balikpapan)
    exists = QuerySet.exists
    monkeypatch.setattr(
        QuerySet,
        "exists",
        lambda qs: False if qs.model is ExtensionRequest else exists(qs),
    )

    # when the same request arrives again
    response = client_for(officer_balikpapan).post(
        reverse("reporting:extension-request"),
        {"period": open_period.pk, "due_on": due_on.isoformat(), "reason": "Banjir"},
    )

    # then the officer is told, and still one request waits
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("menunggu keputusan" in m for m in shown)
    assert ExtensionRequest.objects.count() == 1
