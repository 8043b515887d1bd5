"""Demo data: cycle, Kanwil Kalimantan Timur, seven actions, a user for each role, and the
2025 reports of every Kaltim and Kaltara region, reviewed and scored.

Every official shown here is visibly an example: no real name or NIP is used. The 2025
reports go through the same services as the browser does, with ``now=`` set to moments in
2025 in each region's own time zone, so that what the demo shows is what the portal would
have recorded. Shape: Kota Balikpapan is the best reporter of Kanwil Kaltim in 2025 (about
99, always early and quick to answer, losing only on two documents accepted after revision),
as in the real 2025 result; the other regions are lower and varied.
"""

import datetime
import hashlib
import io
import random
import textwrap
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from pypdf import PdfWriter
from pypdf.generic import ContentStream, DictionaryObject, NameObject

from accounts.days import ministry_today
from accounts.invitations import invite
from accounts.models import Holiday, Invitation, Kanwil, KanwilProvince, Region, Role, User
from accounts.services import load_regions, sync_holidays
from evaluation import scoring
from evaluation import services as evaluation_services
from evaluation.models import Decision, ReviewOutcome, Score
from evaluation.publication import publish
from evaluation.scorecards import recompute_cycle
from evaluation.services import ItemChoice, decide
from notifications.models import Kind, Notice
from reporting import services as reporting_services
from reporting.matrix import commit_matrix, period_codes, read_matrix, submitted_reports
from reporting.models import (
    Assignment,
    ExtensionRequest,
    ExtensionRequestStatus,
    Period,
    ProgressStatus,
    RejectionReason,
    Report,
    ReportingCycle,
    ReportStatus,
    TargetGroup,
)
from reporting.requirements import report_requirements
from reporting.services import (
    DraftChanges,
    ReportingError,
    current_due_on,
    request_extension,
    save_draft,
    start_report,
    submit_report,
)
from reporting.uploads import InspectedUpload, display_name_for_type

# The matrix the demo loads, written by ``manage.py write_matrix_sample`` (demo.matrix_sample).
SAMPLE_MATRIX = Path(__file__).resolve().parent / "data" / "matriks-aksi-ham-contoh.xlsx"

DEMO_KANWIL = {
    "code": "kaltim",
    "name": "Kantor Wilayah Kementerian HAM Kalimantan Timur",
    "city": "Samarinda",
    "head_name": "Kepala Kantor Wilayah (contoh)",
    "head_nip": "NIP contoh 000000000000000000",
    "head_title": "Kepala Kantor Wilayah Kementerian HAM Kalimantan Timur",
}
DEMO_KANWIL_PROVINCES = ["64", "65"]  # Kalimantan Timur and Kalimantan Utara

ACTIONS = [
    (
        TargetGroup.PEREMPUAN,
        "Penguatan layanan pengaduan dan pendampingan perempuan korban kekerasan",
        "Setiap pengaduan kekerasan terhadap perempuan ditangani UPTD PPA sesuai standar layanan.",
    ),
    (
        TargetGroup.PEREMPUAN,
        "Pengarusutamaan gender dalam perencanaan dan penganggaran daerah",
        "Dokumen perencanaan dan anggaran perangkat daerah memuat analisis gender.",
    ),
    (
        TargetGroup.ANAK,
        "Pemenuhan hak identitas anak melalui percepatan akta kelahiran",
        "Cakupan kepemilikan akta kelahiran anak meningkat dibanding tahun sebelumnya.",
    ),
    (
        TargetGroup.ANAK,
        "Pencegahan perkawinan anak melalui edukasi keluarga dan sekolah",
        "Angka dispensasi kawin menurun dan edukasi menjangkau seluruh kecamatan.",
    ),
    (
        TargetGroup.DISABILITAS,
        "Penyediaan aksesibilitas layanan publik bagi penyandang disabilitas",
        "Gedung layanan publik utama memenuhi standar aksesibilitas.",
    ),
    (
        TargetGroup.DISABILITAS,
        "Pendataan terpadu penyandang disabilitas dan layanan adminduk",
        "Data penyandang disabilitas terpilah dan terhubung dengan layanan kependudukan.",
    ),
    (
        TargetGroup.MASYARAKAT_ADAT,
        "Pengakuan dan perlindungan masyarakat hukum adat",
        "Masyarakat hukum adat teridentifikasi dan ditetapkan dengan produk hukum daerah.",
    ),
]

# What each period asks of every action, and the two evidence items it requires.
PERIOD_MEASURES = {
    1: ("Terbentuknya tim pelaksana dan rencana kerja", ["SK Tim Pelaksana", "Notulen rapat"]),
    2: ("Terlaksananya kegiatan sesuai rencana kerja", ["Laporan kegiatan", "Daftar hadir"]),
    3: ("Terjangkaunya kelompok sasaran", ["Daftar penerima manfaat", "Dokumentasi kegiatan"]),
    4: (
        "Tersusunnya laporan capaian tahunan",
        ["Laporan capaian tahunan", "Surat pengesahan kepala daerah"],
    ),
}

