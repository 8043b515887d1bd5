"""No page ranks regions when none of them has sent anything: it says so instead."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Region
from demo.story import ensure_cycle
from evaluation.models import Score

from .test_rankings_views import give_score


@pytest.fixture
def unscored(kanwil_kaltim):
    """The demo's 2025 cycle with a zero score for every region and period, nothing sent."""
    cycle = ensure_cycle(2025, list(Region.objects.of_kanwil(kanwil_kaltim)))
    Score.objects.bulk_create(
        Score(
            region=region,
            period=period,
            completeness=Decimal(0),
            timeliness=Decimal(0),
            responsiveness=Decimal(0),
            final=Decimal(0),
        )
        for region in Region.objects.of_kanwil(kanwil_kaltim)
        for period in cycle.periods.all()
    )
    return cycle


@pytest.mark.django_db
@pytest.mark.parametrize("period", ["TW1", ""])
def test_a_ranking_where_nobody_has_sent_anything_says_so(
    unscored, evaluator_kaltim, client_for, period
):
    page = client_for(evaluator_kaltim).get(
        reverse("evaluation:rankings"), {"siklus": 2025, "periode": period}
    )

    html = page.content.decode()
    assert 'data-testid="no-scores"' in html
    assert "ditentukan oleh kode wilayah" not in html
    assert 'data-region="' not in html


@pytest.mark.django_db
def test_one_region_that_sent_its_report_is_ranked_with_the_others(
    unscored, evaluator_kaltim, client_for, balikpapan
):
    tw1 = unscored.periods.get(code="TW1")
    Score.objects.filter(region=balikpapan, period=tw1).delete()
    give_score(balikpapan, tw1, 90, 100, 100)

    page = client_for(evaluator_kaltim).get(
        reverse("evaluation:rankings"), {"siklus": 2025, "periode": "TW1"}
    )

    html = page.content.decode()
    assert 'data-testid="no-scores"' not in html
    assert html.count('data-region="') == 17


@pytest.mark.django_db
def test_the_overview_draws_no_top_ranking_when_nobody_has_sent_anything(
    unscored, admin_user, client_for
):
    page = client_for(admin_user).get(reverse("evaluation:overview"), {"siklus": 2025})

    assert page.status_code == 200
    assert "Belum ada nilai." in page.content.decode()
