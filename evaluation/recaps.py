"""Reporting rates per period and per Kanwil, and a region's place in the annual ranking.

The rates follow DHIS2: reporting rate = reports submitted / reports expected, on-time rate =
reports submitted on time / reports expected. A report is expected from every region with an
assigned action that has a measure in the period (the rule ``scorecards.gather`` uses).

The figures are read from assignments, reports and extensions rather than from the stored
``Score`` rows: those are refreshed when an evaluator decides, not when a region submits, and
an admin watching a period in progress wants today's submissions counted.
"""

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count
from django.utils.translation import get_language

from accounts.cached import digest, read_at_version, version
from accounts.days import ministry_today
from accounts.models import Kanwil, Region
from reporting.models import Assignment, Extension, Period, Report, ReportStatus
from reporting.querysets import SETUP_VERSION_KEY

from . import caches, charts, scoring
from .models import VERSIONS_CACHE_KEY, Versions, current_versions
from .rankings import cycle_ranking, period_ranking

KANWIL_OF_REGION = "province__kanwil_link__kanwil_id"
ONE_DECIMAL = Decimal("0.1")


def rate(part, whole):
    """Percentage of `part` in `whole`, half-up to one decimal; None when nothing was expected."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass
class Counts:
    """Expected reports and where they stand."""

    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    awaiting: int = 0  # submitted, waiting for the evaluator
    returned: int = 0
    verified: int = 0

    def add(self, other):
        for name in ("expected", "submitted", "on_time", "awaiting", "returned", "verified"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def not_submitted(self):
        return max(0, self.expected - self.submitted)

    @property
    def reporting_rate(self):
        return rate(self.submitted, self.expected)

    @property
    def on_time_rate(self):
        return rate(self.on_time, self.expected)


@dataclass(frozen=True)
class ExpectedReport:
    """One region's report due for one period, and how it stands."""

    region_id: int
    region_code: str
    period_id: int
    kanwil_id: int | None
    submitted: bool  # first submitted by the (extended) close
    on_time: bool  # first submitted by the end of the (extended) due date, local time
    status: str | None  # None: the region has not started a report

    def counts(self):
        return Counts(
            expected=1,
            submitted=int(self.submitted),
            on_time=int(self.on_time),
            awaiting=int(self.status == ReportStatus.SUBMITTED),
            returned=int(self.status == ReportStatus.RETURNED),
            verified=int(self.status == ReportStatus.VERIFIED),
        )


PAIRS_SECONDS = 3600


def expected_reports(periods, *, kanwil=None, regions=None):
    """Every expected report of the given periods (of one cycle), in three queries.

    Over every region, one Kanwil's, or the given queryset of regions (a user's scope). With
    a shared cache (CACHE_URL) and no Kanwil, which region reports in which period comes from
    there (``expected_pairs``) and a scope costs one query of its region ids instead.
    """
    periods = {period.pk: period for period in periods}
    if not periods:
        return []
    reports = Report.objects.filter(period__in=list(periods))
    extensions = Extension.objects.filter(period__in=list(periods))
    if kanwil is not None:
        in_kanwil = Region.objects.of_kanwil(kanwil)
        reports = reports.filter(region__in=in_kanwil)
        extensions = extensions.filter(region__in=in_kanwil)
    if regions is not None:
        reports = reports.filter(region__in=regions)
        extensions = extensions.filter(region__in=regions)
    if settings.CACHE_URL and kanwil is None:
        pairs = expected_pairs(list(periods))
        if regions is not None:
            scope = set(regions.values_list("pk", flat=True))
            pairs = [pair for pair in pairs if pair[0] in scope]
    else:
        pairs = _read_pairs(list(periods), kanwil=kanwil, regions=regions)
    submitted = {
        (region_id, period_id): (status, first_submitted_at)
        for region_id, period_id, status, first_submitted_at in reports.values_list(
            "region_id", "period_id", "status", "first_submitted_at"
        )
    }
    extended = extensions.due_dates()
    result = []
    for region_id, region_code, period_id, kanwil_id, time_zone in pairs:
        period = periods[period_id]
        status, first_submitted_at = submitted.get((region_id, period_id), (None, None))
        timeliness = scoring.timeliness(
            first_submitted_at=first_submitted_at,
            due_on=period.due_on,
            closes_on=period.closes_on,
            tz=time_zone,
            extended_to=extended.get((region_id, period_id)),
        )
        result.append(
            ExpectedReport(
                region_id=region_id,
                region_code=region_code,
                period_id=period_id,
                kanwil_id=kanwil_id,
                submitted=timeliness.submitted_by_close,
                on_time=timeliness.submitted_by_close and timeliness.on_time,
                status=status,
            )
        )
    return result


