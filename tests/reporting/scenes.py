"""Scenes shared by the tests of setup changes: two regions of Kaltim with known scores."""

import datetime
from zoneinfo import ZoneInfo

from evaluation.rankings import period_ranking
from evaluation.scorecards import recompute_cycle
from reporting.services import return_report, submit_report
from tests.support import build_period, submitted_report

WITA = ZoneInfo("Asia/Makassar")
ON_TIME = datetime.datetime(2025, 10, 9, 14, 0, tzinfo=WITA)
THREE_DAYS_LATE = datetime.datetime(2025, 10, 13, 9, 0, tzinfo=WITA)
RETURNED = datetime.datetime(2025, 10, 13, 10, 0, tzinfo=WITA)  # a Monday
RESUBMITTED = datetime.datetime(2025, 10, 20, 10, 0, tzinfo=WITA)  # the Monday after


def late_and_on_time(balikpapan, samarinda, officer_balikpapan, officer_samarinda):
    """TW3 2025 (due 10 Oct, closed 31 Oct), one action of one item, not reviewed yet:
    Samarinda sent on 9 Oct (F = 100), Balikpapan on 13 Oct (T = 70, F = 92.50).
    Scores are computed; returns the period."""
    period = build_period([balikpapan, samarinda], actions=1, items_per_action=1)
    submitted_report(samarinda, period, officer_samarinda, at=ON_TIME)
    submitted_report(balikpapan, period, officer_balikpapan, at=THREE_DAYS_LATE)
    recompute_cycle(period.cycle)
    return period


def returned_and_answered(
    balikpapan, samarinda, officer_balikpapan, officer_samarinda, evaluator_kaltim
):
    """TW3 2025, both sent on time; Samarinda's report was returned on Monday 13 October and
    answered on Monday 20 October: five working days, two past the limit (R = 60, F = 90),
    when no holiday falls in between. Scores are computed; returns the period."""
    period = build_period([balikpapan, samarinda], actions=1, items_per_action=1)
    submitted_report(balikpapan, period, officer_balikpapan, at=ON_TIME)
    report = submitted_report(samarinda, period, officer_samarinda, at=ON_TIME)
    return_report(report, by=evaluator_kaltim, note="Lengkapi tanda tangan.", now=RETURNED)
    submit_report(report, by=officer_samarinda, now=RESUBMITTED)
    recompute_cycle(period.cycle)
    return period


def ranking(period):
    """(region code, F) in ranking order."""
    return [(row.region.code, str(row.final)) for row in period_ranking(period)]
