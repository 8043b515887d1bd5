"""Every change of state of reporting data goes through here."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditAction
from accounts.services import audit

from .cycles import forget_cycles
from .models import (
    Assignment,
    EventKind,
    Evidence,
    Extension,
    ExtensionRequest,
    ExtensionRequestStatus,
    Period,
    ProgressStatus,
    RejectionReason,
    Report,
    ReportEntry,
    ReportEvent,
    ReportingCycle,
    ReportStatus,
    ReportVersion,
    RevisionItem,
    RevisionRequest,
)
from .requirements import report_requirements
from .signals import scores_affected
from .uploads import generate_storage_name, quota_problems


class ReportingError(Exception):
    """A change that the report's state does not allow; the message is for the user."""


class StaleReport(ReportingError):
    """Someone saved the report after this form was opened."""

    def __init__(self, report):
        self.report = report
        super().__init__(
            _(
                "Laporan ini sudah diubah orang lain (atau di tab lain) setelah formulir Anda "
                "dibuka. Isian Anda belum disimpan: periksa perbedaannya lalu simpan lagi."
            )
        )


class AlreadySubmitted(ReportingError):
    pass


class SubmissionClosed(ReportingError):
    pass


class QuotaExceeded(ReportingError):
    """The files a save would leave on the report are more than an item or a report may hold."""


class IncompleteReport(ReportingError):
    def __init__(self, missing):
        self.missing = missing
        super().__init__(_("Laporan belum lengkap."))


@transaction.atomic
def generate_periods(cycle):
    """Create the periods of the cycle's scheme that do not exist yet; returns those created."""
    existing = set(cycle.periods.values_list("code", flat=True))
    created = [period for period in cycle.planned_periods() if period.code not in existing]
    Period.objects.bulk_create(created)
    if created:
        forget_cycles()  # bulk_create sends no post_save
    return created


def start_report(region, period, *, by):
    """The report of a region for a period, created (with its audit event) on first use."""
    report = Report.objects.filter(region=region, period=period).first()
    if report is not None:
        return report
    try:
        with transaction.atomic():
            report = Report.objects.create(region=region, period=period)
            ReportEvent.objects.create(
                report=report, kind=EventKind.CREATED, to_status=ReportStatus.DRAFT, actor=by
            )
    except IntegrityError:
        # Another tab or colleague created it at the same moment: use theirs.
        report = Report.objects.get(region=region, period=period)
    return report


@dataclass
class DraftChanges:
    """What an officer's form asks to change in a draft."""

    revision: int
    entries: dict = field(default_factory=dict)  # action_id -> (narrative, progress)
    notes: str = ""
    proposals: str = ""
    uploads: list = field(default_factory=list)  # (requirement_id, uploaded file with .inspected)
    removals: set = field(default_factory=set)  # evidence ids to take off the report


def _move(locked, to_status, *, kind, by, reason="", **fields):
    """Change a locked report's state and write its audit event: the one way states change."""
    previous = locked.status
    locked.status = to_status
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", *fields, "updated_at"])
    ReportEvent.objects.create(
        report=locked,
        kind=kind,
        from_status=previous,
        to_status=to_status,
        actor=by,
        reason=reason,
    )
    return locked


def _locked(report):
    return Report.objects.select_for_update().get(pk=report.pk)


def _check_belongs_to_report(report, changes):
    """Only the region's assigned actions and their evidence items may be written."""
    blocks = report_requirements(report.region, report.period)
    actions = {block.action.pk for block in blocks}
    items = {req.pk for block in blocks for req in block.requirements}
    if not set(changes.entries) <= actions or not {pk for pk, _f in changes.uploads} <= items:
        raise ReportingError(_("Isian ini bukan bagian dari laporan daerah Anda."))


def _check_quotas(locked, changes, *, leaving=()):
    """The one gate of the quotas, for every door that stores files (form, upload endpoint,
    admin, API): the files that stay (less ``leaving``) and the new ones, per item and report."""
    kept = (
        locked.evidence.filter(removed_at__isnull=True)
        .exclude(pk__in=leaving)
        .values_list("requirement_id", "size")
    )
    added = [(pk, uploaded.inspected.size) for pk, uploaded in changes.uploads]
    per_item, report = quota_problems(list(kept), added)
    if per_item or report:
        raise QuotaExceeded(report or next(iter(per_item.values())))


