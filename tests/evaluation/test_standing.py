"""Scores follow reporting by themselves, and the officer sees the region's standing."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.models import Kanwil, KanwilProvince, Region, Role, User
from demo.story import ensure_demo_kanwil
from evaluation import recaps
from evaluation.models import Decision, Score, ScoreStamp
from evaluation.services import ItemChoice, decide
from evaluation.tasks import recompute_recent_cycles
from reporting.models import PeriodScheme, ReportingCycle
from reporting.requirements import report_requirements
from reporting.services import generate_periods
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
        reverse("reporting:officer-home") + f"?siklus={period.cycle.year}"
    )

    standing = response.content.decode()
    assert 'data-testid="standing"' in standing
    assert "95,00" in standing  # two days late: T = 80, F = 95
    assert "2 / 2" in standing  # second of two in Kanwil Kaltim, and nationally


# --- at national scale, on the default per-process cache -----------------------------------------


def score_every_region(cycle):
    """A Score for every region in every period of `cycle`, each region a different F, and
    the version bump a recomputation leaves."""
    regions = list(Region.objects.order_by("code"))
    rows = []
    for index, region in enumerate(regions):
        final = Decimal(10) + Decimal(index) / 10
        for period in cycle.periods.all():
            rows.append(
                Score(
                    region=region,
                    period=period,
                    completeness=final,
                    timeliness=final,
                    responsiveness=final,
                    final=final,
                    submitted=True,
                )
            )
    Score.objects.bulk_create(rows)
    ScoreStamp.bump(cycle)
    return regions


def a_kanwil_for_every_province():
    """Kanwil Kaltim as in the demo, and one Kanwil for each other province."""
    ensure_demo_kanwil()
    for province in Region.objects.provinces().filter(kanwil_link__isnull=True):
        kanwil = Kanwil.objects.create(
            code=f"kanwil-{province.code}",
            name=f"Kantor Wilayah {province.name}",
            city=province.name,
            head_name="Kepala",
            head_title="Kepala Kantor Wilayah",
        )
        KanwilProvince.objects.create(kanwil=kanwil, province=province)


@pytest.mark.django_db
def test_every_region_of_the_country_gets_its_position_on_the_default_cache(
    settings, regions, client_for, django_assert_max_num_queries
):
    # given: the embedded per-process cache as settings leave it (MAX_ENTRIES 300) and a
    # scored 2025 cycle with all 552 regions, every province in a Kanwil
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "n"}
    }
    a_kanwil_for_every_province()
    cycle = ReportingCycle.objects.create(year=2025, scheme=PeriodScheme.QUARTERLY)
    generate_periods(cycle)
    everyone = score_every_region(cycle)
    assert len(everyone) == 552

    # when: every region asks for its place, one after another
    # the versions each time, the ranking once (its scores, then its regions)
    with django_assert_max_num_queries(552 + 3):
        positions = {region.pk: recaps.region_positions(region, cycle) for region in everyone}

    # then: all 552 have one, the lowest code last (lowest F)
    assert all(found is not None for found in positions.values())
    assert sorted(found.national for found in positions.values()) == list(range(1, 553))
    assert positions[everyone[0].pk].national == 552
    assert all(found.national_of == 552 for found in positions.values())

    # and: the officer home of a province and a kabupaten/kota per Kanwil and time zone
    # (the Kaltim Kanwil covers two provinces) shows its standing
    sample = {}
    for region in Region.objects.select_related("province__kanwil_link"):
        key = (
            region.province.kanwil_link.kanwil_id,
            region.time_zone,
            region.pk == region.province_id,
        )
        sample.setdefault(key, region)
    assert len(sample) == 2 * 37
    assert {zone for _kanwil, zone, _province in sample} == {
        "Asia/Jakarta",
        "Asia/Pontianak",
        "Asia/Makassar",
        "Asia/Jayapura",
    }
    for number, region in enumerate(sample.values()):
        officer = User.objects.create(
            username=f"petugas.{number}", role=Role.OFFICER, region=region
        )
        page = client_for(officer).get(reverse("reporting:officer-home") + "?siklus=2025")
        shown = page.content.decode()
        found = positions[region.pk]
        assert 'data-testid="standing"' in shown, region.code
        assert f"{found.national} / 552" in shown, region.code
        assert f"{found.in_kanwil} / {found.in_kanwil_of}" in shown, region.code


@pytest.mark.django_db
def test_a_province_handed_to_another_kanwil_counts_there_at_once(regions, kanwil_kaltim):
    # given: Kaltim's standings cached, Tarakan (Kalimantan Utara) first of two in Kaltim
    cycle = ReportingCycle.objects.create(year=2025, scheme=PeriodScheme.QUARTERLY)
    generate_periods(cycle)
    for code, final in (("65.71", 90), ("64.71", 80), ("35.78", 70)):
        for period in cycle.periods.all():
            Score.objects.create(
                region=regions.get(code=code),
                period=period,
                completeness=final,
                timeliness=final,
                responsiveness=final,
                final=final,
            )
    ScoreStamp.bump(cycle)
    balikpapan = regions.get(code="64.71")
    before = recaps.region_positions(balikpapan, cycle)
    assert (before.in_kanwil, before.in_kanwil_of) == (2, 2)

    # when: Kalimantan Utara gets a Kanwil of its own
    kaltara = Kanwil.objects.create(
        code="kaltara", name="Kanwil Kaltara", city="Tanjung Selor", head_name="-", head_title="-"
    )
    link = KanwilProvince.objects.get(province__code="65")
    link.kanwil = kaltara
    link.save(update_fields=["kanwil"])

    # then: Balikpapan is alone in Kaltim, Tarakan alone in Kaltara; national unchanged
    after = recaps.region_positions(balikpapan, cycle)
    assert (after.kanwil, after.in_kanwil, after.in_kanwil_of) == (kanwil_kaltim, 1, 1)
    tarakan = recaps.region_positions(regions.get(code="65.71"), cycle)
    assert (tarakan.kanwil, tarakan.in_kanwil, tarakan.in_kanwil_of) == (kaltara, 1, 1)
    assert (after.national, after.national_of) == (before.national, before.national_of) == (2, 3)
