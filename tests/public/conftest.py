"""Two published cycles (2024, 2025) for Kaltim and Jatim regions, scored directly: the public
side reads only Score rows, periods and piagam."""

import datetime
from decimal import Decimal

import pytest

from evaluation.models import Score
from evaluation.publication import publish
from reporting.models import Period, ReportingCycle


def closed_period(year):
    cycle, _created = ReportingCycle.objects.get_or_create(year=year)
    return Period.objects.create(
        cycle=cycle,
        order=1,
        code="TW3",
        name=f"Triwulan III {year}",
        starts_on=datetime.date(year, 7, 1),
        ends_on=datetime.date(year, 9, 30),
        opens_on=datetime.date(year, 10, 1),
        due_on=datetime.date(year, 10, 10),
        closes_on=datetime.date(year, 10, 31),
    )


def score(region, period, final, c, t, r, *, on_time=True):
    return Score.objects.create(
        region=region,
        period=period,
        final=Decimal(final),
        completeness=Decimal(c),
        timeliness=Decimal(t),
        responsiveness=Decimal(r),
        submitted=True,
        on_time=on_time,
        submission_offset=datetime.timedelta(hours=-5),
    )


@pytest.fixture
def published(balikpapan, samarinda, surabaya, kanwil_kaltim, kanwil_jatim, admin_user):
    """2024 and 2025 published; Balikpapan first in Kaltim both years, Surabaya (Jatim) first
    nationally in 2025."""
    scores = {
        2024: [(balikpapan, "97.00", "94", "100", "100"), (samarinda, "80.00", "80", "80", "80")],
        2025: [
            (balikpapan, "99.00", "98", "100", "100"),
            (samarinda, "85.50", "90", "70", "92"),
            (surabaya, "99.50", "100", "98", "100"),
        ],
    }
    cycles = {}
    for year, rows in scores.items():
        period = closed_period(year)
        for region, final, c, t, r in rows:
            score(region, period, final, c, t, r, on_time=region != samarinda)
        cycles[year] = publish(period.cycle, by=admin_user).cycle
    return cycles
