"""What the reporting pages show, each built with a fixed number of queries."""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Region

from .models import (
    ActionMeasure,
    Evidence,
    Extension,
    Period,
    Report,
    ReportEntry,
    ReportStatus,
    end_of_local_day,
)


@dataclass
class Deadline:
    """A region's deadline for a period, in the region's own time zone."""

    due: object  # aware datetime, end of the due date in the region's zone
    closes_on: object
    zone_abbreviation: str
    extended: bool
    today: object

    @property
    def days_left(self):
        return (self.due.date() - self.today).days

    @property
    def days_overdue(self):
        return max(0, -self.days_left)

    @property
    def is_past_due(self):
        return self.today > self.due.date()

    @property
    def is_closed(self):
        return self.today > self.closes_on


def deadline_info(region, period, extension, now):
    zone = region.zone
    due_on = extension.due_on if extension else period.due_on
    return Deadline(
        due=end_of_local_day(due_on, zone),
        closes_on=max(period.closes_on, due_on),
        zone_abbreviation=region.zone_abbreviation,
        extended=extension is not None,
        today=timezone.localtime(now, zone).date(),
    )


@dataclass
class PeriodRow:
    period: Period
    report: Report | None
    deadline: Deadline
    required_items: int
    required_actions: int
    missing_items: int
    missing_narratives: int

    @property
    def items_to_fix(self):
        """Evidence items the Kanwil rejected in the open return; 0 unless it is returned."""
        if self.report is None or self.report.status != ReportStatus.RETURNED:
            return 0
        return self.report.items_to_fix

    @property
    def state(self):
        return self.report.status if self.report else "not_started"

    @property
    def state_label(self):
        if self.report is None:
            return _("Tidak dilaporkan") if self.deadline.is_closed else _("Belum dimulai")
        return self.report.get_status_display()

    @property
    def needs_action(self):
        if self.state == "not_started" and self.deadline.is_closed:
            return False
        return self.required_actions > 0 and self.state in (
            "not_started",
            ReportStatus.DRAFT,
            ReportStatus.RETURNED,
        )

    @property
    def is_open(self):
        return self.period.opens_on <= self.deadline.today and not self.deadline.is_closed


def officer_period_rows(region, periods):
    """One row per period: state, deadline in local time and what is still missing."""
    reports = {
        r.period_id: r
        for r in Report.objects.filter(region=region, period__in=periods).annotate(
            items_to_fix=_open_revision_items()
        )
    }
    extensions = {
        e.period_id: e for e in Extension.objects.filter(region=region, period__in=periods)
    }
    measures = ActionMeasure.objects.filter(
        period__in=periods, action__assignments__region=region
    ).prefetch_related("requirements")
    required = defaultdict(lambda: {"actions": set(), "items": set()})
    for measure in measures:
        required[measure.period_id]["actions"].add(measure.action_id)
        required[measure.period_id]["items"].update(r.pk for r in measure.requirements.all())
    filled = defaultdict(set)
    for period_id, action_id in (
        ReportEntry.objects.filter(report__in=reports.values())
        .exclude(narrative="")
        .values_list("report__period_id", "action_id")
    ):
        filled[period_id].add(action_id)
    uploaded = defaultdict(set)
    for period_id, requirement_id in Evidence.objects.filter(
        report__in=reports.values(), removed_at__isnull=True
    ).values_list("report__period_id", "requirement_id"):
        uploaded[period_id].add(requirement_id)
    now = timezone.now()
    rows = []
    for period in periods:
        need = required[period.pk]
        rows.append(
            PeriodRow(
                period=period,
                report=reports.get(period.pk),
                deadline=deadline_info(region, period, extensions.get(period.pk), now),
                required_items=len(need["items"]),
                required_actions=len(need["actions"]),
                missing_items=len(need["items"] - uploaded[period.pk]),
                missing_narratives=len(need["actions"] - filled[period.pk]),
            )
        )
    return rows


def _open_revision_items():
    """The distinct evidence items named by a report's unanswered revision requests."""
    return Count(
        "revision_requests__items__requirement",
        filter=Q(revision_requests__answered_at__isnull=True),
        distinct=True,
    )


def evidence_by_requirement(report):
    grouped = defaultdict(list)
    for item in report.evidence.filter(removed_at__isnull=True).select_related("uploaded_by"):
        grouped[item.requirement_id].append(item)
    return dict(grouped)


def duplicate_flags(report, viewer=None):
    """Evidence of this report whose exact file was also sent for another region or period.

    Returns {evidence id: ["Kota Samarinda – Triwulan III 2025", ...]} in two queries.
    With a ``viewer``, a region outside the viewer's scope is not named, only hinted at.
    """
    mine = defaultdict(list)
    for sha, pk in report.evidence.filter(removed_at__isnull=True).values_list("sha256", "pk"):
        mine[sha].append(pk)
    if not mine:
        return {}
    seen_elsewhere = defaultdict(set)
    others = (
        # Only files another region actually sent count: not drafts, not files taken back.
        Evidence.objects.filter(
            sha256__in=list(mine), removed_at__isnull=True, report__first_submitted_at__isnull=False
        )
        .exclude(report=report)
        .select_related("report__region", "report__period__cycle")
    )
    if viewer is not None:
        visible = Region.objects.visible_to(viewer).filter(pk=OuterRef("report__region_id"))
        others = others.annotate(in_scope=Exists(visible))
    for other in others:
        if getattr(other, "in_scope", True):
            place = f"{other.report.region.name} – {other.report.period}"
        else:
            place = _("daerah lain di luar wilayah kerja Anda")
        seen_elsewhere[other.sha256].add(place)
    return {
        pk: sorted(seen_elsewhere[sha])
        for sha, pks in mine.items()
        if sha in seen_elsewhere
        for pk in pks
    }


# Submissions record their round as text ("Putaran 2") in the language of the moment.
_ROUND_LABEL = re.compile(r"^(?:Putaran|Round) (\d+)$")


def report_timeline(report):
    """The report's events; a round label is shown in the reader's language."""
    events = list(report.events.select_related("actor"))
    for event in events:
        found = _ROUND_LABEL.match(event.reason)
        event.shown_reason = (
            _("Putaran %(number)s") % {"number": found[1]} if found else event.reason
        )
    return events


@dataclass(frozen=True)
class RoundChanges:
    """What the latest submission round changed against the round before it.

    ``new_evidence``: ids of files sent now that the previous round did not hold (a
    replacement is a new row, so a replaced file is new). ``changed``: requirement ids whose
    set of files differs. In the first round there is nothing to compare: ``previous`` is None.
    """

    round: int
    previous: int | None
    new_evidence: frozenset
    changed: frozenset

    def is_unchanged(self, requirement_id):
        return self.previous is not None and requirement_id not in self.changed


def _files_per_requirement(version):
    files = defaultdict(set)
    for item in version.content.get("evidence", []):
        files[item["requirement"]].add(item["id"])
    return files


def round_changes(report):
    """Compare the report's last two frozen versions (one query)."""
    versions = list(report.versions.order_by("-number")[:2])
    if not versions:
        return RoundChanges(0, None, frozenset(), frozenset())
    latest, *earlier = versions
    if not earlier:
        return RoundChanges(latest.number, None, frozenset(), frozenset())
    now, before = _files_per_requirement(latest), _files_per_requirement(earlier[0])
    return RoundChanges(
        round=latest.number,
        previous=earlier[0].number,
        new_evidence=frozenset(pk for ids in now.values() for pk in ids)
        - frozenset(pk for ids in before.values() for pk in ids),
        changed=frozenset(req for req in set(now) | set(before) if now[req] != before[req]),
    )
