"""The officer reaches "Rincian nilai" from the home page and the report, and finds the way
back; reporting's templates show the link through its panels without naming evaluation."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.support import build_period, submitted_report

WITA = ZoneInfo("Asia/Makassar")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def explain_url(region, period):
    return reverse("evaluation:explain", args=[region.pk, period.pk])


def test_a_closed_period_on_the_officers_home_page_links_to_its_score(
    client_for, officer_balikpapan, balikpapan
):
    # given: TW3 2025, submitted and long closed
    period = build_period([balikpapan], actions=1)
    submitted_report(
        balikpapan, period, officer_balikpapan, at=datetime.datetime(2025, 10, 9, 9, tzinfo=WITA)
    )

    # when
    page = client_for(officer_balikpapan).get(reverse("reporting:officer-home") + "?siklus=2025")

    # then
    assert page.status_code == 200
    assert f'href="{explain_url(balikpapan, period)}"' in page.content.decode()
    assert "Rincian nilai" in page.content.decode()


def test_an_open_unverified_period_has_no_score_link_yet(
    client_for, officer_balikpapan, balikpapan
):
    # given: a period still open, its report sent but not verified
    today = timezone.localdate()
    period = build_period(
        [balikpapan], year=today.year + 5, actions=1, due_on=today + datetime.timedelta(days=5)
    )
    report = submitted_report(
        balikpapan, period, officer_balikpapan, at=timezone.now() - datetime.timedelta(hours=1)
    )
    client = client_for(officer_balikpapan)

    # when
    home = client.get(reverse("reporting:officer-home") + f"?siklus={today.year + 5}")
    detail = client.get(reverse("reporting:report-detail", args=[report.pk]))

    # then
    assert explain_url(balikpapan, period) not in home.content.decode()
    assert explain_url(balikpapan, period) not in detail.content.decode()


def test_the_report_page_links_to_the_score_and_the_score_links_back(
    client_for, officer_balikpapan, balikpapan
):
    # given
    period = build_period([balikpapan], actions=1)
    report = submitted_report(
        balikpapan, period, officer_balikpapan, at=datetime.datetime(2025, 10, 9, 9, tzinfo=WITA)
    )
    client = client_for(officer_balikpapan)

    # when
    detail = client.get(reverse("reporting:report-detail", args=[report.pk]))
    explanation = client.get(explain_url(balikpapan, period))

    # then
    assert f'href="{explain_url(balikpapan, period)}"' in detail.content.decode()
    back = explanation.content.decode()
    assert f'href="{reverse("reporting:report-detail", args=[report.pk])}"' in back
    assert f'href="{reverse("reporting:officer-home")}?siklus=2025"' in back


def test_the_explanation_leads_an_evaluator_back_to_the_rankings(
    client_for, evaluator_kaltim, officer_balikpapan, balikpapan
):
    period = build_period([balikpapan], actions=1)
    submitted_report(
        balikpapan, period, officer_balikpapan, at=datetime.datetime(2025, 10, 9, 9, tzinfo=WITA)
    )

    page = client_for(evaluator_kaltim).get(explain_url(balikpapan, period))

    assert f'href="{reverse("evaluation:rankings")}?siklus=2025"' in page.content.decode()