def save_draft(report, changes, *, by):
    """Save an officer's edits; refuses a stale form and a report that is not editable."""
    stored = []
    try:
        with transaction.atomic():
            locked = _locked(report)
            if not locked.is_editable_by_reporter:
                raise AlreadySubmitted(_("Laporan sudah dikirim dan tidak dapat diubah lagi."))
            if locked.revision != changes.revision:
                raise StaleReport(locked)
            _check_belongs_to_report(locked, changes)
            existing = {entry.action_id: entry for entry in locked.entries.all()}
            for action_id, (narrative, progress) in changes.entries.items():
                entry = existing.get(action_id)
                if entry is None:
                    ReportEntry.objects.create(
                        report=locked, action_id=action_id, narrative=narrative, progress=progress
                    )
                elif (entry.narrative, entry.progress) != (narrative, progress):
                    entry.narrative, entry.progress = narrative, progress
                    entry.save(update_fields=["narrative", "progress", "updated_at"])
            now = timezone.now()
            if changes.removals:
                Evidence.objects.filter(
                    report=locked, pk__in=changes.removals, removed_at__isnull=True
                ).update(removed_at=now, removed_by=by)
            _check_quotas(locked, changes)
            for requirement_id, uploaded in changes.uploads:
                inspected = uploaded.inspected
                name = default_storage.save(generate_storage_name(inspected), uploaded)
                stored.append(name)
                Evidence.objects.create(
                    report=locked,
                    requirement_id=requirement_id,
                    file=name,
                    original_name=inspected.original_name,
                    content_type=inspected.content_type,
                    size=inspected.size,
                    sha256=inspected.sha256,
                    uploaded_by=by,
                )
            locked.notes, locked.proposals = changes.notes, changes.proposals
            locked.revision += 1
            locked.save(update_fields=["notes", "proposals", "revision", "updated_at"])
    except Exception:
        # The rows were rolled back: the files written for them must not stay behind.
        for name in stored:
            default_storage.delete(name)
        raise
    return locked


def store_evidence(report, requirement_id, uploaded, *, by, replaces=None):
    """Put one checked file into an editable report as soon as it is chosen; see
    :func:`store_evidence_files`. Returns the new ``Evidence``."""
    return store_evidence_files(report, requirement_id, [uploaded], by=by, replaces=replaces)[0]


def store_evidence_files(report, requirement_id, uploads, *, by, replaces=None):
    """Put checked files into an editable report as soon as they are chosen: all or none.

    The text of the report is not touched and its revision not bumped, so a form that is open
    beside it never turns stale because of a file. The quotas of the item and the report hold
    as they do for a save of the form (:func:`_check_quotas`). With ``replaces`` (the id of a
    file of the same item) that file is taken off the report in the same step; its row stays,
    as every replaced file does (a replacement is a new row). Returns the new rows.
    """
    stored = []
    try:
        with transaction.atomic():
            locked = _locked(report)
            if not locked.is_editable_by_reporter:
                raise AlreadySubmitted(_("Laporan sudah dikirim dan tidak dapat diubah lagi."))
            _check_belongs_to_report(
                locked, DraftChanges(revision=locked.revision, uploads=[(requirement_id, None)])
            )
            old = None
            if replaces is not None:
                old = (
                    Evidence.objects.select_for_update()
                    .filter(
                        report=locked,
                        requirement_id=requirement_id,
                        pk=replaces,
                        removed_at__isnull=True,
                    )
                    .first()
                )
                if old is None:
                    raise ReportingError(
                        _("Berkas yang hendak diganti sudah tidak ada pada butir ini.")
                    )
            _check_quotas(
                locked,
                DraftChanges(
                    revision=locked.revision,
                    uploads=[(requirement_id, uploaded) for uploaded in uploads],
                ),
                leaving={old.pk} if old is not None else set(),
            )
            created = []
            for uploaded in uploads:
                inspected = uploaded.inspected
                name = default_storage.save(generate_storage_name(inspected), uploaded)
                stored.append(name)
                created.append(
                    Evidence.objects.create(
                        report=locked,
                        requirement_id=requirement_id,
                        file=name,
                        original_name=inspected.original_name,
                        content_type=inspected.content_type,
                        size=inspected.size,
                        sha256=inspected.sha256,
                        uploaded_by=by,
                    )
                )
            if old is not None:
                old.removed_at, old.removed_by = created[0].uploaded_at, by
                old.save(update_fields=["removed_at", "removed_by"])
    except Exception:
        # The rows were rolled back: the files written for them must not stay behind.
        for name in stored:
            default_storage.delete(name)
        raise
    return created


