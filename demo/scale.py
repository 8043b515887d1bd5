"""A national data set for benchmarks: 20 Kanwil, every region, several cycles of reports.

This is benchmark data, not what users did, so the rows are written with ``bulk_create``
instead of through the services (which would take hours for 552 regions and five years).
They are written the way the services would have left them: a report's status,
``first_submitted_at``, versions, events, revision requests and reviews agree with each
other and with the scoring rules, and every time is a moment in the region's own time zone.
The scores are then computed by ``recompute_cycle`` as in production.

Every Evidence row points at one shared small PDF (``SHARED_EVIDENCE_NAME``): storing
hundreds of thousands of files would measure the disk, not the portal. Each row still has
its own SHA-256, except a few that deliberately repeat an earlier file of the same region
(an old document sent again), so duplicate flags show what they would in production.
"""

import datetime
import hashlib
import random
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.days import ministry_today
from accounts.models import Holiday, Kanwil, KanwilProvince, Region, Role, User
from accounts.services import sync_holidays
from evaluation.models import Decision, ItemDecision, Review, ReviewOutcome
from evaluation.scorecards import recompute_cycle
from reporting.models import (
    ActionMeasure,
    Assignment,
    EventKind,
    Evidence,
    ProgressStatus,
    RejectionReason,
    Report,
    ReportEntry,
    ReportEvent,
    ReportStatus,
    ReportVersion,
    RevisionItem,
    RevisionRequest,
)

from .story import WorkCalendar, ensure_cycle, specimen_pdf

REGION_COUNT = 552
LAST_YEAR = 2025
BATCH_SIZE = 2000
SHARED_EVIDENCE_NAME = "evidence/scale/contoh-data-dukung.pdf"
USERNAME_PREFIX = "skala."

# An illustrative grouping of the 38 provinces into 20 Kanwil, each named after the province
# of its seat: (code, seat province, city, other provinces covered).
KANWIL_GROUPS = [
    ("aceh", "11", "Banda Aceh", []),
    ("sumut", "12", "Medan", []),
    ("sumbar", "13", "Padang", []),
    ("riau", "14", "Pekanbaru", ["21"]),
    ("sumsel", "16", "Palembang", ["15", "19"]),
    ("lampung", "18", "Bandar Lampung", ["17"]),
    ("jakarta", "31", "Jakarta", ["36"]),
    ("jabar", "32", "Bandung", []),
    ("jateng", "33", "Semarang", ["34"]),
    ("jatim", "35", "Surabaya", []),
    ("bali", "51", "Denpasar", ["52"]),
    ("ntt", "53", "Kupang", []),
    ("kalbar", "61", "Pontianak", []),
    ("kalsel", "63", "Banjarbaru", ["62"]),
    ("kaltim", "64", "Samarinda", ["65"]),
    ("sulsel", "73", "Makassar", ["74", "76"]),
    ("sulut", "71", "Manado", ["72", "75"]),
    ("maluku", "81", "Ambon", ["82"]),
    ("papua", "91", "Jayapura", ["93", "94", "95"]),
    ("papuabarat", "92", "Manokwari", ["96"]),
]

NARRATIVES = {
    1: "Pengaduan kekerasan terhadap perempuan ditangani UPTD PPA sesuai standar layanan.",
    2: "Perangkat daerah menyusun analisis gender dalam dokumen perencanaan dan anggaran.",
    3: "Layanan jemput bola akta kelahiran anak dilaksanakan di kelurahan dan desa.",
    4: "Edukasi pencegahan perkawinan anak dilaksanakan di sekolah dan kecamatan.",
    5: "Gedung layanan publik dilengkapi ramp, toilet aksesibel dan jalur pemandu.",
    6: "Data penyandang disabilitas dipilah dan dihubungkan dengan layanan adminduk.",
    7: "Komunitas masyarakat hukum adat diidentifikasi dan diverifikasi panitia daerah.",
}
RETURN_NOTE = "Mohon perbaiki data dukung yang ditandai dan kirim ulang."
ITEM_NOTE = "Lihat catatan verifikator."


class ScaleError(Exception):
    """The database is not ready for the scale data set."""


