"""Scoring rules of DESIGN.md section 5, as pure functions.

No Django here: the ORM layer gathers the inputs, these functions decide the figures, and every
result keeps the inputs and intermediate figures that an "explain the score" page shows.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

TWO_PLACES = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def round2(value) -> Decimal:
    """Round half-up to 2 decimals."""
    if isinstance(value, float):
        # Through str, so 96.425 rounds as written and not as its binary neighbour 96.42499...
        value = str(value)
    return Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


# The two figures most scores are, rounded once rather than for every score (a national cycle
# has thousands).
ZERO_SCORE = round2(ZERO)
FULL_SCORE = round2(HUNDRED)


def _as_decimal(value) -> Decimal:
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


@dataclass(frozen=True)
class ScoringSettings:
    """Per-cycle penalties, credits and weights, with the defaults of the design."""

    late_penalty_per_day: Decimal = Decimal("10")
    revision_credit: Decimal = Decimal("0.5")
    revision_sla_days: int = 3
    late_response_penalty_per_day: Decimal = Decimal("20")
    weight_completeness: Decimal = Decimal("0.50")
    weight_timeliness: Decimal = Decimal("0.25")
    weight_responsiveness: Decimal = Decimal("0.25")

    def __post_init__(self):
        for name in (
            "late_penalty_per_day",
            "revision_credit",
            "late_response_penalty_per_day",
            "weight_completeness",
            "weight_timeliness",
            "weight_responsiveness",
        ):
            # Settings may come from a form or fixture as int or float; compare as Decimal.
            object.__setattr__(self, name, _as_decimal(getattr(self, name)))
        if self.late_penalty_per_day < 0 or self.late_response_penalty_per_day < 0:
            raise ValueError("Penalties cannot be negative.")
        if not ZERO <= self.revision_credit <= 1:
            raise ValueError("The revision credit must lie between 0 and 1.")
        if isinstance(self.revision_sla_days, bool) or not isinstance(self.revision_sla_days, int):
            raise ValueError("The revision SLA is a whole number of working days.")
        if self.revision_sla_days < 0:
            raise ValueError("The revision SLA cannot be negative.")
        weights = self.weights
        if any(weight < 0 for weight in weights):
            raise ValueError("Weights cannot be negative.")
        # Otherwise a final score could leave 0..100.
        if sum(weights) != 1:
            raise ValueError("The weights of C, T and R must add up to 1.")

    @property
    def weights(self) -> tuple[Decimal, Decimal, Decimal]:
        """Weights of C, T and R, in that order."""
        return (self.weight_completeness, self.weight_timeliness, self.weight_responsiveness)

    @functools.cached_property
    def credits(self) -> dict[ItemOutcome, Decimal]:
        """The credit of each item outcome under these settings, worked out once."""
        return {outcome: outcome.credit(self) for outcome in ItemOutcome}


DEFAULT_SETTINGS = ScoringSettings()


def _zone(tz: str | tzinfo) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _zone_name(zone: tzinfo) -> str:
    return getattr(zone, "key", None) or str(zone)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} is naive; scoring needs aware datetimes.")


def local_date(moment: datetime, tz: str | tzinfo) -> date:
    """The calendar date of `moment` in the region's time zone."""
    _require_aware(moment)
    return moment.astimezone(_zone(tz)).date()


# Timeliness -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelinessResult:
    """T with what it was computed from."""

    score: Decimal
    tz: str
    due_on: date
    extended_to: date | None
    deadline_date: date
    closes_on: date
    effective_close: date
    penalty_per_day: Decimal
    submitted_local: datetime | None
    late_days: int | None
    on_time: bool
    submitted_by_close: bool

    @property
    def submitted(self) -> bool:
        return self.submitted_local is not None


def timeliness(
    *,
    first_submitted_at: datetime | None,
    due_on: date,
    closes_on: date,
    tz: str | tzinfo,
    extended_to: date | None = None,
    settings: ScoringSettings = DEFAULT_SETTINGS,
) -> TimelinessResult:
    """Score the first submission against the end of the (extended) due date, local time."""
    if closes_on < due_on:
        raise ValueError("A period cannot close before it is due.")
    if extended_to is not None and extended_to < due_on:
        raise ValueError("An extension must not come before the due date.")
    zone = _zone(tz)
    deadline = extended_to or due_on
    # An extension past the close keeps the door open until the extended date.
    effective_close = max(closes_on, deadline)
    submitted_local = None
    late_days = None
    score = ZERO_SCORE
    by_close = False
    if first_submitted_at is not None:
        _require_aware(first_submitted_at)
        submitted_local = first_submitted_at.astimezone(zone)
        day = submitted_local.date()
        late_days = max(0, (day - deadline).days)
        by_close = day <= effective_close
        if by_close:
            score = round2(max(ZERO, HUNDRED - settings.late_penalty_per_day * late_days))
    return TimelinessResult(
        score=score,
        tz=_zone_name(zone),
        due_on=due_on,
        extended_to=extended_to,
        deadline_date=deadline,
        closes_on=closes_on,
        effective_close=effective_close,
        penalty_per_day=settings.late_penalty_per_day,
        submitted_local=submitted_local,
        late_days=late_days,
        on_time=late_days == 0,
        submitted_by_close=by_close,
    )