def missing_items(report):
    """What still stops the report from being submitted, per action and item, in words."""
    requirements = report_requirements(report.region, report.period)
    entries = {entry.action_id: entry for entry in report.entries.all()}
    with_evidence = set(
        report.evidence.filter(removed_at__isnull=True).values_list("requirement_id", flat=True)
    )
    missing = []
    for block in requirements:
        action = block.action
        entry = entries.get(action.pk)
        label = _("Aksi %(number)s") % {"number": action.number}
        # Progress is reported as it is: every status may be sent; "not started" is
        # explained in the narrative, which every action needs.
        if entry is not None and entry.progress == ProgressStatus.NOT_STARTED:
            if not entry.narrative.strip():
                missing.append(
                    _("%(action)s: status “Belum dimulai”: tuliskan alasannya di kolom capaian.")
                    % {"action": label}
                )
        elif entry is None or not entry.narrative.strip():
            missing.append(_("%(action)s: capaian belum diisi.") % {"action": label})
        for requirement in block.requirements:
            if requirement.pk not in with_evidence:
                missing.append(
                    _("%(action)s: data dukung “%(item)s” belum diunggah.")
                    % {"action": label, "item": requirement.name}
                )
    return missing


def submission_window_open(report, now):
    """Whether the report may still be sent: until closes_on, or an extension's date."""
    today = now.astimezone(report.region.zone).date()
    extension = Extension.objects.for_period(report.region, report.period)
    last_day = report.period.closes_on
    if extension is not None and extension.due_on > last_day:
        last_day = extension.due_on
    return today <= last_day


def _snapshot(report):
    entries = {entry.action_id: entry for entry in report.entries.all()}
    evidence = list(report.evidence.filter(removed_at__isnull=True).order_by("pk"))
    return {
        "notes": report.notes,
        "proposals": report.proposals,
        "entries": [
            {"action": action_id, "narrative": entry.narrative, "progress": entry.progress}
            for action_id, entry in sorted(entries.items())
        ],
        "evidence": [
            {
                "id": item.pk,
                "requirement": item.requirement_id,
                "name": item.original_name,
                "sha256": item.sha256,
                "size": item.size,
                "content_type": item.content_type,
            }
            for item in evidence
        ],
    }


@transaction.atomic
def submit_report(report, *, by, now=None):
    """Send the report to the Kanwil: checks, stamps, freezes a version, writes the event."""
    now = now or timezone.now()
    locked = _locked(report)
    if locked.status in (ReportStatus.SUBMITTED, ReportStatus.VERIFIED):
        raise AlreadySubmitted(_("Laporan ini sudah terkirim."))
    if not submission_window_open(locked, now):
        raise SubmissionClosed(
            _(
                "Pelaporan periode ini sudah ditutup pada %(date)s. Laporan hanya dapat dikirim "
                "bila Kanwil atau admin memberi perpanjangan."
            )
            % {"date": locked.period.closes_on.strftime("%d-%m-%Y")}
        )
    missing = missing_items(locked)
    if missing:
        raise IncompleteReport(missing)
    resubmission = locked.status == ReportStatus.RETURNED
    number = locked.versions.count() + 1
    _move(
        locked,
        ReportStatus.SUBMITTED,
        kind=EventKind.RESUBMITTED if resubmission else EventKind.SUBMITTED,
        by=by,
        reason=_("Putaran %(number)s") % {"number": number},
        first_submitted_at=locked.first_submitted_at or now,
        last_submitted_at=now,
    )
    ReportVersion.objects.create(
        report=locked, number=number, submitted_at=now, submitted_by=by, content=_snapshot(locked)
    )
    if resubmission:
        locked.revision_requests.filter(answered_at__isnull=True).update(answered_at=now)
    return locked


