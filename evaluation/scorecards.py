"""From the database to the scoring rules and back: bulk inputs, Score rows, explanations.

The rules themselves are pure functions in ``evaluation.scoring``; this module only gathers
what they need for a whole cycle in a fixed number of queries and stores what they return.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

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

from . import scoring
from .models import Decision, ItemDecision, Score, ScoreStamp


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
        if self.final == Decision.ACCEPTED:
            if self.first == Decision.ACCEPTED:
                return scoring.ItemOutcome.ACCEPTED_FIRST
            return scoring.ItemOutcome.ACCEPTED_AFTER_REVISION
        if self.final == Decision.REJECTED:
            return scoring.ItemOutcome.REJECTED
        if report_submitted and self.has_evidence:
            # Not reviewed yet: counted as accepted, and the score is marked provisional.
            return scoring.ItemOutcome.ACCEPTED_FIRST
        return scoring.ItemOutcome.MISSING

    @property
    def pending(self):
        return self.final is None


@dataclass
class ScoreInputs:
    """Everything the rules need for one region in one period."""

    region: Region
    period: Period
    report: Report | None
    extension_due: object = None
    items: list = field(default_factory=list)
    requests: list = field(default_factory=list)  # reporting RevisionRequest rows

    @property
    def submitted(self):
        return self.report is not None and self.report.first_submitted_at is not None

    @property
    def provisional(self):
        if self.report is None:
            return False
        return self.report.status in (ReportStatus.SUBMITTED, ReportStatus.RETURNED) or any(
            item.pending for item in self.items if self.submitted
        )

    def score(self, settings, holidays):
        return scoring.score_report(
            first_submitted_at=self.report.first_submitted_at if self.report else None,
            due_on=self.period.due_on,
            closes_on=self.period.closes_on,
            tz=self.region.time_zone,
            extended_to=self.extension_due,
            outcomes=[item.outcome(self.submitted) for item in self.items],
            revision_requests=[
                scoring.RevisionRequest(returned_at=r.returned_at, resubmitted_at=r.answered_at)
                for r in self.requests
            ],
            holidays=holidays,
            settings=settings,
        )


def holiday_dates(cycle):
    """Holidays from the cycle's year to the next (revision rounds can run past new year)."""
    return frozenset(
        Holiday.objects.filter(date__year__in=[cycle.year, cycle.year + 1]).values_list(
            "date", flat=True
        )
    )


def gather(cycle, *, periods=None, regions=None):
    """ScoreInputs of every assigned (region, period) pair of the cycle, in eight queries."""
    periods = list(periods if periods is not None else Period.objects.filter(cycle=cycle))
    period_ids = [p.pk for p in periods]
    assignments = Assignment.objects.filter(action__cycle=cycle)
    if regions is not None:
        assignments = assignments.filter(region__in=regions)
    actions_of = defaultdict(set)
    region_rows = {}
    for assignment in assignments.select_related("region"):
        actions_of[assignment.region_id].add(assignment.action_id)
        region_rows[assignment.region_id] = assignment.region
    measures = defaultdict(dict)  # period -> action -> [(requirement id, name, action number)]
    for measure in (
        ActionMeasure.objects.filter(period__in=period_ids)
        .select_related("action")
        .prefetch_related("requirements")
    ):
        measures[measure.period_id][measure.action_id] = [
            (r.pk, r.name, measure.action.number) for r in measure.requirements.all()
        ]
    reports = {
        (r.region_id, r.period_id): r
        for r in Report.objects.filter(
            period__in=period_ids, region__in=list(region_rows)
        ).order_by()  # no joins for the default ordering
    }
    extensions = (
        Extension.objects.filter(period__in=period_ids, region__in=list(region_rows))
        .order_by()  # one extension per region and period: no joins for the ordering
        .due_dates()
    )
    return _assemble(periods, actions_of, region_rows, measures, reports, extensions)


def gather_one(region, period):
    """The ScoreInputs of one region in one period exactly as ``gather`` returns them for the
    pair (None if nothing is assigned to it in the period), in at most six queries."""
    actions_of = defaultdict(set)
    measures = defaultdict(dict)
    rows = (
        ActionMeasure.objects.filter(
            period=period, action__cycle=period.cycle_id, action__assignments__region=region
        )
        .order_by("action_id", "requirements__order", "requirements__id")
        .values_list("action_id", "action__number", "requirements__id", "requirements__name")
    )
    for action_id, number, requirement_id, name in rows:
        # Assigned actions without a measure in the period add no item to it in ``gather``.
        actions_of[region.pk].add(action_id)
        required = measures[period.pk].setdefault(action_id, [])
        if requirement_id is not None:
            required.append((requirement_id, name, number))
    if not actions_of:
        return None
    reports = {
        (r.region_id, r.period_id): r
        for r in Report.objects.filter(period=period, region=region).order_by()
    }
    extensions = Extension.objects.filter(period=period, region=region).order_by().due_dates()
    (inputs,) = _assemble([period], actions_of, {region.pk: region}, measures, reports, extensions)
    return inputs