DEMO_USERS = [
    # username, password, first, last, role, region code or None
    (
        "petugas.balikpapan",
        "Balikpapan-Demo-2025",
        "Petugas",
        "Balikpapan (contoh)",
        Role.OFFICER,
        "64.71",
    ),
    (
        "petugas.samarinda",
        "Samarinda-Demo-2025",
        "Petugas",
        "Samarinda (contoh)",
        Role.OFFICER,
        "64.72",
    ),
    (
        "verifikator.kaltim",
        "Kaltim-Demo-2025",
        "Verifikator",
        "Kanwil Kaltim (contoh)",
        Role.EVALUATOR,
        None,
    ),
    ("admin", "Admin-Demo-2025", "Admin", "Kementerian (contoh)", Role.ADMIN, None),
]


@dataclass
class DemoResult:
    cycles: list
    kanwil: Kanwil
    users: list  # (username, password, role label)


def ensure_demo_kanwil():
    if not Region.objects.filter(code__in=DEMO_KANWIL_PROVINCES).exists():
        load_regions()  # reference data first, as `make demo` loads it (idempotent)
    kanwil, _created = Kanwil.objects.get_or_create(code=DEMO_KANWIL["code"], defaults=DEMO_KANWIL)
    for code in DEMO_KANWIL_PROVINCES:
        province = Region.objects.get(code=code)
        KanwilProvince.objects.get_or_create(province=province, defaults={"kanwil": kanwil})
    return kanwil


def load_sample_matrix(year, *, by, assignments=True):
    """The cycle of ``year`` as the sample workbook describes it, imported through the
    admins' matrix import; a cycle with submitted reports is left as it is."""
    cycle = ReportingCycle.objects.filter(year=year).first()
    if submitted_reports(cycle):
        return cycle
    plan = read_matrix(SAMPLE_MATRIX.read_bytes(), codes=period_codes(cycle))
    if not assignments:
        plan.assignments.clear()
    commit_matrix(plan, year, by=by, source=SAMPLE_MATRIX.name)
    return ReportingCycle.objects.get(year=year)


def ensure_cycle(year, regions, *, by=None):
    """The sample matrix's cycle, with every action assigned to ``regions``."""
    cycle = load_sample_matrix(year, by=by, assignments=False)
    Assignment.objects.bulk_create(
        [
            Assignment(action=action, region=region)
            for action in cycle.actions.all()
            for region in regions
        ],
        ignore_conflicts=True,
    )
    return cycle


def ensure_users(kanwil):
    users = []
    for username, password, first, last, role, region_code in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first, last_name=last, role=role)
            user.region = Region.objects.get(code=region_code) if region_code else None
            user.kanwil = kanwil if role == Role.EVALUATOR else None
            user.is_staff = user.is_superuser = role == Role.ADMIN
            user.set_password(password)
            user.save()
        users.append((username, password, role.label))
    return users


# --- 2025 reports ---------------------------------------------------------------------------

REPORT_YEAR = 2025
EVALUATOR_USERNAME = "verifikator.kaltim"
# Demo officers of the regions without a printed demo user: they cannot log in.
REGION_OFFICER_PREFIX = "petugas.contoh."


@dataclass(frozen=True)
class Habits:
    """How a demo region reports. Ranges are inclusive; ``rejected`` has one per period."""

    early_days: tuple  # working days before the due date of an on-time first submission
    late_chance: float  # chance that a first submission comes 1-4 days after the due date
    rejected: tuple  # (min, max) items rejected at the first review, per period order
    stays_rejected: float  # chance that a revised item is still rejected at the next review
    second_return: float  # chance that the Kanwil sends those back once more
    response_days: tuple  # working days the region takes to answer a return
    reasons: tuple  # rejection reasons the Kanwil gives this region, as a weighted pool


_ANY_REASON = (
    RejectionReason.UNSIGNED,
    RejectionReason.UNSIGNED,
    RejectionReason.UNSIGNED,
    RejectionReason.NOT_MATCHING,
    RejectionReason.NOT_MATCHING,
    RejectionReason.NOT_MATCHING,
    RejectionReason.UNREADABLE,
    RejectionReason.UNREADABLE,
    RejectionReason.WRONG_PERIOD,
    RejectionReason.DUPLICATE,
)