def expected_pairs(period_ids):
    """(region id, region code, period id, Kanwil id, time zone) of every region expected to
    report in the given periods, from the shared cache.

    Kept with the setup version (every write to actions, measures or assignments moves it)
    under a key holding the names version (every region or Kanwil saved, and every province
    moved to another Kanwil, moves it), so that neither a new assignment nor a region's new
    Kanwil, code or time zone is missed.
    """
    period_ids = sorted(period_ids)
    return read_at_version(
        SETUP_VERSION_KEY,
        digest("expected-pairs", current_versions().names, period_ids),
        lambda: _read_pairs(period_ids),
        PAIRS_SECONDS,
    )


def _read_pairs(period_ids, *, kanwil=None, regions=None):
    pairs = Assignment.objects.filter(action__measures__period__in=period_ids)
    if kanwil is not None:
        pairs = pairs.filter(region__in=Region.objects.of_kanwil(kanwil))
    if regions is not None:
        pairs = pairs.filter(region__in=regions)
    return list(
        pairs.order_by()
        .values_list(
            "region_id",
            "region__code",
            "action__measures__period_id",
            f"region__{KANWIL_OF_REGION}",
            "region__time_zone",
        )
        .distinct()
    )


# One text per period that changes with what its expected reports show: the state and first
# submission of every report, and every extended due date (a row added or removed as well).
# Written out rather than composed with the ORM: it is read on every request of the API's
# rates, and composing and compiling its subqueries cost several times what running it does.
# Each row is hashed as it is stored (no text made of dates and times, no sort), and the
# hashes summed with the rows' count: a row that changes moves the sum by the difference of
# two 64-bit hashes, which a change elsewhere cancels with a chance of about 2^-64.
PERIOD_STATE_SQL = """
SELECT {columns},
    (SELECT count(*) || ':' || coalesce(sum(hash_record_extended(
                (region_id, status, first_submitted_at), 0)), 0)
       FROM {report} WHERE period_id = period.id) AS reports_digest,
    (SELECT count(*) || ':' || coalesce(sum(hash_record_extended((region_id, due_on), 0)), 0)
       FROM {extension} WHERE period_id = period.id) AS extensions_digest
FROM {period} AS period
WHERE period.id = %s
"""


def period_with_state(period_id):
    """The period with ``reports_digest`` and ``extensions_digest``, in one query; None when
    there is no such period.

    Read from the rows themselves rather than from counters that writes move, so that no
    door that changes a report or an extension (a service, the admin, a data fix) goes
    unseen.
    """
    if connection.vendor != "postgresql":
        return _period_with_state_read(period_id)  # SQLite (a quick start): no row hashes
    fields = Period._meta.concrete_fields
    with connection.cursor() as cursor:
        cursor.execute(_period_state_sql(), [period_id])
        row = cursor.fetchone()
    if row is None:
        return None
    # A model built from the row as the ORM would, without a raw queryset's column mapping.
    period = Period.from_db(connection.alias, [f.attname for f in fields], row[: len(fields)])
    period.reports_digest, period.extensions_digest = row[len(fields) :]
    return period


@functools.cache
def _period_state_sql():
    quote = connection.ops.quote_name
    return PERIOD_STATE_SQL.format(
        columns=", ".join(f"period.{quote(f.column)}" for f in Period._meta.concrete_fields),
        report=quote(Report._meta.db_table),
        extension=quote(Extension._meta.db_table),
        period=quote(Period._meta.db_table),
    )


def _period_with_state_read(period_id):
    """``period_with_state`` on any database: the same rows read and digested here."""
    period = Period.objects.filter(pk=period_id).first()
    if period is None:
        return None
    reports = Report.objects.filter(period=period).order_by("region_id")
    extensions = Extension.objects.filter(period=period).order_by("region_id")
    period.reports_digest = digest(
        "reports", list(reports.values_list("region_id", "status", "first_submitted_at"))
    )
    period.extensions_digest = digest(
        "extensions", list(extensions.values_list("region_id", "due_on"))
    )
    return period


def expected_version(period):
    """Everything a period's expected reports depend on, for a period of
    ``period_with_state``: its dates, its reports and extensions, the setup version and the
    names version. Meaningful with a shared cache only (the versions live there)."""
    return expected_version_and_entry(period, None)[0]


def expected_version_keys(key=None):
    """The cache keys ``expected_version_and_entry`` reads (with ``key``, the entry's)."""
    return [SETUP_VERSION_KEY, VERSIONS_CACHE_KEY] + ([key] if key else [])