def _assemble(periods, actions_of, region_rows, measures, reports, extensions):
    """ScoreInputs of the assigned pairs from what ``gather`` read, with the reports' revision
    requests, decisions and evidence (three queries when there are reports)."""
    report_ids = [r.pk for r in reports.values()]
    requests = defaultdict(list)
    decisions = defaultdict(list)  # report -> [(round, requirement, decision, reason)]
    with_evidence = set()
    if report_ids:
        for request in RevisionRequest.objects.filter(report__in=report_ids).order_by(
            "returned_at"
        ):
            requests[request.report_id].append(request)
        for row in (
            ItemDecision.objects.filter(
                review__report__in=report_ids, review__decided_at__isnull=False
            )
            .values_list(
                "review__report_id", "review__round", "requirement_id", "decision", "reason"
            )
            .order_by("review__round")
        ):
            decisions[row[0]].append(row[1:])
        with_evidence = set(
            Evidence.objects.filter(report__in=report_ids, removed_at__isnull=True)
            .order_by()  # the default ordering would make DISTINCT keep every file's row
            .values_list("report_id", "requirement_id")
            .distinct()
        )

    result = []
    for region_id, action_ids in sorted(
        actions_of.items(), key=lambda pair: region_rows[pair[0]].code
    ):
        for period in periods:
            required = [
                item
                for action_id in sorted(action_ids)
                for item in measures[period.pk].get(action_id, [])
            ]
            if not required and not any(a in measures[period.pk] for a in action_ids):
                continue  # nothing assigned in this period
            report = reports.get((region_id, period.pk))
            items = {
                pk: ItemState(requirement_id=pk, name=name, action_number=number)
                for pk, name, number in required
            }
            if report is not None:
                for _round, requirement_id, decision, reason in decisions[report.pk]:
                    item = items.get(requirement_id)
                    if item is None:
                        continue
                    if item.first is None:
                        item.first = decision
                    item.final, item.final_reason = decision, reason
                for item in items.values():
                    item.has_evidence = (report.pk, item.requirement_id) in with_evidence
            result.append(
                ScoreInputs(
                    region=region_rows[region_id],
                    period=period,
                    report=report,
                    extension_due=extensions.get((region_id, period.pk)),
                    items=list(items.values()),
                    requests=requests[report.pk] if report else [],
                )
            )
    return result


def _offset(inputs):
    if not inputs.submitted:
        return None
    due_on = inputs.extension_due or inputs.period.due_on
    return inputs.report.first_submitted_at - end_of_local_day(due_on, inputs.region.zone)


def _drop_unassigned(periods, regions):
    """Delete, in one query, the scores of pairs that no longer have an assigned action
    measured in the period (the pairs ``gather`` leaves out), so they leave the rankings."""
    scores = Score.objects.filter(period__in=[p.pk for p in periods])
    if regions is not None:
        scores = scores.filter(region__in=[r.pk for r in regions])
    assigned = Assignment.objects.filter(
        region=OuterRef("region"), action__measures__period=OuterRef("period")
    )
    scores.filter(~Exists(assigned)).delete()


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
    """{(region id, period id): stored figures} of the scores a recomputation may rewrite."""
    scores = Score.objects.filter(period__in=[p.pk for p in periods]).order_by()
    if regions is not None:
        scores = scores.filter(region__in=[r.pk for r in regions])
    return {
        (row[0], row[1]): tuple(row[2:])
        for row in scores.values_list("region_id", "period_id", *STORED_FIELDS)
    }


@transaction.atomic
def recompute_cycle(cycle, *, periods=None, regions=None):
    """Recompute and store the Score of every assigned region and period; returns the count.

    Only the rows whose figures changed are written (with their ``computed_at``): a national
    recomputation after a change that touches a few regions writes those few.
    """
    settings = scoring_settings(cycle)
    holidays = holiday_dates(cycle)
    periods = list(periods if periods is not None else Period.objects.filter(cycle=cycle))
    gathered = gather(cycle, periods=periods, regions=regions)
    _drop_unassigned(periods, regions)
    stored = _stored(periods, regions)
    now = timezone.now()
    rows = []
    for inputs in gathered:
        result = inputs.score(settings, holidays)
        responses = result.responsiveness_detail.requests if result.responsiveness_detail else ()
        figures = (
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
        if stored.get((inputs.region.pk, inputs.period.pk)) != figures:
            rows.append(
                Score(
                    region=inputs.region,
                    period=inputs.period,
                    computed_at=now,
                    **dict(zip(STORED_FIELDS, figures, strict=True)),
                )
            )
    # One upsert per batch: updating row by row costs seconds for a national cycle.
    Score.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["region", "period"],
        update_fields=[*(name.removesuffix("_id") for name in STORED_FIELDS), "computed_at"],
    )
    ScoreStamp.bump(cycle)
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
    # Holidays only enter the working days between a return and its answer.
    answered = any(request.answered_at for request in inputs.requests)
    holidays = holiday_dates(cycle) if answered else frozenset()
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
    names = dict(Holiday.objects.filter(date__in=skipped).values_list("date", "name"))
    return Explanation(
        inputs=inputs,
        result=result,
        settings=settings,
        deadline=end_of_local_day(due_on, region.zone),
        holidays_skipped=[(day, names.get(day, "")) for day in skipped],
    )
