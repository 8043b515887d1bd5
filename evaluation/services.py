"""Every change an evaluator or admin makes: reviews, decisions, verification, reopening."""

from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.models import RejectionReason, Report, ReportStatus
from reporting.presenters import round_changes
from reporting.requirements import report_requirements
from reporting.services import ReportingError, reopen_report, return_report, verify_report

from . import presence
from .models import Decision, ItemDecision, Review, ReviewOutcome
from .scorecards import recompute_report


class ReviewConflict(ReportingError):
    """The report changed since the evaluator opened it (another evaluator decided first)."""


class IncompleteReview(ReportingError):
    """Some items lack a decision, a reason, or a note; ``problems`` maps requirement id to
    what is wrong with it, each naming the action and the item."""

    def __init__(self, message, problems):
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class ItemChoice:
    decision: str
    reason: str = ""
    note: str = ""


def current_round(report):
    return report.versions.count()


def item_label(action_number, requirement):
    return _("Aksi %(number)s – %(item)s") % {"number": action_number, "item": requirement.name}


def carried_decisions(report, changes):
    """Items accepted in the previous round whose files did not change since: requirement id
    -> that decision. They keep it unless the evaluator decides otherwise."""
    if changes.previous is None:
        return {}
    previous = ItemDecision.objects.filter(
        review__report=report,
        review__round=changes.previous,
        review__decided_at__isnull=False,
        decision=Decision.ACCEPTED,
    )
    return {d.requirement_id: d for d in previous if changes.is_unchanged(d.requirement_id)}


def check_choices(labelled, choices, carried=()):
    """What is wrong with the evaluator's choices: requirement id -> message (empty if none).

    ``labelled`` is [(action number, requirement)]. An item needs a decision unless it is
    carried from the previous round; a rejection needs a reason, and "Lainnya" a note.
    """
    problems = {}
    for number, req in labelled:
        label = item_label(number, req)
        choice = choices.get(req.pk)
        if choice is None:
            if req.pk not in carried:
                problems[req.pk] = _("%(item)s: belum diputuskan.") % {"item": label}
        elif choice.decision == Decision.REJECTED:
            if choice.reason not in RejectionReason.values:
                problems[req.pk] = _("%(item)s: pilih alasan penolakan.") % {"item": label}
            elif choice.reason == RejectionReason.OTHER and not choice.note.strip():
                problems[req.pk] = _(
                    "%(item)s: alasan “Lainnya” perlu catatan yang menjelaskan apa yang harus "
                    "diperbaiki."
                ) % {"item": label}
    return problems


@dataclass(frozen=True)
class ReviewPlan:
    """The evaluator's decisions as they would be recorded: every item labelled
    ("Aksi 3 – Notulen rapat") with its choice, carried ones included."""

    outcome: str
    note: str
    items: list  # [(label, requirement, ItemChoice, carried)]

    @property
    def rejected(self):
        return [(label, req, c) for label, req, c, _k in self.items if c.decision == "rejected"]

    @property
    def carried(self):
        return [label for label, _req, _c, carried in self.items if carried]


def plan_review(report, *, round, choices, outcome, note="", review=None):
    """Check the evaluator's choices exactly as `decide` will, writing nothing; raises
    ReviewConflict, IncompleteReview or ReportingError, else returns the ReviewPlan."""
    if review is None:
        review = Review.objects.filter(report=report, round=round).first()
    if (
        report.status != ReportStatus.SUBMITTED
        or current_round(report) != round
        or (review is not None and review.decided_at is not None)
    ):
        decided = review.decided_by if review and review.decided_by_id else None
        raise ReviewConflict(
            _(
                "Laporan ini sudah diputuskan oleh %(name)s. Muat ulang halaman untuk melihat "
                "keadaan terbaru."
            )
            % {"name": decided.shown_name}
            if decided
            else _("Laporan ini berubah sejak halaman dibuka. Muat ulang halaman.")
        )
    labelled = [
        (block.action.number, req)
        for block in report_requirements(report.region, report.period)
        for req in block.requirements
    ]
    # Round two carries round one: an accepted item whose files did not change keeps its
    # decision unless the evaluator chose otherwise.
    carried = carried_decisions(report, round_changes(report))
    choices = {**{pk: ItemChoice(decision=Decision.ACCEPTED) for pk in carried}, **choices}
    problems = check_choices(labelled, choices)
    if problems:
        raise IncompleteReview(
            _("Keputusan belum lengkap: %(problems)s") % {"problems": " ".join(problems.values())},
            problems,
        )
    plan = ReviewPlan(
        outcome=outcome,
        note=note,
        items=[
            (
                item_label(number, req),
                req,
                choices[req.pk],
                req.pk in carried and choices[req.pk].decision == Decision.ACCEPTED,
            )
            for number, req in labelled
        ],
    )
    if outcome == ReviewOutcome.RETURNED and not plan.rejected and not note.strip():
        raise ReportingError(
            _(
                "Tidak ada butir yang ditolak: tuliskan apa yang harus "
                "diperbaiki, atau verifikasi laporan."
            )
        )
    return plan


@transaction.atomic
def decide(report, *, by, round, choices, outcome, note="", now=None, opened_at=None):
    """Record a decision on every required item, then return or verify the report.

    ``choices`` maps requirement id -> ItemChoice. ``round`` is the round the evaluator saw:
    if the report moved on since (another evaluator decided, or the region resubmitted),
    nothing is recorded. The first decision of a round records the review: who decided and
    when they began (``opened_at``; by default when they opened the screen, else now).
    """
    now = now or timezone.now()
    locked = (
        Report.objects.select_for_update()
        .select_related("region", "period__cycle")
        .get(pk=report.pk)
    )
    review = Review.objects.filter(report=locked, round=round).first()
    plan = plan_review(
        locked, round=round, choices=choices, outcome=outcome, note=note, review=review
    )
    requirements = [req for _label, req, _choice, _carried in plan.items]
    choices = {req.pk: choice for _label, req, choice, _carried in plan.items}
    rejected = [(req, choice) for _label, req, choice in plan.rejected]
    if review is None:
        began = opened_at or presence.opened_since(locked, round=round, user=by) or now
        review = Review.objects.create(
            report=locked, round=round, opened_by=by, opened_at=min(began, now)
        )
    ItemDecision.objects.bulk_create(
        [
            ItemDecision(
                review=review,
                requirement=req,
                decision=choices[req.pk].decision,
                reason=choices[req.pk].reason
                if choices[req.pk].decision == Decision.REJECTED
                else "",
                note=choices[req.pk].note,
            )
            for req in requirements
        ]
    )
    if outcome == ReviewOutcome.RETURNED:
        return_report(
            locked,
            by=by,
            note=note,
            now=now,
            items=[(req, choice.reason, choice.note) for req, choice in rejected],
        )
    else:
        verify_report(locked, by=by, now=now)
    review.decided_by, review.decided_at, review.outcome, review.note = by, now, outcome, note
    review.save(update_fields=["decided_by", "decided_at", "outcome", "note"])
    recompute_report(locked)
    # A cache note, not work: robust, so a cache that fails never turns the saved decision
    # into an error page (the note expires by itself).
    transaction.on_commit(partial(presence.forget, locked.pk), robust=True)
    return review


@transaction.atomic
def reopen(report, *, by, reason, now=None):
    """Open a verified report again with a written reason; its score is recomputed.

    The piagam that rest on the scope's awards are flagged by piagam, which listens to the
    reopening's audit event.
    """
    locked = reopen_report(report, by=by, reason=reason, now=now)
    recompute_report(locked)
    return locked