@transaction.atomic
def return_report(report, *, by, note="", items=(), now=None):
    """Send a submitted report back for revision; items are (requirement, reason code, note).

    The reason is a ``RejectionReason`` code, never a label: each reader sees it in their own
    language.
    """
    unknown = {reason for _requirement, reason, _note in items} - set(RejectionReason.values)
    if unknown:
        raise ValueError(f"Unknown rejection reason codes: {sorted(unknown)}")
    now = now or timezone.now()
    locked = _locked(report)
    if locked.status != ReportStatus.SUBMITTED:
        raise ReportingError(_("Hanya laporan yang sudah terkirim yang dapat dikembalikan."))
    if not items and not note.strip():
        raise ReportingError(_("Tuliskan apa yang harus diperbaiki."))
    request = RevisionRequest.objects.create(
        report=locked, round=locked.versions.count(), note=note, returned_by=by, returned_at=now
    )
    RevisionItem.objects.bulk_create(
        [
            RevisionItem(request=request, requirement=requirement, reason=reason, note=item_note)
            for requirement, reason, item_note in items
        ]
    )
    return _move(locked, ReportStatus.RETURNED, kind=EventKind.RETURNED, by=by, reason=note)


@transaction.atomic
def verify_report(report, *, by, now=None):
    now = now or timezone.now()
    locked = _locked(report)
    if locked.status != ReportStatus.SUBMITTED:
        raise ReportingError(_("Hanya laporan yang sudah terkirim yang dapat diverifikasi."))
    return _move(locked, ReportStatus.VERIFIED, kind=EventKind.VERIFIED, by=by, verified_at=now)


@transaction.atomic
def reopen_report(report, *, by, reason, now=None):
    """Open a verified report again (back to returned) with a written reason."""
    now = now or timezone.now()
    if not reason.strip():
        raise ReportingError(_("Alasan membuka kembali laporan wajib diisi."))
    locked = _locked(report)
    if locked.status != ReportStatus.VERIFIED:
        raise ReportingError(_("Hanya laporan terverifikasi yang dapat dibuka kembali."))
    RevisionRequest.objects.create(
        report=locked,
        round=locked.versions.count(),
        note=reason,
        returned_by=by,
        returned_at=now,
        is_reopen=True,
    )
    return _move(
        locked,
        ReportStatus.RETURNED,
        kind=EventKind.REOPENED,
        by=by,
        reason=reason,
        verified_at=None,
    )


# --- setup changes that move scores -------------------------------------------------------
# Each writes an accounts.AuditEvent with the values before and after, and sends
# ``signals.scores_affected`` so that the scores follow once the change is committed.

CYCLE_RULE_FIELDS = (
    "weight_completeness",
    "weight_timeliness",
    "weight_responsiveness",
    "late_penalty_per_day",
    "revision_credit",
    "revision_sla_days",
    "late_response_penalty_per_day",
    "award_min_score",
    "extension_max_days_after_close",
)
# award_min_score decides eligibility for awards, and the bound of extensions what may be
# granted, not any score.
SCORE_RULE_FIELDS = frozenset(CYCLE_RULE_FIELDS) - {
    "award_min_score",
    "extension_max_days_after_close",
}
PERIOD_DATE_FIELDS = ("starts_on", "ends_on", "opens_on", "due_on", "closes_on")
SCORE_DATE_FIELDS = frozenset({"due_on", "closes_on"})


def _values(obj, names):
    return {name: getattr(obj, name) for name in names}


