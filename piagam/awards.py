"""Who wins which award of a cycle in a scope (DESIGN.md section 6), with the figures why."""

from collections import defaultdict
from dataclasses import dataclass, field

from evaluation.rankings import closed_periods, cycle_ranking
from reporting.models import Report, ReportStatus

from .models import AwardCategory


@dataclass
class Proposal:
    """One region's piagam in a scope: the categories it won and the numbers behind them."""

    row: object  # rankings.RankingRow
    categories: list = field(default_factory=list)

    @property
    def region(self):
        return self.row.region


@dataclass
class CategoryWinner:
    category: str
    row: object
    why: str


def _eligible(rows, cycle, minimum):
    """Every closed period verified and an annual F of at least the cycle's minimum."""
    periods = closed_periods(cycle)
    verified = defaultdict(int)
    for region_id in Report.objects.filter(
        period__in=periods, status=ReportStatus.VERIFIED, region__in=[r.region for r in rows]
    ).values_list("region_id", flat=True):
        verified[region_id] += 1
    return [
        row
        for row in rows
        if row.final >= minimum and not row.provisional and verified[row.region.pk] == row.periods
    ]


def _fastest_key(row):
    offset = row.mean_offset_seconds
    return (-row.timeliness, offset if offset is not None else float("inf"), row.region.code)


def _most_responsive_key(row):
    median = row.median_response_days if row.median_response_days is not None else 0
    return (-row.responsiveness, median, row.region.code)


def winners(cycle, kanwil=None):
    """The winner of each category in the scope, or none where no region is eligible."""
    rows = cycle_ranking(cycle, kanwil)
    eligible = _eligible(rows, cycle, cycle.award_min_score)
    if not eligible:
        return []
    best = eligible[0]  # the ranking's own order: F, then its tie-breaks
    fastest = min(eligible, key=_fastest_key)
    responsive = min(eligible, key=_most_responsive_key)
    return [
        CategoryWinner(AwardCategory.TERBAIK, best, f"F = {best.final}"),
        CategoryWinner(AwardCategory.TERCEPAT, fastest, f"T = {fastest.timeliness}"),
        CategoryWinner(
            AwardCategory.PALING_RESPONSIF, responsive, f"R = {responsive.responsiveness}"
        ),
    ]


def proposals(cycle, kanwil=None):
    """One proposal per winning region, naming every category it won, in category order."""
    by_region = {}
    for winner in winners(cycle, kanwil):
        proposal = by_region.setdefault(winner.row.region.pk, Proposal(row=winner.row))
        proposal.categories.append(winner.category)
    return list(by_region.values())
