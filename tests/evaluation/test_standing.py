"""Scores follow reporting by themselves, and the officer sees the region's standing."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from evaluation.models import Decision, Score
from evaluation.services import ItemChoice, decide
from evaluation.tasks import recompute_recent_cycles
from reporting.requirements import report_requirements
from tests.support import build_period, submitted_report

WITA = ZoneInfo("Asia/Makassar")


@pytest.fixture
def period(balikpapan, samarinda, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_period([balikpapan, samarinda], actions=1, items_per_action=1)


@pytest.mark.django_db
def test_a_submission_is_scored_provisionally_once_it_commits(
    period, balikpapan, officer_balikpapan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted_report(
            balikpapan,
            period,
            officer_balikpapan,
            at=datetime.datetime(2025, 10, 11, 9, 0, tzinfo=WITA),
        )

    score = Score.objects.get(region=balikpapan, period=period)
    assert (score.timeliness, score.provisional) == (Decimal("90.00"), True)


@pytest.mark.django_db
def test_the_daily_recompute_gives_a_silent_region_its_zero(period, samarinda):
    period.cycle.year = datetime.date.today().year
    period.cycle.save(update_fields=["year"])

    assert recompute_recent_cycles() == 2

    assert Score.objects.get(region=samarinda, period=period).final == Decimal("0.00")


@pytest.mark.django_db
def test_officer_home_shows_the_regions_annual_standing(
    client_for,
    period,
    balikpapan,
    samarinda,
    officer_balikpapan,
    officer_samarinda,
    evaluator_kaltim,
    kanwil_kaltim,
):
    for region, officer in ((balikpapan, officer_balikpapan), (samarinda, officer_samarinda)):
        report = submitted_report(
            region,
            period,
            officer,
            at=datetime.datetime(2025, 10, 9, 9, 0, tzinfo=WITA)
            if region == balikpapan
            else datetime.datetime(2025, 10, 12, 9, 0, tzinfo=WITA),
        )
        items = [r for b in report_requirements(region, period) for r in b.requirements]
        decide(
            report,
            by=evaluator_kaltim,
            round=1,
            outcome="verified",
            choices={r.pk: ItemChoice(Decision.ACCEPTED) for r in items},
        )

    response = client_for(officer_samarinda).get(
        reverse("reporting:officer-home") + f"?tahun={period.cycle.year}"
    )

    standing = response.content.decode()
    assert 'data-testid="standing"' in standing
    assert "95,00" in standing  # two days late: T = 80, F = 95
    assert "2 / 2" in standing  # second of two in Kanwil Kaltim, and nationally