def expected_version_and_entry(period, key, found=None):
    """``expected_version(period)`` and the shared cache's entry under ``key`` (None when
    there is none, or no key), read in one round trip: what an answer kept whole in the
    cache needs to be found and judged current. ``found``: those keys already read
    (``get_many`` of ``expected_version_keys(key)``), for no round trip at all."""
    if found is None:
        found = cache.get_many(expected_version_keys(key))
    setup = found.get(SETUP_VERSION_KEY) or version(SETUP_VERSION_KEY)
    versions = found.get(VERSIONS_CACHE_KEY)
    if not isinstance(versions, Versions):
        versions = current_versions()  # read from the rows and kept again
    state = (
        period.pk,
        period.due_on,
        period.closes_on,
        period.reports_digest,
        period.extensions_digest,
        setup,
        versions.names,
    )
    return state, found.get(key) if key else None


@dataclass
class PeriodRate:
    """The reporting figures of one period."""

    period: object
    counts: Counts
    due: bool  # the due date has passed: every expected report should be in

    @property
    def label(self):
        return self.period.code


def by_period(expected, periods, today=None):
    """Counts per period, in the periods' order; periods without expected reports included."""
    today = today or ministry_today()
    counts = defaultdict(Counts)
    for report in expected:
        counts[report.period_id].add(report.counts())
    return [
        PeriodRate(period=period, counts=counts[period.pk], due=period.due_on < today)
        for period in periods
    ]


@dataclass
class KanwilRecap:
    """The figures of one Kanwil (or of the regions no Kanwil covers, `kanwil` None)."""

    kanwil: Kanwil | None
    regions: int
    counts: Counts = field(default_factory=Counts)

    @property
    def name(self):
        return self.kanwil.name if self.kanwil else ""


@dataclass
class Recap:
    rows: list  # KanwilRecap, by Kanwil name; the uncovered regions last when there are any
    total: KanwilRecap


def region_counts(kanwil=None):
    """Number of regions per Kanwil id (None: not covered by any Kanwil), in one query."""
    regions = Region.objects.all() if kanwil is None else Region.objects.of_kanwil(kanwil)
    return {
        row[KANWIL_OF_REGION]: row["n"]
        for row in regions.order_by().values(KANWIL_OF_REGION).annotate(n=Count("pk"))
    }


def by_kanwil(expected, kanwils, regions):
    """Counts per Kanwil with national totals; `regions` as returned by `region_counts`."""
    rows = {
        kanwil.pk: KanwilRecap(kanwil=kanwil, regions=regions.get(kanwil.pk, 0))
        for kanwil in kanwils
    }
    uncovered = KanwilRecap(kanwil=None, regions=regions.get(None, 0))
    for report in expected:
        row = rows.get(report.kanwil_id, uncovered) if report.kanwil_id else uncovered
        row.counts.add(report.counts())
    ordered = list(rows.values())
    if uncovered.regions or uncovered.counts.expected:
        ordered.append(uncovered)
    total = KanwilRecap(kanwil=None, regions=sum(row.regions for row in ordered))
    for row in ordered:
        total.counts.add(row.counts)
    return Recap(rows=ordered, total=total)


def kanwil_recap(periods, *, kanwil=None):
    """Per-Kanwil figures over the given periods (national, or one Kanwil), in five queries."""
    kanwils = [kanwil] if kanwil is not None else list(Kanwil.objects.all())
    return by_kanwil(expected_reports(periods, kanwil=kanwil), kanwils, region_counts(kanwil))


def period_rates(cycle, *, kanwil=None, regions=None, today=None, scope=None):
    """Per-period figures of a cycle (national, one Kanwil or some regions), in four queries,
    cached per score version: every change they count (a submission, a decision, a reopening,
    an extension, an assignment, a period's dates) recomputes the cycle's scores and so bumps
    it, and a region or Kanwil changed bumps the names version.

    ``scope``, when the regions are a user's (``Region.objects.visible_to``), is
    ``caches.scope`` of that user: it decides the regions, so it keys them without compiling
    their query."""
    today = today or ministry_today()
    periods = list(cycle.periods.all())

    def compute():
        return by_period(expected_reports(periods, kanwil=kanwil, regions=regions), periods, today)

    if scope is None:
        try:
            scope = str(regions.query) if regions is not None else None
        except EmptyResultSet:
            return compute()
    key = caches.figures_key(
        "period-rates",
        cycle.pk,
        [p.pk for p in periods],
        kanwil.pk if kanwil is not None else None,
        scope,
        today.isoformat(),
    )
    return caches.cached_figures(key, compute)


def due_periods(cycle, today=None):
    """The cycle's periods whose due date has passed: the ones every region should have sent."""
    today = today or ministry_today()
    return [period for period in cycle.periods.all() if period.due_on < today]


def overview_figures(cycle, period, counted, today):
    """The national overview's table and charts of a cycle (one ``period``, or the annual
    figures over the ``counted`` periods), ready to render: they walk every expected report
    and score row of the cycle, so they are computed once per score version and language
    (every submission, decision, extension or assignment moves the version)."""
    key = overview_key("overview", cycle, period, counted, today)
    return caches.cached_figures(key, lambda: _overview_figures(cycle, period, counted, today))