# Responsiveness ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkingDays:
    """Working days d with after < d <= through, and the weekday holidays passed over."""

    after: date
    through: date
    counted: tuple[date, ...]
    skipped_holidays: tuple[date, ...]

    @property
    def count(self) -> int:
        return len(self.counted)


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    """Monday to Friday and not in the holiday table: the one working-day rule of the portal."""
    return day.weekday() < 5 and day not in holidays


def working_day_after(day: date, count: int, holidays: Collection[date]) -> date:
    """The `count`-th working day after `day`."""
    while count > 0:
        day += timedelta(days=1)
        count -= is_working_day(day, holidays)
    return day


def working_day_before(day: date, count: int, holidays: Collection[date]) -> date:
    """The `count`-th working day before `day`; with 0, `day` or the working day before it."""
    while not is_working_day(day, holidays):
        day -= timedelta(days=1)
    for _step in range(count):
        day -= timedelta(days=1)
        while not is_working_day(day, holidays):
            day -= timedelta(days=1)
    return day


def working_days_between(after: date, through: date, holidays: Collection[date]) -> WorkingDays:
    """Count Monday-to-Friday days after `after` up to and including `through`, minus holidays."""
    holiday_set = holidays if isinstance(holidays, (set, frozenset)) else frozenset(holidays)
    counted = []
    skipped = []
    day = after + timedelta(days=1)
    while day <= through:
        if is_working_day(day, holiday_set):
            counted.append(day)
        elif day.weekday() < 5:
            skipped.append(day)
        day += timedelta(days=1)
    return WorkingDays(
        after=after, through=through, counted=tuple(counted), skipped_holidays=tuple(skipped)
    )


# Many requests of a national cycle span the same days: count each span once. WorkingDays is
# immutable, so the results can be shared.
@functools.lru_cache(maxsize=4096)
def _working_days(after: date, through: date, holidays: frozenset[date]) -> WorkingDays:
    return working_days_between(after, through, holidays)


@dataclass(frozen=True)
class RevisionRequest:
    """One return for revision and the resubmission that answered it, if any."""

    returned_at: datetime
    resubmitted_at: datetime | None = None


@dataclass(frozen=True)
class RequestScore:
    """The score of one revision request."""

    request: RevisionRequest
    returned_local: datetime
    resubmitted_local: datetime | None
    # Present whenever there was a resubmission, even one after the close, to show the count.
    working_days: WorkingDays | None
    answered_by_close: bool
    score: Decimal

    @property
    def w(self) -> int | None:
        return None if self.working_days is None else self.working_days.count


@dataclass(frozen=True)
class ResponsivenessResult:
    """R with the detail of every revision request."""

    score: Decimal
    tz: str
    closes_on: date | None
    sla_days: int
    penalty_per_day: Decimal
    requests: tuple[RequestScore, ...]


def _request_score(w: int, settings: ScoringSettings) -> Decimal:
    if w <= settings.revision_sla_days:
        return FULL_SCORE
    overrun = w - settings.revision_sla_days
    return round2(max(ZERO, HUNDRED - settings.late_response_penalty_per_day * overrun))


