"""Rankings per period and per cycle, per Kanwil and national, from the stored Score rows."""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from accounts.days import ministry_today
from accounts.models import Region

from . import caches, scoring
from .models import Score


@dataclass
class RankingRow:
    position: int
    region: Region
    final: Decimal
    timeliness: Decimal
    responsiveness: Decimal
    completeness: Decimal
    periods: int
    provisional: bool
    submitted: int
    on_time: int
    mean_offset_seconds: float | None
    median_response_days: float | None
    ranked_by: str | None

    @property
    def kanwil_name(self):
        link = getattr(self.region.province, "kanwil_link", None)
        return link.kanwil.name if link else ""


def _scores(periods, kanwil):
    scores = Score.objects.filter(period__in=periods).select_related(
        "region__province__kanwil_link__kanwil"
    )
    if kanwil is not None:
        scores = scores.filter(region__province__kanwil_link__kanwil=kanwil)
    return scores


def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def build_ranking(scores):
    """Aggregate Score rows per region (mean over the periods given) and rank them."""
    per_region = defaultdict(list)
    regions = {}
    for score in scores:
        per_region[score.region_id].append(score)
        regions[score.region_id] = score.region
    entries, figures = [], {}
    for region_id, rows in per_region.items():
        final = scoring.annual_score([r.final for r in rows])
        timeliness = scoring.annual_score([r.timeliness for r in rows])
        responsiveness = scoring.annual_score([r.responsiveness for r in rows])
        completeness = scoring.annual_score([r.completeness for r in rows])
        offset = _mean(
            [r.submission_offset.total_seconds() for r in rows if r.submission_offset is not None]
        )
        responses = [days for r in rows for days in r.response_days]
        figures[region_id] = {
            "completeness": completeness,
            "periods": len(rows),
            "provisional": any(r.provisional for r in rows),
            "submitted": sum(r.submitted for r in rows),
            "on_time": sum(r.on_time for r in rows),
            "mean_offset_seconds": offset,
            "median_response_days": statistics.median(responses) if responses else None,
        }
        entries.append(
            scoring.RankingEntry(
                key=region_id,
                region_code=regions[region_id].code,
                final=final,
                timeliness=timeliness,
                responsiveness=responsiveness,
                mean_first_submission=offset,
            )
        )
    return [
        RankingRow(
            position=ranked.position,
            region=regions[ranked.entry.key],
            final=ranked.entry.final,
            timeliness=ranked.entry.timeliness,
            responsiveness=ranked.entry.responsiveness,
            ranked_by=ranked.ranked_by.value if ranked.ranked_by else None,
            **figures[ranked.entry.key],
        )
        for ranked in scoring.rank(entries)
    ]


def _kanwil_key(kanwil):
    return kanwil.pk if kanwil is not None else "nasional"


def period_ranking(period, kanwil=None):
    """The ranking of one period, cached per score version (see ``caches.figures_key``)."""
    key = caches.figures_key("period-ranking", period.cycle_id, period.pk, _kanwil_key(kanwil))
    return caches.cached_figures(key, lambda: build_ranking(_scores([period], kanwil)))


def closed_periods(cycle, today=None):
    today = today or ministry_today()
    return [p for p in cycle.periods.all() if p.closes_on < today]


def cycle_ranking(cycle, kanwil=None, today=None, *, versions=None):
    """The annual ranking: mean over the cycle's closed periods that had assigned actions."""
    periods = closed_periods(cycle, today)
    if not periods:
        return []
    # Cached per score version: every page that shows it (overview, rankings, awards,
    # standings, exports) reads one computation until the cycle's scores change.
    key = caches.figures_key(
        "cycle-ranking", cycle.pk, [p.pk for p in periods], _kanwil_key(kanwil), versions=versions
    )
    return caches.cached_figures(key, lambda: build_ranking(_scores(periods, kanwil)))
