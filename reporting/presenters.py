"""What the reporting pages show, each built with a fixed number of queries."""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
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
    RevisionItem,
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
    return deadline_for(region, period, extension.due_on if extension else None, now)


def deadline_for(region, period, extended_to, now):
    """The deadline given the due date of the region's extension (None: not extended)."""
    zone = region.zone
    due_on = extended_to or period.due_on
    return Deadline(
        due=end_of_local_day(due_on, zone),
        closes_on=max(period.closes_on, due_on),
        zone_abbreviation=region.zone_abbreviation,
        extended=extended_to is not None,
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
    """One row per period: state, deadline in local time and what is still missing.

    Three queries, plus one per kind of data the region's reports have (entries, files, an
    open return): only ids and dates are read, with no ordering, except the reports themselves.
    """
    period_ids = [period.pk for period in periods]
    reports = {
        report.period_id: report
        for report in Report.objects.filter(region=region, period_id__in=period_ids).order_by()
    }
    extended_to = dict(
        Extension.objects.filter(region=region, period_id__in=period_ids)
        .order_by()
        .values_list("period_id", "due_on")
    )
    required = defaultdict(lambda: {"actions": set(), "items": set()})
    for period_id, action_id, requirement_id in (
        ActionMeasure.objects.filter(period_id__in=period_ids, action__assignments__region=region)
        .order_by()
        .values_list("period_id", "action_id", "requirements__id")
    ):
        required[period_id]["actions"].add(action_id)
        if requirement_id is not None:
            required[period_id]["items"].add(requirement_id)
    period_of = {report.pk: report.period_id for report in reports.values()}
    filled, uploaded = _report_contents(period_of)
    _count_items_to_fix([r for r in reports.values() if r.status == ReportStatus.RETURNED])
    now = timezone.now()
    rows = []
    for period in periods:
        need = required[period.pk]
        rows.append(
            PeriodRow(
                period=period,
                report=reports.get(period.pk),
                deadline=deadline_for(region, period, extended_to.get(period.pk), now),
                required_items=len(need["items"]),
                required_actions=len(need["actions"]),
                missing_items=len(need["items"] - uploaded[period.pk]),
                missing_narratives=len(need["actions"] - filled[period.pk]),
            )
        )
    return rows


def _report_contents(period_of):
    """{period id: actions with a narrative}, {period id: items with a file} of these reports
    (``period_of``: {report id: period id})."""
    filled, uploaded = defaultdict(set), defaultdict(set)
    if not period_of:
        return filled, uploaded
    for report_id, action_id in (
        ReportEntry.objects.filter(report_id__in=period_of)
        .exclude(narrative="")
        .order_by()
        .values_list("report_id", "action_id")
    ):
        filled[period_of[report_id]].add(action_id)
    for report_id, requirement_id in (
        Evidence.objects.filter(report_id__in=period_of, removed_at__isnull=True)
        .order_by()
        .values_list("report_id", "requirement_id")
        .distinct()
    ):
        uploaded[period_of[report_id]].add(requirement_id)
    return filled, uploaded


def _count_items_to_fix(returned):
    """Set ``items_to_fix`` on each returned report: the distinct evidence items named by its
    unanswered revision requests (one query, none without a returned report)."""
    named = defaultdict(set)
    if returned:
        for report_id, requirement_id in RevisionItem.objects.filter(
            request__report__in=returned, request__answered_at__isnull=True
        ).values_list("request__report_id", "requirement_id"):
            named[report_id].add(requirement_id)
    for report in returned:
        report.items_to_fix = len(named[report.pk])


def evidence_by_requirement(report):
    """{requirement id: the report's files still attached}. No page shows who uploaded a
    file, so the uploader is not joined."""
    grouped = defaultdict(list)
    for item in report.evidence.filter(removed_at__isnull=True):
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
