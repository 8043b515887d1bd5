"""From the database to the scoring rules and back: bulk inputs, Score rows, explanations.

The rules themselves are pure functions in ``evaluation.scoring``; this module only gathers
what they need for a whole cycle in a fixed number of queries and stores what they return.
"""

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter

from django.db import transaction
from django.utils import timezone

from accounts.holidays import holiday_names
from accounts.models import Holiday, Region
from reporting.models import (
    ActionMeasure,
    Assignment,
    Evidence,
    Extension,
    Period,
    Report,
    ReportStatus,
    RevisionRequest,
    end_of_local_day,
)
from reporting.requirements import report_requirements

from . import rebuild, scoring
from .models import Decision, ItemDecision, Score


def scoring_settings(cycle):
    return scoring.ScoringSettings(
        late_penalty_per_day=cycle.late_penalty_per_day,
        revision_credit=cycle.revision_credit,
        revision_sla_days=cycle.revision_sla_days,
        late_response_penalty_per_day=cycle.late_response_penalty_per_day,
        weight_completeness=cycle.weight_completeness,
        weight_timeliness=cycle.weight_timeliness,
        weight_responsiveness=cycle.weight_responsiveness,
    )


# The enum members an item compares with and returns, by plain name: looking a member up on
# its class costs more than the comparison, thirty thousand times a national recomputation.
ACCEPTED, REJECTED = Decision.ACCEPTED, Decision.REJECTED
ACCEPTED_FIRST = scoring.ItemOutcome.ACCEPTED_FIRST
ACCEPTED_AFTER_REVISION = scoring.ItemOutcome.ACCEPTED_AFTER_REVISION
REJECTED_ITEM = scoring.ItemOutcome.REJECTED
MISSING = scoring.ItemOutcome.MISSING


@dataclass(slots=True)
class ItemState:
    """How one required evidence item stands at the end of the reviews so far."""

    requirement_id: int
    name: str
    action_number: int
    first: str | None = None  # decision at the first review round
    final: str | None = None  # decision at the latest review round
    final_reason: str = ""
    has_evidence: bool = False

    def outcome(self, report_submitted):
        if self.final == ACCEPTED:
            if self.first == ACCEPTED:
                return ACCEPTED_FIRST
            return ACCEPTED_AFTER_REVISION
        if self.final == REJECTED:
            return REJECTED_ITEM
        if report_submitted and self.has_evidence:
            # Not reviewed yet: counted as accepted, and the score is marked provisional.
            return ACCEPTED_FIRST
        return MISSING

    @property
    def pending(self):
        return self.final is None


@dataclass(frozen=True, slots=True)
class ReportState:
    """What the rules read of a report (a national recomputation reads two thousand of them:
    model instances with every field cost more than the scoring)."""

    pk: int
    status: str
    first_submitted_at: datetime | None


@dataclass(slots=True)
class ScoreInputs:
    """Everything the rules need for one region in one period."""

    region: Region
    period: Period
    report: ReportState | None
    extension_due: object = None
    items: list = field(default_factory=list)
    requests: list = field(default_factory=list)  # scoring.RevisionRequest, oldest first

    @property
    def submitted(self):
        return self.report is not None and self.report.first_submitted_at is not None

    @property
    def provisional(self):
        if self.report is None:
            return False
        return self.report.status in (ReportStatus.SUBMITTED, ReportStatus.RETURNED) or (
            self.submitted and any(item.pending for item in self.items)
        )

    def score(self, settings, holidays):
        submitted = self.submitted
        return scoring.score_report(
            first_submitted_at=self.report.first_submitted_at if self.report else None,
            due_on=self.period.due_on,
            closes_on=self.period.closes_on,
            tz=self.region.time_zone,
            extended_to=self.extension_due,
            outcomes=[item.outcome(submitted) for item in self.items],
            revision_requests=self.requests,
            holidays=holidays,
            settings=settings,
        )


def holiday_years(cycle):
    """The years whose holidays count in a cycle: its own and the next (revision rounds can
    run past new year)."""
    return (cycle.year, cycle.year + 1)