HABITS = {
    # Early, answers the next working day; two documents lacked a signature (TW2 and TW3).
    "teladan": Habits(
        early_days=(3, 5),
        late_chance=0.0,
        rejected=((0, 0), (1, 1), (1, 1), (0, 0)),
        stays_rejected=0.0,
        second_return=0.0,
        response_days=(1, 1),
        reasons=(RejectionReason.UNSIGNED,),
    ),
    "baik": Habits((0, 3), 0.05, ((1, 2),) * 4, 0.1, 0.5, (2, 3), _ANY_REASON),
    "sedang": Habits((0, 2), 0.15, ((2, 4),) * 4, 0.25, 0.5, (2, 5), _ANY_REASON),
    "lemah": Habits((0, 1), 0.45, ((3, 6),) * 4, 0.35, 0.4, (3, 6), _ANY_REASON),
    "terlambat": Habits((0, 0), 1.0, ((2, 4),) * 4, 0.25, 0.5, (3, 5), _ANY_REASON),
}
REGION_HABITS = {
    "64": "baik",
    "64.01": "sedang",
    "64.02": "sedang",
    "64.03": "baik",
    "64.07": "lemah",
    "64.08": "sedang",
    "64.09": "sedang",
    "64.11": "terlambat",
    "64.71": "teladan",
    "64.72": "baik",
    "64.74": "baik",
    "65": "sedang",
    "65.01": "sedang",
    "65.02": "lemah",
    "65.03": "sedang",
    "65.04": "lemah",
    "65.71": "baik",
}

PERIOD_OPENINGS = {
    1: "Tim pelaksana telah ditetapkan dan rencana kerja tahun ini disepakati dalam rapat "
    "koordinasi perangkat daerah.",
    2: "Kegiatan berjalan sesuai rencana kerja yang disepakati.",
    3: "Layanan telah menjangkau kelompok sasaran di seluruh kecamatan.",
    4: "Capaian setahun telah direkap dan disahkan kepala daerah.",
}


def _achievement(number, rng):
    """One sentence with this period's figures for action ``number``."""
    if number == 1:
        cases = rng.randint(6, 60)
        return (
            f"UPTD PPA menerima {cases} pengaduan kekerasan terhadap perempuan; "
            f"{rng.randint(cases // 2, cases)} kasus telah didampingi sampai tuntas, selebihnya "
            "masih dalam pendampingan hukum dan psikologis."
        )
    if number == 2:
        total = rng.randint(25, 45)
        return (
            f"{rng.randint(total // 3, total)} dari {total} perangkat daerah telah menyusun "
            "Gender Analysis Pathway dan Gender Budget Statement untuk program prioritas."
        )
    if number == 3:
        coverage = f"{rng.uniform(88, 99.5):.1f}".replace(".", ",")
        return (
            f"Cakupan akta kelahiran anak usia 0-18 tahun mencapai {coverage} persen; layanan "
            f"jemput bola dilaksanakan di {rng.randint(4, 30)} kelurahan/desa."
        )
    if number == 4:
        return (
            f"Edukasi pencegahan perkawinan anak dilaksanakan di {rng.randint(5, 40)} sekolah "
            f"dan menjangkau {rng.randint(300, 3000)} peserta; permohonan dispensasi kawin "
            f"tercatat {rng.randint(0, 25)} perkara."
        )
    if number == 5:
        return (
            f"{rng.randint(2, 15)} gedung layanan publik telah dilengkapi ramp, toilet aksesibel "
            f"dan jalur pemandu; {rng.randint(1, 8)} gedung lain dijadwalkan tahun depan."
        )
    if number == 6:
        counted = rng.randint(200, 3000)
        return (
            f"{counted} penyandang disabilitas terdata secara terpilah; "
            f"{rng.randint(counted // 4, counted // 2)} orang di antaranya telah memperoleh "
            "KTP-el atau KIA melalui layanan jemput bola."
        )
    communities = rng.randint(1, 9)
    return (
        "Panitia masyarakat hukum adat melakukan identifikasi dan verifikasi terhadap "
        f"{communities} komunitas adat; {rng.randint(0, communities)} komunitas telah "
        "diusulkan penetapannya dengan peraturan daerah."
    )


REPORT_NOTES = (
    "Laporan disusun Bagian Hukum Sekretariat Daerah bersama perangkat daerah pengampu aksi.",
    "Data dukung dihimpun dari perangkat daerah pengampu aksi dan telah diperiksa Inspektorat.",
    "Rapat verifikasi internal laporan dilaksanakan sebelum laporan dikirim.",
)
REPORT_PROPOSALS = (
    "",
    "",
    "Mohon bimbingan teknis penyusunan data dukung bagi perangkat daerah pengampu aksi.",
    "Mohon Kanwil memfasilitasi koordinasi dengan instansi vertikal untuk aksi masyarakat adat.",
)
REJECTION_NOTES = {
    RejectionReason.UNSIGNED: "Dokumen belum ditandatangani pejabat berwenang dan belum "
    "memakai kop surat resmi.",
    RejectionReason.NOT_MATCHING: "Isi dokumen belum menunjukkan capaian ukuran keberhasilan "
    "periode ini.",
    RejectionReason.UNREADABLE: "Hasil pindaian buram; unggah ulang dengan resolusi lebih baik.",
    RejectionReason.WRONG_PERIOD: "Dokumen bertanggal di luar periode pelaporan.",
    RejectionReason.DUPLICATE: "Berkas sama dengan data dukung butir lain.",
}