def _change(locked, fields, allowed):
    """Set ``fields`` on a locked row, validated; returns (before, after) of what changed."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"not a changeable field: {', '.join(sorted(unknown))}")
    before = _values(locked, fields)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()  # also turns strings into the fields' types
    for name in fields:
        model_field = locked._meta.get_field(name)
        if isinstance(model_field, models.DecimalField):
            # "5" and "5.00" are the same rule: store and record it as the column holds it.
            exponent = Decimal(1).scaleb(-model_field.decimal_places)
            setattr(locked, name, getattr(locked, name).quantize(exponent))
    after = _values(locked, fields)
    changed = [name for name in fields if before[name] != after[name]]
    return {n: before[n] for n in changed}, {n: after[n] for n in changed}


def latest_extension_date(period):
    """The last day an extension of the period may reach (a setting of its cycle)."""
    return period.closes_on + datetime.timedelta(days=period.cycle.extension_max_days_after_close)


def check_extension_date(period, due_on, *, current=None):
    """The one rule for a requested or granted date: after ``current`` (the region's deadline
    as it stands) and at most ``latest_extension_date``. Raises ReportingError otherwise."""
    if due_on is None or (current is not None and due_on <= current):
        raise ReportingError(
            _("Tanggal yang diminta harus setelah batas lapor sekarang (%(date)s).")
            % {"date": current.strftime("%d-%m-%Y")}
        )
    latest = latest_extension_date(period)
    if due_on > latest:
        raise ReportingError(
            _(
                "Tanggal perpanjangan paling lambat %(date)s (%(days)s hari setelah periode "
                "ditutup)."
            )
            % {
                "date": latest.strftime("%d-%m-%Y"),
                "days": period.cycle.extension_max_days_after_close,
            }
        )


@transaction.atomic
def grant_extension(region, period, *, due_on, reason, by, current=None):
    """Give a region a later due date for a period, or change the one it has.

    The date is at most ``latest_extension_date`` and after the period's own due date; with
    ``current`` (granting a request: the deadline the region has) it must be after that too,
    so that a grant never shortens. An admin's correction of an extension (Django admin)
    passes none: that may move an extension earlier, audited.
    """
    extension = Extension.objects.select_for_update().filter(region=region, period=period).first()
    before = _values(extension, ["due_on", "reason"]) if extension else None
    if extension is None or due_on != extension.due_on:
        check_extension_date(period, due_on, current=current)
    if extension is None:
        extension = Extension(region=region, period=period)
    extension.due_on, extension.reason, extension.granted_by = due_on, reason, by
    extension.full_clean()
    after = _values(extension, ["due_on", "reason"])
    if before == after:
        return extension
    extension.save()
    audit(
        AuditAction.EXTENSION_CHANGED if before else AuditAction.EXTENSION_GRANTED,
        extension,
        by=by,
        details={"before": before, "after": after},
    )
    scores_affected.send(sender=Extension, cycle=period.cycle, regions=[region], periods=[period])
    return extension


@transaction.atomic
def withdraw_extension(extension, *, by):
    """Take an extension back: the period's own due date counts again."""
    before = _values(extension, ["due_on", "reason"])
    pk, region, period = extension.pk, extension.region, extension.period
    extension.delete()
    audit(
        AuditAction.EXTENSION_WITHDRAWN,
        extension,
        by=by,
        object_id=pk,
        details={"before": before, "after": None},
    )
    scores_affected.send(sender=Extension, cycle=period.cycle, regions=[region], periods=[period])


@transaction.atomic
def change_cycle_rules(cycle, *, by, **fields):
    """Change a cycle's weights, penalties and thresholds (CYCLE_RULE_FIELDS)."""
    locked = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
    before, after = _change(locked, fields, CYCLE_RULE_FIELDS)
    for name, value in _values(locked, CYCLE_RULE_FIELDS).items():
        setattr(cycle, name, value)
    if not after:
        return cycle
    locked.save(update_fields=[*after, "updated_at"])
    audit(
        AuditAction.CYCLE_RULES_CHANGED, locked, by=by, details={"before": before, "after": after}
    )
    if SCORE_RULE_FIELDS & set(after):
        scores_affected.send(sender=ReportingCycle, cycle=locked)
    return cycle


@transaction.atomic
def change_period_dates(period, *, by, **fields):
    """Move a period's window or deadline (PERIOD_DATE_FIELDS)."""
    locked = Period.objects.select_for_update().select_related("cycle").get(pk=period.pk)
    before, after = _change(locked, fields, PERIOD_DATE_FIELDS)
    for name, value in _values(locked, PERIOD_DATE_FIELDS).items():
        setattr(period, name, value)
    if not after:
        return period
    locked.save(update_fields=list(after))
    audit(
        AuditAction.PERIOD_DATES_CHANGED, locked, by=by, details={"before": before, "after": after}
    )
    if SCORE_DATE_FIELDS & set(after):
        scores_affected.send(sender=Period, cycle=locked.cycle, periods=[locked])
    return period