@dataclass
class ScaleResult:
    regions: int
    kanwil: int
    years: list
    counts: Counter = field(default_factory=Counter)
    seconds: dict = field(default_factory=dict)  # step -> seconds


@contextmanager
def historic_timestamps(*models):
    """Let ``bulk_create`` keep the past times given to auto_now and auto_now_add fields."""
    switched = [
        (f, f.auto_now, f.auto_now_add)
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for f, _now, _add in switched:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in switched:
            f.auto_now, f.auto_now_add = now, add


def ensure_kanwils():
    """The 20 illustrative Kanwil and their provinces; existing links are kept."""
    provinces = {p.code: p for p in Region.objects.provinces()}
    kanwils = []
    for code, seat, city, others in KANWIL_GROUPS:
        name = provinces[seat].name
        kanwil, _created = Kanwil.objects.get_or_create(
            code=code,
            defaults={
                "name": f"Kantor Wilayah Kementerian HAM {name}",
                "city": city,
                "head_name": "Kepala Kantor Wilayah (contoh)",
                "head_nip": "NIP contoh 000000000000000000",
                "head_title": f"Kepala Kantor Wilayah Kementerian HAM {name}",
            },
        )
        for province in [seat, *others]:
            KanwilProvince.objects.get_or_create(
                province=provinces[province], defaults={"kanwil": kanwil}
            )
        kanwils.append(kanwil)
    return kanwils


def select_regions(fraction=1.0, limit=None):
    """Every n-th region by code (n = 1 / fraction), optionally only the first ``limit``."""
    regions = list(Region.objects.select_related("province__kanwil_link").order_by("code"))
    if len(regions) < REGION_COUNT:
        raise ScaleError("Data wilayah belum lengkap: jalankan load_reference_data dulu.")
    step = max(1, round(1 / fraction))
    chosen = regions[::step]
    return chosen[:limit] if limit else chosen


def _ensure_users(rows):
    """Create the users (unusable passwords) that do not exist yet; returns {username: user}."""
    names = [row.username for row in rows]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    missing = [row for row in rows if row.username not in existing]
    for row in missing:
        row.password = make_password(None)
    User.objects.bulk_create(missing, batch_size=BATCH_SIZE)
    return {user.username: user for user in User.objects.filter(username__in=names)}


def ensure_people(regions, kanwils):
    """({region id: officer}, {kanwil id: evaluator}) for the data set; nobody can log in."""
    evaluators = _ensure_users(
        [
            User(
                username=f"{USERNAME_PREFIX}verifikator.{k.code}",
                first_name="Verifikator",
                last_name=f"{k.code} (contoh)",
                role=Role.EVALUATOR,
                kanwil=k,
            )
            for k in kanwils
        ]
    )
    officers = _ensure_users(
        [
            User(
                username=f"{USERNAME_PREFIX}petugas.{r.code}",
                first_name="Petugas",
                last_name=f"{r.short_name} (contoh)",
                role=Role.OFFICER,
                region=r,
            )
            for r in regions
        ]
    )
    return (
        {user.region_id: user for user in officers.values()},
        {user.kanwil_id: user for user in evaluators.values()},
    )


def ensure_shared_file():
    """The one small PDF every scale Evidence row points at: (storage name, size)."""
    if not default_storage.exists(SHARED_EVIDENCE_NAME):
        content = specimen_pdf(
            "Data dukung contoh (data skala)",
            "RANHAM seed_scale",
            ["CONTOH DATA DUKUNG - BUKAN DOKUMEN RESMI", "Berkas bersama data skala benchmark"],
        )
        saved = default_storage.save(SHARED_EVIDENCE_NAME, ContentFile(content))
        if saved != SHARED_EVIDENCE_NAME:
            raise ScaleError(f"Berkas bersama tersimpan dengan nama lain: {saved}")
    return SHARED_EVIDENCE_NAME, default_storage.size(SHARED_EVIDENCE_NAME)


def _weighted(rng, pairs):
    """One value of [(value, weight), ...]."""
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


@dataclass
class Round:
    """One submission of a report and what the Kanwil did with it."""

    number: int
    submitted_at: datetime.datetime
    opened_at: datetime.datetime | None = None
    reviewed_at: datetime.datetime | None = None
    rejected: dict = field(default_factory=dict)  # requirement id -> reason
    returned: bool = False


@dataclass
class Plan:
    """The life of one report, decided before any row is written."""

    region: Region
    period: object
    actions: list
    required: list  # [(requirement id, name)] of the assigned actions in this period
    officer: User
    evaluator: User
    started_at: datetime.datetime
    status: str = ReportStatus.DRAFT
    rounds: list = field(default_factory=list)


@dataclass
class Written:
    """The rows of one planned report, filled in as they are written."""

    plan: Plan
    report: Report | None = None
    entries: list = field(default_factory=list)
    evidence: list = field(default_factory=list)
    # Per evidence row: (round it was first sent in, round it was replaced in or None).
    spans: list = field(default_factory=list)


class CycleWriter:
    """Plans and writes every report of one cycle for the chosen regions."""

    def __init__(
        self, cycle, regions, officers, evaluators, calendar, rng, shared, latest, now=None
    ):
        self.cycle, self.regions = cycle, regions
        # A cycle in progress: nothing happens after ``now`` (see ``cut``).
        self.now = now
        self.officers, self.evaluators = officers, evaluators
        self.calendar, self.rng, self.shared = calendar, rng, shared
        self.periods = list(cycle.periods.order_by("order"))
        self.counts = Counter()
        # The newest cycle's last period keeps a backlog of reports nobody has reviewed yet:
        # about 6 %, and always the first region of each Kanwil, so no queue is empty.
        self.backlog_period = self.periods[-1] if latest else None
        first_of_kanwil = {}
        for region in regions:
            first_of_kanwil.setdefault(region.province.kanwil_link.kanwil_id, region.pk)
        self.waiting = set(first_of_kanwil.values()) if latest else set()

    # --- set-up -------------------------------------------------------------------------

    def assign(self):
        """Every action to every region, except masyarakat adat in about one region in eight.

        Returns {region id: [(action, {period id: [requirement ids]})]}.
        """
        actions = list(self.cycle.actions.order_by("number"))
        adat = actions[-1]
        rows, assigned = [], {}
        for region in self.regions:
            has_adat = int(hashlib.sha256(region.code.encode()).hexdigest(), 16) % 8 != 0
            mine = actions if has_adat else [a for a in actions if a != adat]
            rows += [Assignment(action=a, region=region) for a in mine]
            assigned[region.pk] = mine
        Assignment.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
        requirements = {}  # (action id, period id) -> [(requirement id, name)]
        self.slots = {}  # requirement id -> "action number.item number", the same every year
        for measure in (
            ActionMeasure.objects.filter(action__cycle=self.cycle)
            .select_related("action")
            .prefetch_related("requirements")
        ):
            items = list(measure.requirements.all())
            requirements[(measure.action_id, measure.period_id)] = [(r.pk, r.name) for r in items]
            for number, r in enumerate(items, start=1):
                self.slots[r.pk] = f"{measure.action.number}.{number}"
        self.requirements = requirements
        return assigned

    # --- planning -----------------------------------------------------------------------

    def at(self, region, day, hour):
        minute, second = self.rng.randint(0, 59), self.rng.randint(0, 59)
        return datetime.datetime.combine(day, datetime.time(hour, minute, second), region.zone)

    def first_submission(self, region, period, quality):
        rng, calendar, due_on = self.rng, self.calendar, period.due_on
        if rng.random() < 0.05 + 0.35 * (1 - quality):
            late = _weighted(rng, [(1, 30), (2, 25), (3, 20), (4, 15), (7, 6), (12, 4)])
            return self.at(region, due_on + datetime.timedelta(days=late), rng.randint(8, 22))
        early = _weighted(rng, [(0, 35), (1, 20), (2, 15), (3, 10), (5, 10), (8, 10)])
        day = max(calendar.before(due_on, early), calendar.after(period.ends_on, 1))
        if day == due_on and rng.random() < 0.5:
            return self.at(region, day, rng.randint(19, 23))
        return self.at(region, day, rng.randint(8, 16))

    def review_of(self, region, submitted_at):
        day = submitted_at.astimezone(region.zone).date()
        waited = _weighted(self.rng, [(1, 30), (2, 30), (3, 20), (5, 15), (8, 5)])
        reviewed_at = self.at(region, self.calendar.after(day, waited), self.rng.randint(8, 15))
        return reviewed_at - datetime.timedelta(minutes=self.rng.randint(10, 120)), reviewed_at

    def answer_to(self, region, period, returned_at, quality):
        """When the region resubmits, or None: not answered by the close."""
        if self.rng.random() < 0.02 + 0.04 * (1 - quality):
            return None
        days = _weighted(
            self.rng,
            [(1, 15 + 15 * quality), (2, 25), (3, 20), (4, 12), (5, 8), (6, 5), (8, 3), (10, 2)],
        )
        day = self.calendar.after(returned_at.astimezone(region.zone).date(), days)
        if day > period.closes_on:
            return None
        return self.at(region, day, self.rng.randint(8, 17))

    def rejections(self, requirement_ids, quality):
        count = _weighted(
            self.rng,
            [(0, 25 + 40 * quality), (1, 20), (2, 15), (3, 10), (4, 6), (6, 4)],
        )
        chosen = self.rng.sample(requirement_ids, min(count, len(requirement_ids)))
        return {pk: self.rng.choice(RejectionReason.values[:-1]) for pk in sorted(chosen)}

    def plan(self, region, period, actions, quality):
        rng = self.rng
        started_on = period.ends_on - datetime.timedelta(days=rng.randint(0, 20))
        plan = Plan(
            region=region,
            period=period,
            actions=actions,
            required=[
                item for action in actions for item in self.requirements[(action.pk, period.pk)]
            ],
            officer=self.officers[region.pk],
            evaluator=self.evaluators[region.province.kanwil_link.kanwil_id],
            started_at=self.at(region, started_on, rng.randint(8, 16)),
        )
        if self.now is not None and plan.started_at >= self.now:
            return self.in_progress(plan, quality)
        backlog = period == self.backlog_period
        waiting = backlog and region.pk in self.waiting
        if not waiting and rng.random() < 0.01:
            return plan  # started, never sent
        submitted_at = self.first_submission(region, period, quality)
        if self.now is not None and submitted_at >= self.now:
            return self.in_progress(plan, quality)
        plan.started_at = min(plan.started_at, submitted_at - datetime.timedelta(days=1))
        rejected = self.rejections([pk for pk, _name in plan.required], quality)
        for number in (1, 2, 3):
            current = Round(number=number, submitted_at=submitted_at)
            plan.rounds.append(current)
            if waiting or (backlog and rng.random() < 0.06):
                plan.status = ReportStatus.SUBMITTED  # still waiting in the Kanwil's queue
                return plan
            opened_at, reviewed_at = self.review_of(region, submitted_at)
            if self.now is not None and reviewed_at >= self.now:
                plan.status = ReportStatus.SUBMITTED  # not reviewed yet
                return plan
            current.opened_at, current.reviewed_at = opened_at, reviewed_at
            current.rejected = rejected
            if not rejected or number == 3 or (number == 2 and rng.random() >= 0.3):
                plan.status = ReportStatus.VERIFIED  # what is still rejected earns nothing
                return plan
            current.returned = True
            submitted_at = self.answer_to(region, period, current.reviewed_at, quality)
            if submitted_at is None or (self.now is not None and submitted_at >= self.now):
                plan.status = ReportStatus.RETURNED
                return plan
            rejected = {pk: r for pk, r in rejected.items() if rng.random() < 0.2}
        raise AssertionError("unreachable: the third round is always decided")

    def in_progress(self, plan, quality):
        """A report of the open period as it stands now: a draft begun in the last weeks, or
        (for about one region in ten, the better ones more often) sent in the last days."""
        region, period, rng = plan.region, plan.period, self.rng
        today = self.now.astimezone(region.zone).date()
        begun = max(period.opens_on, today - datetime.timedelta(days=rng.randint(1, 20)))
        plan.started_at = min(self.at(region, begun, rng.randint(8, 11)), self.now)
        if rng.random() < 0.05 + 0.1 * quality:
            day = max(self.calendar.before(today, rng.randint(1, 3)), begun)
            sent = self.at(region, day, rng.randint(12, 16))
            if plan.started_at < sent < self.now:
                plan.rounds.append(Round(number=1, submitted_at=sent))
                plan.status = ReportStatus.SUBMITTED
        return plan

    # --- writing ------------------------------------------------------------------------

    def write(self, assigned, skip=frozenset()):
        """Plan and write the reports of the cycle; regions in ``skip`` are left alone."""
        plans = []
        for region in self.regions:
            # A region's habits stay the same from year to year.
            quality = random.Random(region.code).random()
            for period in self.periods:
                missing = self.rng.random() < 0.01 + 0.03 * (1 - quality)
                if period == self.backlog_period and region.pk in self.waiting:
                    missing = False
                if region.pk in skip or missing:
                    continue  # no report at all: scores 0
                if self.now is not None and region.today(self.now) < period.opens_on:
                    continue  # not open yet
                plans.append(self.plan(region, period, assigned[region.pk], quality))
        written = [Written(plan) for plan in plans]
        with historic_timestamps(Report, ReportEntry, Evidence, ReportEvent):
            self.write_reports(written)
        return len(written)

    def _bulk(self, model, rows):
        self.counts[model.__name__] += len(rows)
        return model.objects.bulk_create(rows, batch_size=BATCH_SIZE)

    def write_reports(self, written):
        for item in written:
            item.report = self.report_of(item.plan)
        self._bulk(Report, [item.report for item in written])
        for item in written:
            item.entries = self.entries_of(item)
            self.add_evidence(item)
        self._bulk(ReportEntry, [row for item in written for row in item.entries])
        self._bulk(Evidence, [row for item in written for row in item.evidence])
        versions, events, requests, reviews = [], [], [], []
        for item in written:
            versions += self.versions_of(item)
            events += self.events_of(item)
            requests += self.requests_of(item)
            reviews += self.reviews_of(item)
        self._bulk(ReportVersion, versions)
        self._bulk(ReportEvent, events)
        self._bulk(RevisionRequest, [request for request, _items in requests])
        self._bulk(
            RevisionItem,
            [
                RevisionItem(request=request, **item)
                for request, items in requests
                for item in items
            ],
        )
        self._bulk(Review, [review for review, _decisions in reviews])
        self._bulk(
            ItemDecision,
            [
                ItemDecision(review=review, **decision)
                for review, decisions in reviews
                for decision in decisions
            ],
        )

    def report_of(self, plan):
        last = plan.rounds[-1] if plan.rounds else None
        verified = plan.status == ReportStatus.VERIFIED
        return Report(
            region=plan.region,
            period=plan.period,
            status=plan.status,
            notes="Laporan disusun bersama perangkat daerah pengampu aksi." if last else "",
            first_submitted_at=plan.rounds[0].submitted_at if last else None,
            last_submitted_at=last.submitted_at if last else None,
            verified_at=last.reviewed_at if verified else None,
            # save_draft bumps it: two sittings before the first submission, one per revision.
            revision=1 + len(plan.rounds),
            created_at=plan.started_at,
            updated_at=(last.reviewed_at or last.submitted_at) if last else plan.started_at,
        )

    def entries_of(self, item):
        plan = item.plan
        done = plan.period.order == len(self.periods)
        rows = []
        for action in plan.actions:
            if not plan.rounds and self.rng.random() < 0.5:
                continue  # a draft left half-filled
            rows.append(
                ReportEntry(
                    report=item.report,
                    action=action,
                    narrative=f"{plan.period.name} {self.cycle.year}: {NARRATIVES[action.number]}",
                    progress=ProgressStatus.DONE if done else ProgressStatus.IN_PROGRESS,
                    updated_at=plan.rounds[0].submitted_at if plan.rounds else plan.started_at,
                )
            )
        return rows

    def add_evidence(self, item):
        plan = item.plan
        name, size = self.shared
        year, code = self.cycle.year, plan.region.code
        labels = dict(plan.required)

        def add(pk, sent_in, uploaded_at, revision=0):
            slot = f"{code}/{plan.period.code}/{self.slots[pk]}"
            digest = f"{year}/{slot}/{revision}"
            if self.rng.random() < 0.005:
                # An old document sent again: the region's file of the year before.
                digest = f"{year - 1}/{slot}/0"
            suffix = f"_perbaikan{revision}" if revision else ""
            label = "_".join(labels[pk].split())
            item.evidence.append(
                Evidence(
                    report=item.report,
                    requirement_id=pk,
                    file=name,
                    original_name=f"{label}_{plan.period.code}_{year}{suffix}.pdf",
                    content_type="application/pdf",
                    size=size,
                    sha256=hashlib.sha256(digest.encode()).hexdigest(),
                    uploaded_by=plan.officer,
                    uploaded_at=uploaded_at,
                )
            )
            item.spans.append([sent_in, None])
            return len(item.evidence) - 1

        uploaded_at = plan.started_at + datetime.timedelta(hours=1)
        current = {}
        for pk, _label in plan.required:
            if plan.rounds or self.rng.random() < 0.5:
                current[pk] = add(pk, 1, uploaded_at)
        for previous, resent in zip(plan.rounds, plan.rounds[1:], strict=False):
            replaced_at = resent.submitted_at - datetime.timedelta(minutes=30)
            for pk in previous.rejected:
                old = item.evidence[current[pk]]
                old.removed_at, old.removed_by = replaced_at, plan.officer
                item.spans[current[pk]][1] = resent.number
                current[pk] = add(pk, resent.number, replaced_at, revision=previous.number)

    def versions_of(self, item):
        plan = item.plan
        entries = [
            {"action": e.action_id, "narrative": e.narrative, "progress": e.progress}
            for e in sorted(item.entries, key=lambda e: e.action_id)
        ]
        versions = []
        for current in plan.rounds:
            sent = [
                row
                for row, (first, replaced) in zip(item.evidence, item.spans, strict=True)
                if first <= current.number and (replaced is None or replaced > current.number)
            ]
            content = {
                "notes": item.report.notes,
                "proposals": item.report.proposals,
                "entries": entries,
                "evidence": [
                    {
                        "id": row.pk,
                        "requirement": row.requirement_id,
                        "name": row.original_name,
                        "sha256": row.sha256,
                        "size": row.size,
                        "content_type": row.content_type,
                    }
                    for row in sorted(sent, key=lambda row: row.pk)
                ],
            }
            versions.append(
                ReportVersion(
                    report=item.report,
                    number=current.number,
                    submitted_at=current.submitted_at,
                    submitted_by=plan.officer,
                    content=content,
                )
            )
        return versions

    def events_of(self, item):
        plan, report = item.plan, item.report

        def event(kind, before, after, actor, at, reason=""):
            return ReportEvent(
                report=report,
                kind=kind,
                from_status=before,
                to_status=after,
                actor=actor,
                reason=reason,
                created_at=at,
            )

        draft, sent = ReportStatus.DRAFT, ReportStatus.SUBMITTED
        events = [event(EventKind.CREATED, "", draft, plan.officer, plan.started_at)]
        for current in plan.rounds:
            first = current.number == 1
            events.append(
                event(
                    EventKind.SUBMITTED if first else EventKind.RESUBMITTED,
                    draft if first else ReportStatus.RETURNED,
                    sent,
                    plan.officer,
                    current.submitted_at,
                    f"Putaran {current.number}",
                )
            )
            if current.reviewed_at is None:
                continue
            if current.returned:
                returned = ReportStatus.RETURNED
                events.append(
                    event(
                        EventKind.RETURNED,
                        sent,
                        returned,
                        plan.evaluator,
                        current.reviewed_at,
                        RETURN_NOTE,
                    )
                )
            else:
                events.append(
                    event(
                        EventKind.VERIFIED,
                        sent,
                        ReportStatus.VERIFIED,
                        plan.evaluator,
                        current.reviewed_at,
                    )
                )
        return events

    def requests_of(self, item):
        plan = item.plan
        requests = []
        for index, current in enumerate(plan.rounds):
            following = plan.rounds[index + 1] if index + 1 < len(plan.rounds) else None
            if not current.returned:
                continue
            request = RevisionRequest(
                report=item.report,
                round=current.number,
                note=RETURN_NOTE,
                returned_by=plan.evaluator,
                returned_at=current.reviewed_at,
                answered_at=following.submitted_at if following else None,
            )
            rejected = [
                {"requirement_id": pk, "reason": reason, "note": ITEM_NOTE}
                for pk, reason in current.rejected.items()
            ]
            requests.append((request, rejected))
        return requests

    def reviews_of(self, item):
        plan = item.plan
        reviews = []
        for current in plan.rounds:
            if current.reviewed_at is None:
                continue
            review = Review(
                report=item.report,
                round=current.number,
                opened_by=plan.evaluator,
                opened_at=current.opened_at,
                decided_by=plan.evaluator,
                decided_at=current.reviewed_at,
                outcome=ReviewOutcome.RETURNED if current.returned else ReviewOutcome.VERIFIED,
                note=RETURN_NOTE if current.returned else "",
            )
            decisions = [
                {
                    "requirement_id": pk,
                    "decision": Decision.REJECTED if pk in current.rejected else Decision.ACCEPTED,
                    "reason": current.rejected.get(pk, ""),
                    "note": ITEM_NOTE if pk in current.rejected else "",
                }
                for pk, _name in plan.required
            ]
            reviews.append((review, decisions))
        return reviews


def seed_scale(
    *, fraction=1.0, cycles=5, limit=None, last_year=LAST_YEAR, log=None, current=True, now=None
):
    """Build the national data set; regions that already have reports in a cycle are skipped.

    With ``current`` the ministry's current year (when after ``last_year``) is added as a
    round in progress as of ``now``. ``log`` (a callable taking a line) hears about each step
    as it finishes.
    """
    log = log or (lambda line: None)
    started = time.perf_counter()
    result_seconds = {}

    def step(name, since):
        now = time.perf_counter()
        result_seconds[name] = result_seconds.get(name, 0) + now - since
        return now

    regions = select_regions(fraction, limit)
    years = list(range(last_year - cycles + 1, last_year + 1))
    with transaction.atomic():
        ensure_kanwils()
        # Every Kanwil gets an evaluator, also one that existed before with other provinces.
        kanwils = list(Kanwil.objects.all())
        # Re-read: the Kanwil links are what scoping and the evaluators hang on.
        regions = list(
            Region.objects.filter(pk__in=[r.pk for r in regions])
            .select_related("province__kanwil_link")
            .order_by("code")
        )
        sync_holidays(range(years[0], last_year + 2))
        officers, evaluators = ensure_people(regions, kanwils)
    calendar = WorkCalendar(Holiday.objects.values_list("date", flat=True))
    shared = ensure_shared_file()
    rng = random.Random(last_year)
    result = ScaleResult(regions=len(regions), kanwil=len(kanwils), years=years)
    since = step("setup", started)
    log(f"Persiapan: {len(regions)} wilayah, {len(kanwils)} Kanwil ({since - started:.1f} s)")
    history = list(years)
    moment = now or timezone.now()
    if current and ministry_today(moment).year > last_year:
        # This year's cycle as it stands today: closed periods reported and reviewed, the
        # open one with drafts, a few reports sent and some waiting for review.
        years.append(ministry_today(moment).year)
        sync_holidays([years[-1], years[-1] + 1])
        calendar = WorkCalendar(Holiday.objects.values_list("date", flat=True))
    for year in years:
        with transaction.atomic():
            cycle = ensure_cycle(year, [])
            writer = CycleWriter(
                cycle,
                regions,
                officers,
                evaluators,
                calendar,
                rng,
                shared,
                latest=year == history[-1],
                now=None if year in history else moment,
            )
            assigned = writer.assign()
            skip = set(
                Report.objects.filter(period__cycle=cycle, region__in=regions).values_list(
                    "region_id", flat=True
                )
            )
            written = writer.write(assigned, skip)
        since = step("write", since)
        recompute_cycle(cycle)
        now = step("recompute", since)
        log(
            f"Siklus {year}: {written} laporan, "
            f"{sum(writer.counts.values())} baris ({now - since:.1f} s nilai)"
        )
        since = now
        result.counts.update(writer.counts)
    result.seconds = {**result_seconds, "total": time.perf_counter() - started}
    return result