class WorkCalendar:
    """The portal's own working days (evaluation.scoring's rule over the holiday table), in the
    shape the demo's stories step through them."""

    def __init__(self, holidays):
        self.holidays = frozenset(holidays)

    @classmethod
    def of_years(cls, years):
        """The holiday table's days of the years; loaded from the package first if missing."""
        years = sorted(set(years))
        if not Holiday.objects.filter(date__year__in=years).exists():
            sync_holidays(years)
        return cls(Holiday.objects.filter(date__year__in=years).values_list("date", flat=True))

    def is_working_day(self, day):
        return scoring.is_working_day(day, self.holidays)

    def after(self, day, count):
        """The ``count``-th working day after ``day``."""
        return scoring.working_day_after(day, count, self.holidays)

    def before(self, day, count):
        """The ``count``-th working day before ``day`` (``day`` itself when count is 0)."""
        return scoring.working_day_before(day, count, self.holidays)


def _pdf_text(text):
    text = text.encode("latin-1", "replace").decode("latin-1")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def specimen_pdf(title, author, lines):
    """A one-page PDF that says it is a demo specimen; ``title`` makes its bytes unique."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
    )
    wrapped = [part for line in lines for part in textwrap.wrap(line, 80) or [""]]
    shown = "".join(f"({_pdf_text(line)}) Tj 0 -22 Td " for line in wrapped)
    content = ContentStream(None, writer)
    content.set_data(f"BT /F1 13 Tf 60 770 Td {shown}ET".encode("latin-1"))
    page.replace_contents(content)
    writer.add_metadata(
        {
            "/Title": title,
            "/Author": author,
            "/Subject": "Data dukung contoh portal RANHAM (bukan dokumen resmi)",
            "/Creator": "RANHAM seed_demo",
        }
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _slug(text):
    return "_".join("".join(c if c.isalnum() else " " for c in text).split())


def ensure_region_officers(regions):
    """{region id: officer}: the printed demo users, and an example officer for the rest."""
    officers = {
        user.region_id: user
        for user in User.objects.filter(role=Role.OFFICER, region__in=regions).order_by("pk")
    }
    for region in regions:
        if region.pk in officers:
            continue
        user = User(
            username=f"{REGION_OFFICER_PREFIX}{region.code}",
            first_name="Petugas",
            last_name=f"{region.short_name} (contoh)",
            role=Role.OFFICER,
            region=region,
        )
        user.set_unusable_password()
        user.save()
        officers[region.pk] = user
    return officers


class ReportStory:
    """One region's report of one period, told through the services from draft to verified."""

    def __init__(self, *, region, period, officer, evaluator, habits, calendar, rng, now=None):
        self.region, self.period = region, period
        # Nothing happens after ``now``: the story stops where the round stands today.
        self.now = now
        self.officer, self.evaluator = officer, evaluator
        self.habits, self.calendar, self.rng = habits, calendar, rng
        self.blocks = report_requirements(region, period)
        self.requirements = [req for block in self.blocks for req in block.requirements]
        self.action_of = {
            req.pk: block.action for block in self.blocks for req in block.requirements
        }

    def moment(self, day, hour, minute=None):
        minute = self.rng.randint(0, 59) if minute is None else minute
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.region.zone)

    def evidence(self, requirement, revision=0):
        action = self.action_of[requirement.pk]
        year = self.period.cycle.year
        label = f"{requirement.name} - Aksi {action.number} - {self.region.name} - "
        label += f"{self.period.code} {year}"
        name = f"{_slug(requirement.name)}_Aksi{action.number}_{self.period.code}_{year}"
        name += f"_{_slug(self.region.short_name)}"
        if revision:
            label += f" - perbaikan {revision}"
            name += f"_perbaikan{revision}"
        content = specimen_pdf(
            label,
            f"{self.region.government_name} (contoh)",
            [
                "CONTOH DATA DUKUNG - BUKAN DOKUMEN RESMI",
                requirement.name,
                f"Aksi HAM {action.number}: {action.title}",
                f"{self.region.government_name} - {self.period.name} {year}",
                f"Perbaikan ke-{revision}" if revision else "",
            ],
        )
        uploaded = SimpleUploadedFile(f"{name}.pdf", content, content_type="application/pdf")
        # The portal's own specimen, checked by inspect_upload in the tests: what the check
        # would establish is known without parsing each of some thousand files again.
        uploaded.inspected = InspectedUpload(
            original_name=display_name_for_type(uploaded.name, "application/pdf"),
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            extension=".pdf",
        )
        return uploaded

    def entry(self, action):
        progress = ProgressStatus.IN_PROGRESS
        done_chance = 0.85 if self.period.order == 4 else 0.2
        if self.rng.random() < done_chance:
            progress = ProgressStatus.DONE
        text = f"{PERIOD_OPENINGS[self.period.order]} {_achievement(action.number, self.rng)}"
        return text, progress

    def draft(self):
        """Two sittings: the first half of the actions, then the rest and the notes."""
        report = start_report(self.region, self.period, by=self.officer)
        half = len(self.blocks) // 2
        for blocks, last in ((self.blocks[:half], False), (self.blocks[half:], True)):
            changes = DraftChanges(
                revision=report.revision,
                entries={block.action.pk: self.entry(block.action) for block in blocks},
                notes=self.rng.choice(REPORT_NOTES) if last else "",
                proposals=self.rng.choice(REPORT_PROPOSALS) if last else "",
                uploads=[
                    (req.pk, self.evidence(req)) for block in blocks for req in block.requirements
                ],
            )
            report = save_draft(report, changes, by=self.officer)
        return report

    def first_submission(self):
        due_on, habits, calendar = self.period.due_on, self.habits, self.calendar
        if self.rng.random() < habits.late_chance:
            late = [
                due_on + datetime.timedelta(days=n)
                for n in range(1, 5)
                if calendar.is_working_day(due_on + datetime.timedelta(days=n))
            ]
            return self.moment(self.rng.choice(late), self.rng.randint(8, 15))
        day = calendar.before(due_on, self.rng.randint(*habits.early_days))
        # Nobody reports a quarter before it has ended.
        day = max(day, calendar.after(self.period.ends_on, 1))
        if day == due_on and self.rng.random() < 0.5:
            return self.moment(day, self.rng.randint(19, 23))  # the last evening
        return self.moment(day, self.rng.randint(8, 15))

    def response(self, returned_at):
        """When the region answers a return, or None when it cannot before the close."""
        returned_on = returned_at.astimezone(self.region.zone).date()
        for days in range(self.rng.randint(*self.habits.response_days), 0, -1):
            day = self.calendar.after(returned_on, days)
            if day <= self.period.closes_on:
                return self.moment(day, self.rng.randint(8, 16))
        return None

    def review_moment(self, submitted_at):
        submitted_on = submitted_at.astimezone(self.region.zone).date()
        return self.moment(
            self.calendar.after(submitted_on, self.rng.randint(1, 3)), self.rng.randint(9, 15)
        )

    def revise(self, report, rejected, revision):
        current = report.evidence.filter(removed_at__isnull=True, requirement__in=list(rejected))
        changes = DraftChanges(
            revision=report.revision,
            notes=report.notes,
            proposals=report.proposals,
            removals=set(current.values_list("pk", flat=True)),
            uploads=[(pk, self.evidence(rejected[pk], revision)) for pk in sorted(rejected)],
        )
        return save_draft(report, changes, by=self.officer)

    def later(self, moment):
        return self.now is not None and moment is not None and moment >= self.now

    def recent_submission(self):
        """A moment of the last working days before now, in the period's window, or None."""
        today = self.now.astimezone(self.region.zone).date()
        day = max(self.calendar.before(today, self.rng.randint(1, 3)), self.period.opens_on)
        moment = self.moment(day, self.rng.randint(8, 15))
        return None if moment >= self.now else moment

    def first_sitting(self):
        """A draft begun: the first half of the actions, no notes yet."""
        report = start_report(self.region, self.period, by=self.officer)
        blocks = self.blocks[: len(self.blocks) // 2]
        changes = DraftChanges(
            revision=report.revision,
            entries={block.action.pk: self.entry(block.action) for block in blocks},
            uploads=[
                (req.pk, self.evidence(req)) for block in blocks for req in block.requirements
            ],
        )
        return save_draft(report, changes, by=self.officer)

    def tell(self, *, early=False):
        """The report from draft to verified, or as far as it has come by ``now``; with
        ``early`` the region sends it in the last days even before the period has ended."""
        submitted_at = self.first_submission()
        if early and self.later(submitted_at):
            submitted_at = self.recent_submission()
        if submitted_at is None or self.later(submitted_at):
            if self.rng.random() < 0.5:
                return self.first_sitting()
            return self.draft()
        report = self.draft()
        report = submit_report(report, by=self.officer, now=submitted_at)
        low, high = self.habits.rejected[self.period.order - 1]
        count = self.rng.randint(low, high)
        rejected = {req.pk: req for req in self.rng.sample(self.requirements, count)}
        reasons = {pk: self.rng.choice(self.habits.reasons) for pk in rejected}
        round_number = 1
        while True:
            reviewed_at = self.review_moment(submitted_at)
            if self.later(reviewed_at):
                return report  # waiting in the Kanwil's queue
            opened_at = reviewed_at - datetime.timedelta(minutes=self.rng.randint(20, 90))
            returns = bool(rejected) and (
                round_number == 1
                or (round_number == 2 and self.rng.random() < self.habits.second_return)
            )
            answer_at = self.response(reviewed_at) if returns else None
            unanswered = returns and self.later(answer_at)
            choices = {
                req.pk: ItemChoice(
                    Decision.REJECTED, reasons[req.pk], REJECTION_NOTES[reasons[req.pk]]
                )
                if req.pk in rejected
                else ItemChoice(Decision.ACCEPTED)
                for req in self.requirements
            }
            if answer_at is None:
                decide(
                    report,
                    by=self.evaluator,
                    round=round_number,
                    choices=choices,
                    outcome=ReviewOutcome.VERIFIED,
                    note="Laporan diverifikasi."
                    if not rejected
                    else "Laporan diverifikasi; butir yang masih ditolak tidak mendapat nilai.",
                    now=reviewed_at,
                    opened_at=opened_at,
                )
                return report
            decide(
                report,
                by=self.evaluator,
                round=round_number,
                choices=choices,
                outcome=ReviewOutcome.RETURNED,
                note=f"Mohon perbaiki {len(rejected)} data dukung yang ditandai dan kirim ulang "
                "paling lambat 3 hari kerja.",
                now=reviewed_at,
                opened_at=opened_at,
            )
            if unanswered:
                return report  # returned, the region is still at it
            report = self.revise(report, rejected, round_number)
            report = submit_report(report, by=self.officer, now=answer_at)
            submitted_at = answer_at
            rejected = {
                pk: req
                for pk, req in rejected.items()
                if self.rng.random() < self.habits.stays_rejected
            }
            round_number += 1


@contextmanager
def one_scoring_at_the_end():
    """While the stories are told: what each region must report is read once per region and
    period (the setup does not change meanwhile), and the per-decision rescoring is left to
    the one ``recompute_cycle`` that follows, which stores the same figures. Halves the
    demo's seeding time; every change still goes through its service."""
    memo = {}

    def requirements(region, period):
        key = (region.pk, period.pk)
        if key not in memo:
            memo[key] = report_requirements(region, period)
        return memo[key]

    with (
        mock.patch.object(reporting_services, "report_requirements", requirements),
        mock.patch.object(evaluation_services, "report_requirements", requirements),
        mock.patch.object(evaluation_services, "recompute_report", lambda report: None),
    ):
        yield


def build_reports(cycle, regions, *, now=None, silent=(), early=()):
    """Every region's report of every period of the cycle, from draft to verified.

    With ``now`` the stories stop there: periods not yet open have nothing, the others are as
    far as they have come (drafts, reports waiting for review, returns not yet answered).
    Regions in ``silent`` never report; those in ``early`` send the open period's report in
    the last days. A region and period that already has a report is left alone. Returns how
    many were built.
    """
    evaluator = User.objects.get(username=EVALUATOR_USERNAME)
    officers = ensure_region_officers(regions)
    calendar = WorkCalendar.of_years([cycle.year, cycle.year + 1])
    periods = list(cycle.periods.select_related("cycle"))
    existing = set(Report.objects.filter(period__in=periods).values_list("region_id", "period_id"))
    # One seed per region and period, drawn in a fixed order, so that a skipped report does
    # not change the others.
    seeds = random.Random(cycle.year)
    built = 0
    for region in sorted(regions, key=lambda r: r.code):
        habits = HABITS[REGION_HABITS.get(region.code, "sedang")]
        for period in periods:
            rng = random.Random(seeds.getrandbits(64))
            if (region.pk, period.pk) in existing or region.code in silent:
                continue
            if now is not None and region.today(now) < period.opens_on:
                continue
            story = ReportStory(
                region=region,
                period=period,
                officer=officers[region.pk],
                evaluator=evaluator,
                habits=habits,
                calendar=calendar,
                rng=rng,
                now=now,
            )
            if story.blocks:
                story.tell(early=region.code in early)
                built += 1
    return built


# --- this year's round, as it stands today -----------------------------------------------

# Never reported this year (nobody there uses the portal yet).
SILENT_REGION = "65.04"
# Sent the open period's report in the last days, before the period has even ended. The
# printed demo officers (Balikpapan, Samarinda) keep a draft to work on.
EARLY_REGIONS = ("64.02", "64.74", "65.71")
# Asks for more time in the open period; the first of these whose report is not sent.
EXTENSION_REGIONS = ("64.72", "64.01", "65.01")
# Regions whose example officer was invited and has not accepted yet.
INVITED_REGIONS = ("64.11", "65.02")

# Example contacts of the demo people, confirmed: mail from the first event is in var/mail/.
DEMO_CONTACTS = {
    "petugas.balikpapan": ("petugas.balikpapan@contoh.go.id", "+6281200000001"),
    "petugas.samarinda": ("petugas.samarinda@contoh.go.id", "+6281200000002"),
    "verifikator.kaltim": ("verifikator.kaltim@contoh.go.id", ""),
    "admin": ("admin@contoh.go.id", ""),
}


def open_period(cycle, today):
    """The period whose window holds ``today`` (the latest when two overlap), or None."""
    current = [p for p in cycle.periods.all() if p.opens_on <= today <= p.closes_on]
    return current[-1] if current else None


def ensure_extension_request(cycle, regions, now):
    """One pending extension request in the open period, from a region still at its report."""
    period = open_period(cycle, ministry_today(now))
    if period is None or ExtensionRequest.objects.filter(period__cycle=cycle).exists():
        return None
    by_code = {region.code: region for region in regions}
    for code in EXTENSION_REGIONS:
        region = by_code.get(code)
        officer = User.objects.filter(role=Role.OFFICER, region=region).order_by("pk").first()
        if region is None or officer is None:
            continue
        try:
            return request_extension(
                region,
                period,
                due_on=current_due_on(region, period) + datetime.timedelta(days=7),
                reason="Kepala perangkat daerah pengampu aksi 5 dan 6 sedang dinas luar; "
                "data dukung baru dapat ditandatangani setelah beliau kembali.",
                by=officer,
                now=now,
            )
        except ReportingError:
            continue
    return None


def settle_notices(now):
    """The bell as the demo people would have it: what they have not acted on is unread.

    The stories make their notices through the real events (after commit, so this runs after
    the seeding transaction). Each notice about a report takes the story's time of what it
    announces, and everything is read except a report still waiting for the evaluator, a
    return still waiting for the officer, the last week's verifications and a pending
    extension request.
    """
    report_type = Report._meta.label_lower
    unread = Notice.objects.filter(read_at__isnull=True)
    report_ids = {
        int(pk) for pk in unread.filter(object_type=report_type).values_list("object_id", flat=True)
    }
    reports = {
        str(report.pk): report
        for report in Report.objects.filter(pk__in=report_ids).annotate(
            returned_at=Max("revision_requests__returned_at")
        )
    }
    pending = {
        str(pk)
        for pk in ExtensionRequest.objects.filter(
            status=ExtensionRequestStatus.PENDING
        ).values_list("pk", flat=True)
    }
    week_ago = now - datetime.timedelta(days=7)
    for notice in unread.select_related("recipient"):
        moment, keep = notice.created_at, False
        report = reports.get(notice.object_id) if notice.object_type == report_type else None
        if report is not None:
            moment = {
                Kind.SUBMITTED: report.first_submitted_at,
                Kind.RESUBMITTED: report.last_submitted_at,
                Kind.RETURNED: report.returned_at,
                Kind.VERIFIED: report.verified_at,
            }.get(notice.kind) or moment
            if notice.recipient.is_evaluator:
                keep = report.status == ReportStatus.SUBMITTED
            else:
                keep = report.status == ReportStatus.RETURNED or (
                    notice.kind == Kind.VERIFIED and moment >= week_ago
                )
        elif notice.object_type == ExtensionRequest._meta.label_lower:
            keep = notice.object_id in pending
        Notice.objects.filter(pk=notice.pk).update(
            created_at=min(moment, notice.created_at), read_at=None if keep else now
        )


def ensure_contacts(now):
    """The demo people's example e-mail and phone, confirmed (set once, after the stories)."""
    for username, (email, phone) in DEMO_CONTACTS.items():
        user = User.objects.filter(username=username, email="").first()
        if user is None:
            continue
        user.email, user.email_confirmed_at = email, now
        if phone:
            user.phone, user.phone_confirmed_at = phone, now
        user.save(update_fields=["email", "email_confirmed_at", "phone", "phone_confirmed_at"])


def ensure_invitations(regions, *, by, now):
    """Two regions whose example officer was invited and has not accepted yet."""
    invited = []
    for region in regions:
        if region.code not in INVITED_REGIONS:
            continue
        officer = User.objects.filter(role=Role.OFFICER, region=region).order_by("pk").first()
        if officer is None or officer.has_usable_password():
            continue
        if Invitation.objects.filter(user=officer).exists():
            continue
        slug = _slug(region.short_name).lower().replace("_", "")
        officer.email = f"petugas.{slug}@contoh.go.id"
        officer.save(update_fields=["email"])
        invited.append(invite(officer, by=by, now=now))
    return invited


# --- published history: RANHAM 2021-2024, then 2025 as told ----------------------------------

HISTORY_YEARS = range(2021, REPORT_YEAR)
BALIKPAPAN = "64.71"


def _history_scores(region_codes):
    """{year: {code: (C, T, R)}}: Balikpapan first of its Kanwil every year; the others each
    with a level of their own that rises and falls from year to year. Seeded: the same on
    every run."""
    rng = random.Random(2021)
    level = {code: rng.uniform(58, 86) for code in region_codes}
    years = {}
    for year in HISTORY_YEARS:
        rows = {}
        for code in region_codes:
            if code == BALIKPAPAN:
                rows[code] = (rng.uniform(91, 97), Decimal(100), rng.uniform(96, 100))
                continue
            level[code] = min(90.0, max(45.0, level[code] + rng.uniform(-9, 9)))
            c, t, r = (min(92.0, max(30.0, level[code] + rng.uniform(-8, 8))) for _ in range(3))
            rows[code] = (c, t, r)
        years[year] = rows
    return years


def _money(value):
    return Decimal(value).quantize(Decimal("0.01"))


def ensure_history(regions, *, by):
    """The published cycles before 2025, one annual closed period each, written as the scores
    that the public pages read (no reports: these years predate the portal). Published
    through the service like any other cycle; a second run finds them and changes nothing."""
    codes = {region.code: region for region in regions}
    plan = _history_scores(sorted(codes))
    for year, rows in plan.items():
        cycle, _created = ReportingCycle.objects.get_or_create(year=year)
        period, created = Period.objects.get_or_create(
            cycle=cycle,
            order=1,
            defaults={
                "code": "TAHUN",
                "name": f"Tahunan {year}",
                "starts_on": datetime.date(year, 1, 1),
                "ends_on": datetime.date(year, 12, 31),
                "opens_on": datetime.date(year + 1, 1, 2),
                "due_on": datetime.date(year + 1, 1, 15),
                "closes_on": datetime.date(year + 1, 1, 31),
            },
        )
        if created:
            scores = []
            for code, (c, t, r) in rows.items():
                c, t, r = _money(c), _money(t), _money(r)
                final = _money(Decimal("0.50") * c + Decimal("0.25") * t + Decimal("0.25") * r)
                on_time = t >= 75
                scores.append(
                    Score(
                        region=codes[code],
                        period=period,
                        completeness=c,
                        timeliness=t,
                        responsiveness=r,
                        final=final,
                        submitted=True,
                        on_time=on_time,
                        submission_offset=datetime.timedelta(days=-3 if on_time else 2),
                    )
                )
            Score.objects.bulk_create(scores)
        publish(cycle, by=by)


def seed_demo(now=None):
    """Create the demo data; running it again changes nothing that exists.

    Cycle 2025 is told in full; the current year's cycle (the ministry's today) is a round in
    progress: its closed periods reported and reviewed (a few late, one region silent), the
    open one with drafts, a few reports sent, one waiting for review and a pending extension
    request. Then the bell is settled, the demo people get their contacts, and two regions an
    invitation not yet accepted.
    """
    now = now or timezone.now()
    today = ministry_today(now)
    with transaction.atomic():
        kanwil = ensure_demo_kanwil()
        regions = list(Region.objects.of_kanwil(kanwil))
        users = ensure_users(kanwil)
        admin = User.objects.get(username="admin")
        # Early in a year the last one's final period is still open: the round in progress
        # then spans both.
        years = {REPORT_YEAR, today.year} | ({today.year - 1} if today.month <= 2 else set())
        years = sorted(years)
        cycles = [load_sample_matrix(year, by=admin) for year in years]
        for cycle in cycles:
            with one_scoring_at_the_end():
                if cycle.year == REPORT_YEAR:
                    built = build_reports(cycle, regions)
                else:
                    built = build_reports(
                        cycle, regions, now=now, silent={SILENT_REGION}, early=EARLY_REGIONS
                    )
                    built += bool(ensure_extension_request(cycle, regions, now))
            if built:
                recompute_cycle(cycle)
        ensure_history(regions, by=admin)
        publish(ReportingCycle.objects.get(year=REPORT_YEAR), by=admin)
    with transaction.atomic():
        settle_notices(now)
        ensure_contacts(now)
        ensure_invitations(regions, by=admin, now=now)
    return DemoResult(cycles=cycles, kanwil=kanwil, users=users)
