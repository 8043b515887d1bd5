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


# What a ranking reads of each Score row, as a tuple: a national cycle has some eleven
# thousand rows, and a model instance per row (with its region, province, Kanwil link and
# Kanwil joined in) cost more than the ranking itself.
SCORE_FIGURES = (
    "region_id",
    "final",
    "timeliness",
    "responsiveness",
    "completeness",
    "submission_offset",
    "response_days",
    "provisional",
    "submitted",
    "on_time",
)


def _scores(periods, kanwil):
    """The SCORE_FIGURES of the periods' scores (one Kanwil's regions, or all)."""
    scores = Score.objects.filter(period__in=periods).order_by()
    if kanwil is not None:
        scores = scores.filter(region__province__kanwil_link__kanwil=kanwil)
    return scores.values_list(*SCORE_FIGURES)


def _regions(ids):
    """{id: Region} with the Kanwil its row names, one instance per region."""
    return Region.objects.select_related("province__kanwil_link__kanwil").in_bulk(ids)


def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def build_ranking(scores):
    """Aggregate score rows (SCORE_FIGURES tuples) per region (mean over the periods given)
    and rank them."""
    per_region = defaultdict(list)
    for row in scores:
        per_region[row[0]].append(row)
    regions = _regions(list(per_region)) if per_region else {}
    entries, figures = [], {}
    for region_id, rows in per_region.items():
        _ids, finals, times, responses_, completes, offsets, days, provisional, sent, on_time = zip(
            *rows, strict=True
        )
        final = scoring.annual_score(finals)
        timeliness = scoring.annual_score(times)
        responsiveness = scoring.annual_score(responses_)
        completeness = scoring.annual_score(completes)
        offset = _mean([o.total_seconds() for o in offsets if o is not None])
        responses = [day for row_days in days for day in row_days]
        figures[region_id] = {
            "completeness": completeness,
            "periods": len(rows),
            "provisional": any(provisional),
            "submitted": sum(sent),
            "on_time": sum(on_time),
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