def holiday_dates(cycle):
    """Holidays of the cycle's ``holiday_years``."""
    return frozenset(
        Holiday.objects.filter(date__year__in=holiday_years(cycle)).values_list("date", flat=True)
    )


def gather(cycle, *, periods=None, regions=None):
    """ScoreInputs of every assigned (region, period) pair of the cycle, in eight queries."""
    periods = list(periods if periods is not None else Period.objects.filter(cycle=cycle))
    period_ids = [p.pk for p in periods]
    # Rows as tuples, not model instances, wherever no model behaviour is needed: a national
    # cycle reads tens of thousands of them.
    assignments = Assignment.objects.filter(action__cycle=cycle).order_by()
    if regions is not None:
        assignments = assignments.filter(region__in=regions)
    actions_of = defaultdict(set)
    for region_id, action_id in assignments.values_list("region_id", "action_id"):
        actions_of[region_id].add(action_id)
    region_rows = Region.objects.in_bulk(list(actions_of))
    measures = defaultdict(dict)  # period -> action -> [(requirement id, name, action number)]
    rows = (
        ActionMeasure.objects.filter(period__in=period_ids)
        .order_by("period_id", "action_id", "requirements__order", "requirements__id")
        .values_list(
            "period_id", "action_id", "action__number", "requirements__id", "requirements__name"
        )
    )
    for period_id, action_id, number, requirement_id, name in rows:
        required = measures[period_id].setdefault(action_id, [])
        if requirement_id is not None:  # a measure without required items still counts
            required.append((requirement_id, name, number))
    # Every report and extension of the periods: those of regions without an assignment are
    # never looked up, and leaving them out costs more than reading the few there are.
    reports = Report.objects.filter(period__in=period_ids)
    extensions = Extension.objects.filter(period__in=period_ids)
    if regions is not None:
        reports = reports.filter(region__in=regions)
        extensions = extensions.filter(region__in=regions)
    # One extension per region and period: no joins for the default ordering.
    extensions = extensions.order_by().due_dates()
    return _assemble(periods, actions_of, region_rows, measures, reports, extensions)


def gather_one(region, period):
    """The ScoreInputs of one region in one period exactly as ``gather`` returns them for the
    pair (None if nothing is assigned to it in the period), in at most five queries.

    The assigned actions and their items are what the report form and the review screen read
    (``reporting.requirements``: from the shared cache, kept under the setup version, or two
    queries more without one), put in ``gather``'s order: by action id, each action's items
    by order and id."""
    actions_of = defaultdict(set)
    measures = defaultdict(dict)
    blocks = sorted(report_requirements(region, period), key=lambda block: block.action.pk)
    for block in blocks:
        action = block.action
        if action.cycle_id != period.cycle_id:
            continue  # as ``gather``, which reads the cycle's assignments only
        # Assigned actions without a measure in the period add no item to it in ``gather``.
        actions_of[region.pk].add(action.pk)
        measures[period.pk][action.pk] = [
            (requirement.pk, requirement.name, action.number)
            for requirement in sorted(block.requirements, key=lambda r: (r.order, r.pk))
        ]
    if not actions_of:
        return None
    reports = Report.objects.filter(period=period, region=region)
    extensions = Extension.objects.filter(period=period, region=region).order_by().due_dates()
    (inputs,) = _assemble([period], actions_of, {region.pk: region}, measures, reports, extensions)
    return inputs


FEW_REPORTS = 20


