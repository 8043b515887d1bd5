"""What the review screen shows, read in few queries and laid out before the template runs.

The screen lists every required item of a report with its files, earlier decisions and the
evaluator's form fields. Building those rows here (one query per kind of row, plain values
where no model behaviour is needed, each lookup done once) keeps the template a plain walk
over prepared data: a lookup inside its loops would be repeated for every item and file.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.utils.translation import gettext as _

from accounts.models import Region
from reporting.cycles import periods_by_pk
from reporting.edit_screen import url_by_id
from reporting.models import Evidence, RejectionReason
from reporting.requirements import report_requirements

from .models import Decision, ItemDecision


@dataclass
class ReviewItem:
    """One required evidence item with everything its row of the screen shows."""

    pk: int
    name: str
    ref: str = ""  # the pk as the form fields name it, rendered without number formatting
    files: list = field(default_factory=list)
    previous: object = None  # PastDecision of the latest decided round, if any
    posted: object = None  # the ItemChoice read from a refused POST
    carried: bool = False
    changed: bool = False
    problem: str | None = None
    chosen: str = ""
    reason_options: str = ""


@dataclass
class ReviewBlock:
    """One assigned action measured in the period, with its required items."""

    action_id: int
    number: int
    title: str
    measure: str
    requirements: list = field(default_factory=list)
    entry: object = None


@dataclass(frozen=True)
class PastDecision:
    round: int
    decision: str
    reason: str

    @property
    def decision_label(self):
        return Decision(self.decision).label if self.decision in Decision.values else self.decision

    @property
    def reason_label(self):
        return dict(RejectionReason.choices).get(self.reason, self.reason)

    @property
    def summary(self):
        """What the item's row says of it: "putaran 1: Ditolak (Tanpa tanda tangan …)"."""
        said = _("putaran %(number)s: %(decision)s") % {
            "number": self.round,
            "decision": self.decision_label,
        }
        return f"{said} ({self.reason_label})" if self.reason else said


def review_blocks(report):
    """The report's assigned actions measured in its period, each with its required items:
    what ``reporting.requirements`` says the region must report (kept in the shared cache
    under the setup version), laid out as the screen's rows."""
    return [
        ReviewBlock(
            block.action.pk,
            block.action.number,
            block.action.title,
            block.measure.measure,
            requirements=[
                ReviewItem(pk=req.pk, name=req.name, ref=str(req.pk)) for req in block.requirements
            ],
        )
        for block in report_requirements(report.region, report.period)
    ]


def past_decisions(report):
    """[(round, requirement id, decision, reason)] of every decided round, oldest first."""
    return list(
        ItemDecision.objects.filter(review__report=report, review__decided_at__isnull=False)
        .order_by("review__round", "pk")
        .values_list("review__round", "requirement_id", "decision", "reason")
    )


def latest_decisions(decided):
    """Requirement id -> PastDecision of the latest decided round that judged it."""
    return {
        req_id: PastDecision(number, decision, reason)
        for number, req_id, decision, reason in decided
    }


def carried_ids(decided, changes):
    """The items accepted in the previous round whose files did not change since: the rule of
    ``services.carried_decisions``, over decisions already read."""
    if changes.previous is None:
        return frozenset()
    return frozenset(
        req_id
        for number, req_id, decision, _reason in decided
        if number == changes.previous
        and decision == Decision.ACCEPTED
        and changes.is_unchanged(req_id)
    )


def evidence_files(report, new_evidence=frozenset()):
    """Requirement id -> the files the report holds for it, as plain rows, in one query."""
    grouped = defaultdict(list)
    rows = report.evidence.filter(removed_at__isnull=True).values(
        "pk", "requirement_id", "original_name", "content_type", "size", "sha256"
    )
    file_url = url_by_id("reporting:evidence-file")
    for row in rows:
        row["url"] = file_url(row["pk"])
        row["is_new"] = row["pk"] in new_evidence
        row["duplicates"] = ""
        grouped[row["requirement_id"]].append(row)
    return grouped


def mark_duplicates(report, files, viewer=None):
    """Set each file's ``duplicates`` ("Kota Samarinda – Triwulan III 2025; …"): where else
    the exact file was sent, as ``reporting.presenters.duplicate_flags`` names it. A region
    outside the viewer's scope is only hinted at.

    Mostly nothing is found: one plain query asks whether any other report holds one of these
    files at all, and only when one does, a second names the places (the files sent elsewhere
    with their regions and whether the viewer may see each place). The second, with its
    scope and its joins, costs Django more to compose than PostgreSQL to run, so a review with
    no shared file pays for the first only. Their periods are named from the cached cycles
    (``reporting.cycles.periods_by_pk``): the query then joins neither the period nor its
    cycle. Without a shared cache, the periods of what was found cost one query more."""
    mine = defaultdict(list)
    for rows in files.values():
        for row in rows:
            mine[row["sha256"]].append(row)
    if not mine:
        return
    candidates = (
        Evidence.objects.filter(sha256__in=list(mine), removed_at__isnull=True)
        .exclude(report=report)
        .order_by()
    )
    if not candidates.values_list("pk")[:1]:
        return
    if viewer is not None:
        visible = Region.objects.visible_to(viewer)
        in_scope = ExpressionWrapper(Q(report__region__in=visible), output_field=BooleanField())
    else:
        in_scope = Value(True)
    found = list(
        # Only files another region actually sent count: not drafts, not files taken back.
        candidates.filter(report__first_submitted_at__isnull=False)
        .annotate(in_scope=in_scope)
        .values_list("sha256", "in_scope", "report__region__name", "report__period_id")
    )
    if not found:
        return
    periods = periods_by_pk(period_id for *_rest, period_id in found)
    seen_elsewhere = defaultdict(set)
    for sha, shown, region, period_id in found:
        seen_elsewhere[sha].add(
            f"{region} – {periods[period_id]}"
            if shown
            else _("daerah lain di luar wilayah kerja Anda")
        )
    for sha, places in seen_elsewhere.items():
        shown = "; ".join(sorted(places))
        for row in mine[sha]:
            row["duplicates"] = shown
