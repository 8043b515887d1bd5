"""Who wins which award of a cycle in a scope (DESIGN.md section 6), with the figures why."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils.formats import number_format
from django.utils.translation import gettext as _

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


@dataclass
class Eligibility:
    """Whether a ranked region may receive an award of its scope, and if not, why not."""

    row: object  # rankings.RankingRow
    verified: int  # closed periods whose report is verified
    minimum: Decimal

    @property
    def provisional(self):
        return self.row.provisional

    @property
    def all_verified(self):
        return self.verified >= self.row.periods

    @property
    def below_minimum(self):
        return self.row.final < self.minimum

    @property
    def eligible(self):
        return not self.provisional and self.all_verified and not self.below_minimum

    def notes(self):
        """Why not, in the reader's language; empty when eligible."""
        notes = []
        if self.provisional:
            notes.append(_("nilai masih sementara (ada laporan yang belum selesai diverifikasi)"))
        if not self.all_verified:
            notes.append(
                _("baru %(verified)s dari %(periods)s periode diverifikasi")
                % {"verified": self.verified, "periods": self.row.periods}
            )
        if self.below_minimum:
            notes.append(
                _("F di bawah nilai minimal %(minimum)s")
                % {"minimum": number_format(self.minimum, decimal_pos=2)}
            )
        return notes


def eligibility(rows, cycle, today=None):
    """DESIGN section 6: every closed period verified and an annual F of at least the cycle's
    minimum. One Eligibility per ranking row, in the ranking's order, in one query."""
    verified = defaultdict(int)
    if rows:
        for found in (
            Report.objects.filter(
                period__in=closed_periods(cycle, today),
                status=ReportStatus.VERIFIED,
                region__in=[row.region.pk for row in rows],
            )
            .order_by()
            .values("region_id")
            .annotate(count=Count("id"))
        ):
            verified[found["region_id"]] = found["count"]
    return [
        Eligibility(row=row, verified=verified[row.region.pk], minimum=cycle.award_min_score)
        for row in rows
    ]


def _fastest_key(row):
    offset = row.mean_offset_seconds
    return (-row.timeliness, offset if offset is not None else float("inf"), row.region.code)


def _most_responsive_key(row):
    median = row.median_response_days if row.median_response_days is not None else 0
    return (-row.responsiveness, median, row.region.code)


def winners(cycle, kanwil=None, today=None):
    """The winner of each category in the scope, or none where no region is eligible."""
    return winners_among(eligibility(cycle_ranking(cycle, kanwil, today=today), cycle, today))


def winners_among(items):
    """The winners among Eligibility items given in the ranking's order."""
    eligible = [item.row for item in items if item.eligible]
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


def proposals(cycle, kanwil=None, today=None):
    """One proposal per winning region, naming every category it won, in category order."""
    return proposals_among(eligibility(cycle_ranking(cycle, kanwil, today=today), cycle, today))


def proposals_among(items):
    """The proposals among Eligibility items given in the ranking's order."""
    by_region = {}
    for winner in winners_among(items):
        proposal = by_region.setdefault(winner.row.region.pk, Proposal(row=winner.row))
        proposal.categories.append(winner.category)
    return list(by_region.values())