@transaction.atomic
def assign_actions(actions, regions, *, by):
    """Make the regions report the actions; returns how many assignments are new."""
    actions = list(actions)
    regions = list(regions)
    existing = set(
        Assignment.objects.filter(action__in=actions).values_list("action_id", "region_id")
    )
    created = [
        Assignment(action=action, region=region)
        for action in actions
        for region in regions
        if (action.pk, region.pk) not in existing
    ]
    Assignment.objects.bulk_create(created, ignore_conflicts=True)
    _record_assignments(AuditAction.ACTIONS_ASSIGNED, created, by=by)
    return len(created)


@transaction.atomic
def unassign(assignments, *, by):
    """Release regions from actions; their scores leave the rankings where nothing is left."""
    rows = list(
        Assignment.objects.filter(pk__in=[a.pk for a in assignments]).select_related(
            "action__cycle", "region"
        )
    )
    Assignment.objects.filter(pk__in=[row.pk for row in rows]).delete()
    _record_assignments(AuditAction.ACTIONS_UNASSIGNED, rows, by=by)
    return len(rows)


def _record_assignments(action_code, rows, *, by):
    """One audit event per action naming the regions, one signal per cycle."""
    regions_of = defaultdict(list)
    actions = {}
    for row in rows:
        regions_of[row.action.pk].append(row.region)
        actions[row.action.pk] = row.action
    key = "added" if action_code == AuditAction.ACTIONS_ASSIGNED else "removed"
    cycles = {}
    for action_id, regions in regions_of.items():
        action = actions[action_id]
        audit(
            action_code,
            action,
            by=by,
            details={key: sorted(region.code for region in regions), "count": len(regions)},
        )
        cycle, affected = cycles.setdefault(action.cycle_id, (action.cycle, {}))
        affected.update({region.pk: region for region in regions})
    for cycle, affected in cycles.values():
        scores_affected.send(sender=Assignment, cycle=cycle, regions=list(affected.values()))


# --- extension requests --------------------------------------------------------------------
# An officer asks; the Kanwil (or an admin) grants through ``grant_extension`` or refuses.
# The audit trail keeps both.
EXTENSION_REQUESTED = AuditAction.EXTENSION_REQUESTED
EXTENSION_REFUSED = AuditAction.EXTENSION_REFUSED


def current_due_on(region, period):
    """The region's due date of the period as it stands: its extension's, else the period's."""
    extension = Extension.objects.for_period(region, period)
    return extension.due_on if extension is not None else period.due_on


@transaction.atomic
def request_extension(region, period, *, due_on, reason, by, now=None):
    """An officer asks for a later due date for its region, before the period closes."""
    now = now or timezone.now()
    if not reason.strip():
        raise ReportingError(_("Tuliskan alasan permintaan perpanjangan."))
    due = current_due_on(region, period)
    if region.today(now) > max(period.closes_on, due):
        raise ReportingError(_("Pelaporan periode ini sudah ditutup."))
    check_extension_date(period, due_on, current=due)
    submitted = Report.objects.filter(
        region=region, period=period, status__in=[ReportStatus.SUBMITTED, ReportStatus.VERIFIED]
    ).exists()
    if submitted:
        raise ReportingError(_("Laporan periode ini sudah terkirim."))
    waiting = _("Masih ada permintaan perpanjangan yang menunggu keputusan.")
    if ExtensionRequest.objects.filter(
        region=region, period=period, status=ExtensionRequestStatus.PENDING
    ).exists():
        raise ReportingError(waiting)
    try:
        with transaction.atomic():
            request = ExtensionRequest.objects.create(
                region=region, period=period, due_on=due_on, reason=reason.strip(), requested_by=by
            )
    except IntegrityError:
        # The same request sent twice at once (a double click): the other one is waiting.
        raise ReportingError(waiting) from None
    audit(
        EXTENSION_REQUESTED,
        request,
        by=by,
        details={"due_on": due_on, "current_due_on": due, "reason": request.reason},
    )
    return request