def _assemble(periods, actions_of, region_rows, measures, reports, extensions):
    """ScoreInputs of the assigned pairs from what ``gather`` read and the ``reports``
    queryset, with the reports' revision requests, decisions and evidence (four queries, one
    when there is no report)."""
    reports = reports.order_by()  # no joins for the default ordering
    states = {
        (region_id, period_id): ReportState(pk, status, first_submitted_at)
        for pk, region_id, period_id, status, first_submitted_at in reports.values_list(
            "pk", "region_id", "period_id", "status", "first_submitted_at"
        )
    }
    requests = defaultdict(list)
    decisions = defaultdict(list)  # report -> [(report, round, requirement, decision, reason)]
    with_evidence = set()
    if states:
        # A few reports (one region's explanation) are named by id, which Django composes
        # and PostgreSQL plans at a fraction of a subquery's cost; many as a subquery: a
        # list of two thousand ids costs the planner more than the join. Evidence alone is
        # always read by id, where the join would scan the whole table.
        ids = [state.pk for state in states.values()]
        report_ids = ids if len(ids) <= FEW_REPORTS else reports.values("pk")
        for report_id, returned_at, answered_at in (
            RevisionRequest.objects.filter(report__in=report_ids)
            .order_by("returned_at", "pk")
            .values_list("report_id", "returned_at", "answered_at")
        ):
            requests[report_id].append(scoring.RevisionRequest(returned_at, answered_at))
        # In any order: each report's few are sorted by round below, cheaper than in SQL.
        for row in (
            ItemDecision.objects.filter(
                review__report__in=report_ids, review__decided_at__isnull=False
            )
            .order_by()
            .values_list(
                "review__report_id", "review__round", "requirement_id", "decision", "reason"
            )
        ):
            decisions[row[0]].append(row)
        # A set drops the repeats (several files for one item) cheaper than DISTINCT.
        with_evidence = set(
            Evidence.objects.filter(report__in=ids, removed_at__isnull=True)
            .order_by()
            .values_list("report_id", "requirement_id")
        )

    result = []
    required_of = {}  # (period, assigned actions) -> required items, shared by most regions
    for region_id, action_ids in sorted(
        actions_of.items(), key=lambda pair: region_rows[pair[0]].code
    ):
        action_ids = tuple(sorted(action_ids))
        for period in periods:
            key = (period.pk, action_ids)
            if key not in required_of:
                measured = measures[period.pk]
                if any(action_id in measured for action_id in action_ids):
                    required_of[key] = [
                        item for action_id in action_ids for item in measured.get(action_id, ())
                    ]
                else:
                    required_of[key] = None  # nothing assigned in this period
            required = required_of[key]
            if required is None:
                continue
            report = states.get((region_id, period.pk))
            if report is None:
                items = [ItemState(pk, name, number) for pk, name, number in required]
            else:
                # By round: one review per round, one decision per item in a review.
                rows = sorted(decisions.get(report.pk, ()), key=itemgetter(1))
                first = {row[2]: row[3] for row in reversed(rows)}  # requirement -> decision
                last = {row[2]: row for row in rows}
                items = []
                for pk, name, number in required:
                    row = last.get(pk)
                    final, reason = (row[3], row[4]) if row else (None, "")
                    sent = (report.pk, pk) in with_evidence
                    items.append(ItemState(pk, name, number, first.get(pk), final, reason, sent))
            result.append(
                ScoreInputs(
                    region=region_rows[region_id],
                    period=period,
                    report=report,
                    extension_due=extensions.get((region_id, period.pk)),
                    items=items,
                    requests=requests[report.pk] if report else [],
                )
            )
    return result


def _offset(inputs):
    if not inputs.submitted:
        return None
    due_on = inputs.extension_due or inputs.period.due_on
    return inputs.report.first_submitted_at - end_of_local_day(due_on, inputs.region.zone)


# The stored figures of a Score, compared to skip writing the rows a recomputation left as
# they were.
STORED_FIELDS = (
    "report_id",
    "completeness",
    "timeliness",
    "responsiveness",
    "final",
    "submitted",
    "on_time",
    "submission_offset",
    "response_days",
    "provisional",
)


def _stored(periods, regions):
    """{(region id, period id): (score id, stored figures)} of the scores a recomputation may
    rewrite or drop."""
    scores = Score.objects.filter(period__in=[p.pk for p in periods]).order_by()
    if regions is not None:
        scores = scores.filter(region__in=[r.pk for r in regions])
    return {
        (row[0], row[1]): (row[2], row[3:])
        for row in scores.values_list("region_id", "period_id", "pk", *STORED_FIELDS)
    }


def _figures(inputs, result):
    """The STORED_FIELDS of one pair's Score."""
    responses = result.responsiveness_detail.requests if result.responsiveness_detail else ()
    return (
        inputs.report.pk if inputs.report else None,
        result.completeness,
        result.timeliness,
        result.responsiveness,
        result.final,
        result.submitted_by_close,
        result.timeliness_detail.on_time,
        _offset(inputs),
        [r.w for r in responses if r.working_days is not None],
        inputs.provisional,
    )