def responsiveness(
    requests: Sequence[RevisionRequest],
    *,
    tz: str | tzinfo,
    holidays: Collection[date],
    closes_on: date | None = None,
    settings: ScoringSettings = DEFAULT_SETTINGS,
) -> ResponsivenessResult:
    """Score how fast the region answered each revision request, in local working days.

    A request not answered by the end of `closes_on` (local date) scores 0; without `closes_on`
    only an unanswered request does.
    """
    zone = _zone(tz)
    holiday_set = frozenset(holidays)
    scored = []
    for request in requests:
        _require_aware(request.returned_at)
        returned_local = request.returned_at.astimezone(zone)
        resubmitted_local = None
        days = None
        answered = False
        score = ZERO_SCORE
        if request.resubmitted_at is not None:
            _require_aware(request.resubmitted_at)
            if request.resubmitted_at < request.returned_at:
                raise ValueError("A resubmission cannot precede its return.")
            resubmitted_local = request.resubmitted_at.astimezone(zone)
            days = _working_days(returned_local.date(), resubmitted_local.date(), holiday_set)
            answered = closes_on is None or resubmitted_local.date() <= closes_on
            if answered:
                score = _request_score(days.count, settings)
        scored.append(
            RequestScore(
                request=request,
                returned_local=returned_local,
                resubmitted_local=resubmitted_local,
                working_days=days,
                answered_by_close=answered,
                score=score,
            )
        )
    if scored:
        overall = round2(sum((item.score for item in scored), ZERO) / len(scored))
    else:
        overall = FULL_SCORE
    return ResponsivenessResult(
        score=overall,
        tz=_zone_name(zone),
        closes_on=closes_on,
        sla_days=settings.revision_sla_days,
        penalty_per_day=settings.late_response_penalty_per_day,
        requests=tuple(scored),
    )


# Completeness -----------------------------------------------------------------------------------


class ItemOutcome(enum.StrEnum):
    """Where a required evidence item stands at the final review."""

    ACCEPTED_FIRST = "accepted_first"
    ACCEPTED_AFTER_REVISION = "accepted_after_revision"
    REJECTED = "rejected"
    MISSING = "missing"

    def credit(self, settings: ScoringSettings = DEFAULT_SETTINGS) -> Decimal:
        if self is ItemOutcome.ACCEPTED_FIRST:
            return Decimal(1)
        if self is ItemOutcome.ACCEPTED_AFTER_REVISION:
            return settings.revision_credit
        return ZERO


# Each outcome, found by itself or by its value without the cost of an Enum call.
_OUTCOMES = {outcome: outcome for outcome in ItemOutcome}


def _outcomes(values: Sequence[ItemOutcome | str]) -> tuple[ItemOutcome, ...]:
    values = tuple(values)
    try:
        return tuple(map(_OUTCOMES.__getitem__, values))
    except (KeyError, TypeError):
        # ItemOutcome() raises the ValueError that names a value that is no outcome.
        return tuple(ItemOutcome(value) for value in values)


@dataclass(frozen=True)
class CompletenessResult:
    """C with the credit of each item, in the order the outcomes were given."""

    score: Decimal
    earned: Decimal
    required: int
    revision_credit: Decimal
    outcomes: tuple[ItemOutcome, ...]
    credits: tuple[Decimal, ...]

    def count(self, outcome: ItemOutcome) -> int:
        return self.outcomes.count(outcome)


def completeness(
    outcomes: Sequence[ItemOutcome | str], settings: ScoringSettings = DEFAULT_SETTINGS
) -> CompletenessResult:
    """Score the required evidence items of a report by their final outcome."""
    items = _outcomes(outcomes)
    credits = tuple(map(settings.credits.__getitem__, items))
    earned = sum(credits, ZERO)
    score = round2(HUNDRED * earned / len(items)) if items else FULL_SCORE
    return CompletenessResult(
        score=score,
        earned=earned,
        required=len(items),
        revision_credit=settings.revision_credit,
        outcomes=items,
        credits=credits,
    )


# Final, annual ----------------------------------------------------------------------------------


def _criterion(name: str, value) -> Decimal:
    rounded = round2(value)
    if not ZERO <= rounded <= HUNDRED:
        raise ValueError(f"{name} must lie between 0 and 100, not {value}.")
    return rounded


def final_score(
    *,
    completeness: Decimal,
    timeliness: Decimal,
    responsiveness: Decimal,
    settings: ScoringSettings = DEFAULT_SETTINGS,
) -> Decimal:
    """Weighted F, from the criteria as rounded for display so the page adds up."""
    c = _criterion("C", completeness)
    t = _criterion("T", timeliness)
    r = _criterion("R", responsiveness)
    return round2(
        settings.weight_completeness * c
        + settings.weight_timeliness * t
        + settings.weight_responsiveness * r
    )


