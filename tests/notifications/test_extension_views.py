"""The officer's form on the report page and the Kanwil's page of requests, over the cast."""

import datetime

import pytest
import time_machine

from reporting.models import Extension, ExtensionRequest
from reporting.services import request_extension

from .conftest import WITA

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 10, 8, 9, 0, tzinfo=WITA)


@pytest.fixture
def pending(period_kaltim, balikpapan, officer_balikpapan):
    return request_extension(
        balikpapan,
        period_kaltim,
        due_on=datetime.date(2025, 10, 15),
        reason="Banjir.",
        by=officer_balikpapan,
        now=NOW,
    )


@time_machine.travel(NOW, tick=False)
def test_the_officer_asks_from_the_report_page(period_kaltim, officer_balikpapan, client_for):
    client = client_for(officer_balikpapan)
    page = client.get(f"/laporan/periode/{period_kaltim.pk}/")
    assert b'data-testid="extension-form"' in page.content

    response = client.post(
        "/laporan/perpanjangan/minta/",
        {
            "period": period_kaltim.pk,
            "due_on": "2025-10-17",
            "reason": "Banjir.",
            "next": f"/laporan/periode/{period_kaltim.pk}/",
        },
    )

    assert response.status_code == 302
    assert ExtensionRequest.objects.get().due_on == datetime.date(2025, 10, 17)
    home = client.get("/laporan/")
    assert b'data-testid="extension-request-pending"' in home.content


@pytest.mark.parametrize(
    "cast_member, status",
    [
        ("officer_balikpapan", 403),
        ("officer_samarinda", 403),
        ("evaluator_kaltim", 200),
        ("evaluator_other", 200),
        ("admin_user", 200),
        ("anonymous", 302),
    ],
    indirect=["cast_member"],
)
def test_the_requests_page_answers_by_role_and_shows_only_the_scope(
    pending, cast_member, status, client_for
):
    response = client_for(cast_member).get("/laporan/perpanjangan/")

    assert response.status_code == status
    if status == 200:
        shown = b'data-testid="pending-64.71"' in response.content
        assert shown == (cast_member.username != "verif.jatim")


@pytest.mark.parametrize(
    "cast_member, status",
    [
        ("officer_balikpapan", 403),
        ("evaluator_other", 404),
        ("evaluator_kaltim", 302),
        ("admin_user", 302),
    ],
    indirect=["cast_member"],
)
def test_only_the_kanwil_and_admins_decide(pending, cast_member, status, client_for):
    response = client_for(cast_member).post(
        f"/laporan/perpanjangan/{pending.pk}/putuskan/",
        {"decision": "grant", "due_on": "2025-10-16", "reason": "", "confirmed": "1"},
    )

    assert response.status_code == status
    assert Extension.objects.exists() == (status == 302)