@contextmanager
def _collector_paused():
    """Pause the cyclic garbage collector; reference counting still frees what is dropped.

    A national cycle holds some fifty thousand small objects (items, inputs, results) until
    its scores are stored. Each time that many pass its threshold the collector walks them
    and every other object of the process, to find no garbage: a fifth of the recomputation.
    Any cycle made meanwhile is collected by the next run after. As a decorator it resumes
    once the call has returned and its objects are freed, not while they still count.
    """
    if not gc.isenabled():  # paused by a caller: leave it so
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@_collector_paused()  # outermost: this call's objects are freed before it resumes
@transaction.atomic
def recompute_cycle(cycle, *, periods=None, regions=None):
    """Recompute and store the Score of every assigned region and period; returns the count.

    Only the rows whose figures changed are written (with their ``computed_at``): a national
    recomputation after a change that touches a few regions writes those few. The scores of
    pairs that no longer have an assigned action measured in the period (the pairs ``gather``
    leaves out) are deleted, in one query, so they leave the rankings.
    """
    settings = scoring_settings(cycle)
    holidays = holiday_dates(cycle)
    periods = list(periods if periods is not None else Period.objects.filter(cycle=cycle))
    gathered = gather(cycle, periods=periods, regions=regions)
    stored = _stored(periods, regions)
    now = timezone.now()
    rows = []
    for inputs in gathered:
        figures = _figures(inputs, inputs.score(settings, holidays))
        found = stored.pop((inputs.region.pk, inputs.period.pk), None)
        if found is None or found[1] != figures:
            rows.append(
                Score(
                    region_id=inputs.region.pk,
                    period_id=inputs.period.pk,
                    computed_at=now,
                    **dict(zip(STORED_FIELDS, figures, strict=True)),
                )
            )
    if stored:  # what is left was not gathered: unassigned
        Score.objects.filter(pk__in=[pk for pk, _figures in stored.values()]).delete()
    # One upsert per batch: updating row by row costs seconds for a national cycle.
    Score.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["region", "period"],
        update_fields=[*(name.removesuffix("_id") for name in STORED_FIELDS), "computed_at"],
    )
    # The cached figures follow once the worker has built them (with a shared cache).
    rebuild.after_recomputation(cycle)
    return len(gathered)


def recompute_report(report):
    """Recompute the one Score a report's change affects."""
    return recompute_cycle(report.period.cycle, periods=[report.period], regions=[report.region])


@dataclass
class Explanation:
    inputs: ScoreInputs
    result: scoring.ReportScore
    settings: scoring.ScoringSettings
    deadline: object
    holidays_skipped: list

    @property
    def items(self):
        credits = (
            self.result.completeness_detail.credits
            if self.result.completeness_detail
            else [scoring.ZERO] * len(self.inputs.items)
        )
        return list(zip(self.inputs.items, credits, strict=True))


def explain(region, period):
    """The live computation of one region's score in one period, with every input shown."""
    cycle = period.cycle
    inputs = gather_one(region, period)
    if inputs is None:
        return None
    settings = scoring_settings(cycle)
    # Holidays only enter the working days between a return and its answer. The page reads
    # them from the cache (accounts.holidays); the same days as holiday_dates(cycle).
    answered = any(request.resubmitted_at for request in inputs.requests)
    names = holiday_names() if answered else {}
    holidays = frozenset(day for day in names if day.year in holiday_years(cycle))
    result = inputs.score(settings, holidays)
    due_on = inputs.extension_due or period.due_on
    skipped = sorted(
        {
            day
            for request in (
                result.responsiveness_detail.requests if result.responsiveness_detail else ()
            )
            if request.working_days
            for day in request.working_days.skipped_holidays
        }
    )
    return Explanation(
        inputs=inputs,
        result=result,
        settings=settings,
        deadline=end_of_local_day(due_on, region.zone),
        holidays_skipped=[(day, names.get(day, "")) for day in skipped],
    )