@dataclass(frozen=True)
class ReportScore:
    """C, T, R and F of one report, with the detail of each criterion.

    When the report was not submitted by the close every criterion is 0 and only the timeliness
    detail (which says so) is kept.
    """

    completeness: Decimal
    timeliness: Decimal
    responsiveness: Decimal
    final: Decimal
    submitted_by_close: bool
    timeliness_detail: TimelinessResult
    completeness_detail: CompletenessResult | None
    responsiveness_detail: ResponsivenessResult | None
    settings: ScoringSettings

    @property
    def contributions(self) -> tuple[tuple[str, Decimal, Decimal, Decimal], ...]:
        """(criterion, weight, score, weight * score) for each criterion."""
        rows = zip(
            ("C", "T", "R"),
            self.settings.weights,
            (self.completeness, self.timeliness, self.responsiveness),
            strict=True,
        )
        return tuple((name, weight, score, weight * score) for name, weight, score in rows)


def score_report(
    *,
    first_submitted_at: datetime | None,
    due_on: date,
    closes_on: date,
    tz: str | tzinfo,
    outcomes: Sequence[ItemOutcome | str],
    revision_requests: Sequence[RevisionRequest] = (),
    holidays: Collection[date] = (),
    extended_to: date | None = None,
    settings: ScoringSettings = DEFAULT_SETTINGS,
) -> ReportScore:
    """Score a report on all three criteria and combine them."""
    t = timeliness(
        first_submitted_at=first_submitted_at,
        due_on=due_on,
        closes_on=closes_on,
        tz=tz,
        extended_to=extended_to,
        settings=settings,
    )
    if not t.submitted_by_close:
        nothing = ZERO_SCORE
        return ReportScore(
            completeness=nothing,
            timeliness=nothing,
            responsiveness=nothing,
            final=nothing,
            submitted_by_close=False,
            timeliness_detail=t,
            completeness_detail=None,
            responsiveness_detail=None,
            settings=settings,
        )
    c = completeness(outcomes, settings)
    r = responsiveness(
        revision_requests,
        tz=tz,
        holidays=holidays,
        closes_on=t.effective_close,
        settings=settings,
    )
    return ReportScore(
        completeness=c.score,
        timeliness=t.score,
        responsiveness=r.score,
        final=final_score(
            completeness=c.score,
            timeliness=t.score,
            responsiveness=r.score,
            settings=settings,
        ),
        submitted_by_close=True,
        timeliness_detail=t,
        completeness_detail=c,
        responsiveness_detail=r,
        settings=settings,
    )


def annual_score(period_scores: Sequence[Decimal]) -> Decimal | None:
    """Mean F over the closed periods that had assigned actions; None when there were none."""
    if not period_scores:
        return None
    return round2(sum((Decimal(score) for score in period_scores), ZERO) / len(period_scores))


# Rankings ---------------------------------------------------------------------------------------


class RankedBy(enum.StrEnum):
    """The first ranking criterion that set an entry below the one before it."""

    FINAL = "final"
    TIMELINESS = "timeliness"
    RESPONSIVENESS = "responsiveness"
    MEAN_FIRST_SUBMISSION = "mean_first_submission"
    REGION_CODE = "region_code"


@dataclass(frozen=True)
class RankingEntry:
    """One region's figures for a ranking (a period or a whole cycle).

    `mean_first_submission` is an aware datetime, or a number (such as seconds relative to the
    deadline) when means over several periods are compared; None ranks after any value. Use
    one kind within a ranking.
    """

    key: Hashable
    region_code: str
    final: Decimal
    timeliness: Decimal
    responsiveness: Decimal
    mean_first_submission: datetime | float | Decimal | None = None


@dataclass(frozen=True)
class RankedEntry:
    position: int
    entry: RankingEntry
    # None for the first entry.
    ranked_by: RankedBy | None


def _levels(entry: RankingEntry) -> tuple:
    submission = entry.mean_first_submission
    return (
        -Decimal(entry.final),
        -Decimal(entry.timeliness),
        -Decimal(entry.responsiveness),
        (submission is None, submission),
        entry.region_code,
    )


def rank(entries: Sequence[RankingEntry]) -> list[RankedEntry]:
    """Order by F, then T, then R (all descending), earlier mean submission, region code."""
    codes = [entry.region_code for entry in entries]
    if len(set(codes)) != len(codes):
        raise ValueError("Region codes in a ranking must be unique.")
    ordered = sorted(entries, key=_levels)
    ranked = []
    previous = None
    for position, entry in enumerate(ordered, start=1):
        ranked_by = None
        if previous is not None:
            levels = zip(_levels(previous), _levels(entry), strict=True)
            ranked_by = next(
                level for level, (a, b) in zip(RankedBy, levels, strict=True) if a != b
            )
        ranked.append(RankedEntry(position=position, entry=entry, ranked_by=ranked_by))
        previous = entry
    return ranked
