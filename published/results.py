"""The published figures, and nothing else: one function per figure that the public pages,
the open data files and the public API all show (DESIGN section 12). Final scores (F, C, T,
R), ranks, reporting and on-time rates and piagam; never evidence, notes or officers' names.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from accounts.cached import versions
from evaluation.models import VERSIONS_CACHE_KEY, current_versions
from evaluation.publication import VERSION_KEY as PUBLICATIONS_KEY
from evaluation.publication import published_cycle_ids, published_period_ids
from evaluation.rankings import cycle_ranking, period_ranking
from evaluation.recaps import rate
from piagam.changes import VERSION_KEY as PIAGAM_KEY
from piagam.models import Certificate, CertificateStatus
from reporting.models import Period, ReportingCycle

CACHE_SECONDS = 3600
HISTORY_YEARS = 5


@dataclass(frozen=True)
class Piagam:
    number: str
    categories: tuple
    verify_url: str


@dataclass
class ResultRow:
    """One region's published result in a cycle or a period."""

    code: str
    name: str
    level: str
    province_code: str
    province_name: str
    kanwil_code: str
    kanwil_name: str
    final: Decimal
    completeness: Decimal
    timeliness: Decimal
    responsiveness: Decimal
    rank_national: int
    rank_kanwil: int | None
    periods: int
    submitted: int
    on_time: int
    reporting_rate: Decimal | None
    on_time_rate: Decimal | None
    piagam: list = field(default_factory=list)


def state_version():
    """Everything a published figure depends on: publications, scores, names, piagam. Read
    in one round trip to the shared cache (each public request starts here)."""
    found = cache.get_many([PUBLICATIONS_KEY, VERSIONS_CACHE_KEY, PIAGAM_KEY])
    publications, piagam = versions([PUBLICATIONS_KEY, PIAGAM_KEY], found)
    stamps = current_versions(found)
    parts = (publications, sorted(stamps.scores.items()), stamps.names)
    return hashlib.sha256(repr((parts, piagam)).encode()).hexdigest()[:20]


def _cached(key, compute):
    full = f"public:{key}:{state_version()}"
    found = cache.get(full)
    if found is None:
        found = compute()
        cache.set(full, found, CACHE_SECONDS)
    return found


def published_cycles():
    """Cycles whose whole results are public, newest first."""
    ids = published_cycle_ids()
    return list(ReportingCycle.objects.filter(pk__in=ids).order_by("-year"))


def published_cycle(year):
    return ReportingCycle.objects.filter(year=year, pk__in=published_cycle_ids()).first()


def _piagam_by_region(cycle):
    found = defaultdict(list)
    rows = (
        Certificate.objects.filter(cycle=cycle, status=CertificateStatus.ISSUED)
        .order_by("number")
        .values_list("region_id", "number", "categories", "token")
    )
    for region_id, number, categories, token in rows:
        found[region_id].append(
            Piagam(
                number=number,
                categories=tuple(categories),
                verify_url=settings.SITE_URL + reverse("piagam:verify", args=[token]),
            )
        )
    return found


def _rows(ranking, piagam):
    peers = defaultdict(int)
    rows = []
    for entry in ranking:
        region = entry.region
        link = getattr(region.province, "kanwil_link", None)
        kanwil = link.kanwil if link else None
        if kanwil is not None:
            peers[kanwil.pk] += 1
        province = region.province or region
        rows.append(
            ResultRow(
                code=region.code,
                name=region.name,
                level=region.level,
                province_code=province.code,
                province_name=province.name,
                kanwil_code=kanwil.code if kanwil else "",
                kanwil_name=kanwil.name if kanwil else "",
                final=entry.final,
                completeness=entry.completeness,
                timeliness=entry.timeliness,
                responsiveness=entry.responsiveness,
                rank_national=entry.position,
                rank_kanwil=peers[kanwil.pk] if kanwil else None,
                periods=entry.periods,
                submitted=entry.submitted,
                on_time=entry.on_time,
                reporting_rate=rate(entry.submitted, entry.periods),
                on_time_rate=rate(entry.on_time, entry.periods),
                piagam=piagam.get(region.pk, []),
            )
        )
    return rows


def cycle_results(cycle):
    """Every region's annual result in a published cycle, in national rank order. A
    published cycle is final, every period closed: its ranking is the portal's own annual
    ranking (shared with its pages' cache)."""
    if cycle.pk not in published_cycle_ids():
        return []
    return _cached(
        f"cycle:{cycle.pk}", lambda: _rows(cycle_ranking(cycle), _piagam_by_region(cycle))
    )


def period_results(period):
    """Every region's result in one published period."""
    if period.pk not in published_period_ids():
        return []
    return _cached(f"period:{period.pk}", lambda: _rows(period_ranking(period), {}))


def kanwil_results(rows, kanwil_code):
    return [row for row in rows if row.kanwil_code == kanwil_code]


@dataclass
class ProvinceRow:
    code: str
    name: str
    regions: int
    mean_final: Decimal | None
    reporting_rate: Decimal | None
    on_time_rate: Decimal | None
    piagam: int


def province_picture(rows):
    """The national picture per province: regions, mean F, reporting and on-time rates."""
    grouped = defaultdict(list)
    for row in rows:
        grouped[(row.province_code, row.province_name)].append(row)
    picture = []
    for (code, name), members in sorted(grouped.items()):
        periods = sum(r.periods for r in members)
        finals = [r.final for r in members]
        picture.append(
            ProvinceRow(
                code=code,
                name=name,
                regions=len(members),
                mean_final=(sum(finals) / len(finals)).quantize(Decimal("0.01")),
                reporting_rate=rate(sum(r.submitted for r in members), periods),
                on_time_rate=rate(sum(r.on_time for r in members), periods),
                piagam=sum(len(r.piagam) for r in members),
            )
        )
    return picture


def region_history(region_code):
    """The region's published results, one per cycle, oldest first (at most five years)."""
    history = []
    for cycle in published_cycles()[:HISTORY_YEARS]:
        for row in cycle_results(cycle):
            if row.code == region_code:
                history.append((cycle.year, row))
                break
    return list(reversed(history))


def published_periods(cycle):
    ids = published_period_ids()
    return [p for p in Period.objects.filter(cycle=cycle).order_by("order") if p.pk in ids]