def overview_key(prefix, cycle, period, counted, today):
    """The key of what the overview shows of a cycle, a period (or the year) and a day."""
    return caches.figures_key(
        prefix,
        cycle.pk,
        period.pk if period else "tahunan",
        [p.pk for p in counted],
        today.isoformat(),
        get_language(),
    )


def scored(rows):
    """Whether any region of the ranking has sent a report that counts in it."""
    return any(row.submitted for row in rows)


def _overview_figures(cycle, period, counted, today):
    all_periods = list(cycle.periods.all())
    counted_ids = {p.pk for p in counted}
    expected = expected_reports(all_periods)
    periods = by_period(expected, all_periods, today)
    ranking = period_ranking(period) if period is not None else cycle_ranking(cycle, today=today)
    if not scored(ranking):
        ranking = []  # nobody has sent anything: no order to draw
    return {
        "recap": by_kanwil(
            [report for report in expected if report.period_id in counted_ids],
            list(Kanwil.objects.all()),
            region_counts(),
        ),
        "by_period": periods,
        "rate_chart": charts.reporting_rate_chart(periods),
        "distribution_chart": charts.score_histogram([row.final for row in ranking]),
        "ranking_chart": charts.ranking_bars(ranking, top=10),
    }


# A region's place ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionPositions:
    """Where a region stands in the annual ranking of its Kanwil and nationally."""

    final: Decimal
    provisional: bool
    periods: int
    national: int
    national_of: int
    kanwil: Kanwil | None
    in_kanwil: int | None
    in_kanwil_of: int | None


STANDING_CACHE_SECONDS = 3600


def all_region_positions(cycle, today=None, *, versions=None):
    """{region id: RegionPositions} of every region in the cycle's annual national ranking.

    Two queries (one if the cycle's periods are prefetched). Ranking is a total order on each
    region's own figures, so the order within a Kanwil is the national order restricted to it.
    """
    national = cycle_ranking(cycle, today=today, versions=versions)
    kanwils = {}  # one instance per Kanwil, so that the cached standings hold each once
    kanwil_of = {}
    peers = defaultdict(list)
    for row in national:
        link = getattr(row.region.province, "kanwil_link", None)
        kanwil = kanwils.setdefault(link.kanwil_id, link.kanwil) if link else None
        kanwil_of[row.region.pk] = kanwil
        peers[kanwil.pk if kanwil else None].append(row.region.pk)
    places = {
        region_id: index
        for members in peers.values()
        for index, region_id in enumerate(members, start=1)
    }
    positions = {}
    for row in national:
        kanwil = kanwil_of[row.region.pk]
        positions[row.region.pk] = RegionPositions(
            final=row.final,
            provisional=row.provisional,
            periods=row.periods,
            national=row.position,
            national_of=len(national),
            kanwil=kanwil,
            in_kanwil=places[row.region.pk] if kanwil else None,
            in_kanwil_of=len(peers[kanwil.pk]) if kanwil else None,
        )
    return positions


def cycle_standings(cycle, today=None):
    """Every region's positions in the cycle, as `all_region_positions`, cached as one entry,
    and, with a shared cache, each region's as an entry of its own (what an officer's home
    reads).

    The keys hold the cycle's score version, the names version and the day, so a
    recomputation, a renamed or regrouped region or Kanwil, or a period closing gives new
    entries; there is nothing else to keep in step.
    """
    today = today or ministry_today()
    versions = caches.versions_in_use()

    def compute():
        positions = all_region_positions(cycle, today=today, versions=versions)
        if not settings.CACHE_URL:
            return positions  # a per-process cache holds a few hundred entries: one is kept
        caches.store_figures(
            {
                caches.region_standing_key(cycle, versions, today, region_id): (found,)
                for region_id, found in positions.items()
            },
            STANDING_CACHE_SECONDS,
        )
        return positions

    return caches.cached_figures(
        caches.standings_key(cycle, versions, today), compute, STANDING_CACHE_SECONDS
    )


def region_positions(region, cycle, today=None):
    """The region's annual position in its Kanwil and nationally, or None if it is not ranked.

    With a shared cache, read from the region's own entry, which the cycle's standings write
    (the worker's rebuild writes them ahead): once cached, an officer's home page reads one
    small entry rather than the whole country's standings.
    """
    today = today or ministry_today()
    if not settings.CACHE_URL:
        return cycle_standings(cycle, today=today).get(region.pk)
    key = caches.region_standing_key(cycle, caches.versions_in_use(), today, region.pk)
    (found,) = caches.cached_figures(
        key,
        lambda: (cycle_standings(cycle, today=today).get(region.pk),),
        STANDING_CACHE_SECONDS,
    )
    return found
