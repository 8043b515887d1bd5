"""Scoping: the one place that decides who sees which regions and reports."""

import pytest

from accounts.models import Kanwil, Region
from reporting.models import Report, ReportingCycle
from reporting.services import generate_periods

# How many of the three sample regions (Balikpapan, Samarinda, Surabaya) each member sees.
EXPECTED_REGIONS = {
    "officer_balikpapan": {"64.71"},
    "officer_samarinda": {"64.72"},
    "evaluator_kaltim": {"64.71", "64.72"},
    "evaluator_other": {"35.78"},
    "admin_user": {"64.71", "64.72", "35.78"},
    "anonymous": set(),
}


@pytest.fixture
def three_reports(balikpapan, samarinda, surabaya):
    cycle = ReportingCycle.objects.create(year=2025)
    period = generate_periods(cycle)[2]
    return [
        Report.objects.create(region=region, period=period)
        for region in (balikpapan, samarinda, surabaya)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("cast_member", list(EXPECTED_REGIONS), indirect=True)
def test_regions_visible_to_each_member_of_the_cast(
    cast_member, request, kanwil_kaltim, kanwil_jatim
):
    name = request.node.callspec.params["cast_member"]
    sample = Region.objects.filter(code__in=["64.71", "64.72", "35.78"])

    visible = set(sample.visible_to(cast_member).values_list("code", flat=True))

    assert visible == EXPECTED_REGIONS[name]


@pytest.mark.django_db
@pytest.mark.parametrize("cast_member", list(EXPECTED_REGIONS), indirect=True)
def test_reports_visible_to_each_member_of_the_cast(
    cast_member, request, three_reports, kanwil_kaltim, kanwil_jatim
):
    name = request.node.callspec.params["cast_member"]

    visible = Report.objects.visible_to(cast_member).values_list("region__code", flat=True)

    assert set(visible) == EXPECTED_REGIONS[name]


@pytest.mark.django_db
def test_evaluator_of_kaltim_sees_all_seventeen_regions_of_kaltim_and_kaltara(evaluator_kaltim):
    visible = Region.objects.visible_to(evaluator_kaltim)

    assert visible.count() == 17
    assert set(visible.values_list("province__code", flat=True)) == {"64", "65"}


@pytest.mark.django_db
def test_an_inactive_user_sees_nothing(officer_balikpapan):
    officer_balikpapan.is_active = False

    assert not Region.objects.visible_to(officer_balikpapan).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cast_member", "kanwil_codes"),
    [
        ("officer_balikpapan", {"kaltim"}),
        ("evaluator_kaltim", {"kaltim"}),
        ("evaluator_other", {"jatim"}),
        ("admin_user", {"kaltim", "jatim"}),
        ("anonymous", set()),
    ],
    indirect=["cast_member"],
)
def test_kanwil_visible_to(cast_member, kanwil_codes, kanwil_kaltim, kanwil_jatim):
    assert set(Kanwil.objects.visible_to(cast_member).values_list("code", flat=True)) == (
        kanwil_codes
    )
