"""One definition per rule: every page that shows a figure takes it from the same function."""

import datetime

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Region
from demo.story import ensure_cycle
from evaluation import recaps, scoring
from reporting.cycles import CYCLE_PARAM, choose_cycle, cycles_with_periods, default_cycle
from reporting.models import Report, ReportStatus

WITA = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def cycle(kanwil_kaltim):
    return ensure_cycle(2025, list(Region.objects.of_kanwil(kanwil_kaltim)))


def submit(code, period, when):
    return Report.objects.create(
        region=Region.objects.get(code=code),
        period=period,
        status=ReportStatus.SUBMITTED,
        first_submitted_at=when,
        last_submitted_at=when,
    )


def shown_cycle(response):
    context = response.context
    cycle = context["selection"].cycle if "selection" in context else context["cycle"]
    return cycle.year


@pytest.mark.django_db
def test_the_queue_shows_the_rates_of_the_recap_rule(client_for, evaluator_kaltim, cycle):
    # given 3 of 17 Kaltim regions sent TW3: two on time, one late
    tw3 = cycle.periods.get(code="TW3")
    submit("64.71", tw3, datetime.datetime(2025, 10, 9, 10, tzinfo=WITA))
    submit("64.72", tw3, datetime.datetime(2025, 10, 10, 23, tzinfo=WITA))
    submit("64.74", tw3, datetime.datetime(2025, 10, 14, 9, tzinfo=WITA))

    # when the evaluator opens the queue for 2025
    response = client_for(evaluator_kaltim).get(
        reverse("evaluation:queue"), {CYCLE_PARAM: 2025, "status": ""}
    )

    # then its figures are the recap's, to the digit
    shown = {row.period.code: row.counts for row in response.context["counts"]}
    recap = {
        row.period.code: row.counts
        for row in recaps.period_rates(cycle, kanwil=evaluator_kaltim.kanwil)
    }
    assert shown["TW3"].reporting_rate == recap["TW3"].reporting_rate == recaps.rate(3, 17)
    assert shown["TW3"].on_time_rate == recap["TW3"].on_time_rate == recaps.rate(2, 17)
    assert shown == recap


@pytest.mark.django_db
def test_every_page_picks_the_same_default_cycle(
    client_for, officer_balikpapan, evaluator_kaltim, admin_user, kanwil_kaltim
):
    # given the 2025 cycle and a 2026 cycle whose first period has opened
    regions = list(Region.objects.of_kanwil(kanwil_kaltim))
    ensure_cycle(2025, regions)
    ensure_cycle(2026, regions)
    today = datetime.date(2026, 11, 30)
    expected = default_cycle(cycles_with_periods(), today)
    assert expected.year == 2026

    # when each page is opened without ?siklus= then each shows the default cycle
    with time_machine.travel(datetime.datetime(2026, 11, 30, 3, tzinfo=datetime.UTC)):
        pages = [
            (officer_balikpapan, reverse("reporting:officer-home")),
            (evaluator_kaltim, reverse("evaluation:queue")),
            (admin_user, reverse("evaluation:rankings")),
            (admin_user, reverse("evaluation:overview")),
            (admin_user, reverse("piagam:awards")),
        ]
        shown = [shown_cycle(client_for(user).get(url)) for user, url in pages]
    assert shown == [2026] * len(pages)


@pytest.mark.django_db
def test_every_page_takes_the_cycle_from_the_same_parameter(
    client_for, officer_balikpapan, evaluator_kaltim, admin_user, kanwil_kaltim
):
    regions = list(Region.objects.of_kanwil(kanwil_kaltim))
    ensure_cycle(2025, regions)
    ensure_cycle(2026, regions)
    pages = [
        (officer_balikpapan, reverse("reporting:officer-home")),
        (evaluator_kaltim, reverse("evaluation:queue")),
        (admin_user, reverse("evaluation:rankings")),
        (admin_user, reverse("evaluation:overview")),
        (admin_user, reverse("piagam:awards")),
    ]

    shown = [shown_cycle(client_for(user).get(url, {CYCLE_PARAM: "2025"})) for user, url in pages]
    unknown = [client_for(user).get(url, {CYCLE_PARAM: "1999"}).status_code for user, url in pages]

    assert shown == [2025] * len(pages)
    assert unknown == [404] * len(pages)


@pytest.mark.django_db
def test_before_any_cycle_begins_the_default_is_the_first_to_come(kanwil_kaltim):
    regions = list(Region.objects.of_kanwil(kanwil_kaltim))
    ensure_cycle(2025, regions)
    ensure_cycle(2026, regions)
    request = RequestFactory().get("/")

    assert choose_cycle(request, cycles_with_periods(), today=datetime.date(2024, 6, 1)).year == (
        2025
    )


HOLIDAYS = frozenset({datetime.date(2025, 12, 25), datetime.date(2025, 12, 26)})
days = st.dates(min_value=datetime.date(2025, 1, 1), max_value=datetime.date(2026, 12, 31))


@given(day=days, count=st.integers(min_value=1, max_value=30))
def test_the_nth_working_day_after_is_what_the_responsiveness_rule_counts(day, count):
    later = scoring.working_day_after(day, count, HOLIDAYS)

    assert scoring.working_days_between(day, later, HOLIDAYS).count == count
    assert scoring.is_working_day(later, HOLIDAYS)


@given(day=days, count=st.integers(min_value=0, max_value=30))
def test_the_nth_working_day_before_counts_back_the_same_way(day, count):
    earlier = scoring.working_day_before(day, count, HOLIDAYS)

    assert scoring.is_working_day(earlier, HOLIDAYS)
    # the days from `earlier` (excluded) to `day` hold exactly `count` working days
    assert scoring.working_days_between(earlier, day, HOLIDAYS).count == count


def test_christmas_and_cuti_bersama_are_not_working_days():
    # Tue 23 Dec 2025: the next working day after two holidays is Mon 29 Dec (R2 of DESIGN).
    assert scoring.working_day_after(datetime.date(2025, 12, 24), 1, HOLIDAYS) == (
        datetime.date(2025, 12, 29)
    )