@transaction.atomic
def decide_extension(request, *, grant, by, reason="", due_on=None, now=None):
    """Grant (with a date, the requested one by default) or refuse (with a reason) a request."""
    now = now or timezone.now()
    locked = (
        ExtensionRequest.objects.select_for_update()
        .select_related("region", "period__cycle")
        .get(pk=request.pk)
    )
    if not locked.is_pending:
        raise ReportingError(_("Permintaan ini sudah diputuskan."))
    reason = reason.strip()
    if grant:
        due_on = due_on or locked.due_on
        grant_extension(
            locked.region,
            locked.period,
            due_on=due_on,
            current=current_due_on(locked.region, locked.period),
            reason=reason or locked.reason,
            by=by,
        )
        locked.status, locked.granted_due_on = ExtensionRequestStatus.GRANTED, due_on
    else:
        if not reason:
            raise ReportingError(_("Tuliskan alasan penolakan."))
        locked.status = ExtensionRequestStatus.REFUSED
        audit(
            EXTENSION_REFUSED,
            locked,
            by=by,
            details={"due_on": locked.due_on, "reason": reason},
        )
    locked.decided_by, locked.decided_at, locked.decision_reason = by, now, reason
    locked.save(
        update_fields=[
            "status",
            "granted_due_on",
            "decided_by",
            "decided_at",
            "decision_reason",
            "updated_at",
        ]
    )
    for name in ("status", "granted_due_on", "decided_by", "decided_at", "decision_reason"):
        setattr(request, name, getattr(locked, name))
    return locked


# --- a new cycle from last year's ----------------------------------------------------------


def _a_year_later(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def copy_cycle(source, year, *, by):
    """Start the cycle of ``year`` from ``source``: its settings, its periods moved by the
    years between them, its actions with their measures and evidence items, and its
    assignments (through ``assign_actions``). Nothing of the reports is copied.

    The new cycle is then edited as any other. Refused when ``year`` already has actions.
    """
    from .models import Action, ActionMeasure, EvidenceRequirement

    years = year - source.year
    if years <= 0:
        raise ReportingError(_("Tahun siklus baru harus setelah %(year)s.") % {"year": source.year})
    target = ReportingCycle.objects.select_for_update().filter(year=year).first()
    if target is not None and target.actions.exists():
        raise ReportingError(
            _("Siklus %(year)s sudah mempunyai aksi: salinan hanya untuk siklus kosong.")
            % {"year": year}
        )
    if target is None:
        settings = {
            f.name: getattr(source, f.name)
            for f in ReportingCycle._meta.concrete_fields
            if f.name not in ("id", "year", "name", "created_at", "updated_at")
        }
        target = ReportingCycle.objects.create(year=year, name=f"RANHAM {year}", **settings)
    existing = set(target.periods.values_list("code", flat=True))
    Period.objects.bulk_create(
        [
            Period(
                cycle=target,
                order=period.order,
                code=period.code,
                name=period.name,
                **{
                    name: _a_year_later(getattr(period, name), years) for name in PERIOD_DATE_FIELDS
                },
            )
            for period in source.periods.all()
            if period.code not in existing
        ]
    )
    forget_cycles()
    periods = {p.code: p for p in target.periods.all()}
    counts = {"actions": 0, "measures": 0, "requirements": 0, "assignments": 0}
    for action in source.actions.prefetch_related(
        "measures__period", "measures__requirements", "assignments__region"
    ):
        copy = Action.objects.create(
            cycle=target,
            number=action.number,
            title=action.title,
            target_group=action.target_group,
            success_criterion=action.success_criterion,
        )
        counts["actions"] += 1
        for measure in action.measures.all():
            if measure.period.code not in periods:
                continue
            new_measure = ActionMeasure.objects.create(
                action=copy, period=periods[measure.period.code], measure=measure.measure
            )
            counts["measures"] += 1
            items = EvidenceRequirement.objects.bulk_create(
                [
                    EvidenceRequirement(
                        measure=new_measure, order=r.order, name=r.name, description=r.description
                    )
                    for r in measure.requirements.all()
                ]
            )
            counts["requirements"] += len(items)
        counts["assignments"] += assign_actions(
            [copy], [a.region for a in action.assignments.all()], by=by
        )
    audit(
        AuditAction.CYCLE_COPIED,
        target,
        by=by,
        details={"from": source.year, **counts},
    )
    return target
