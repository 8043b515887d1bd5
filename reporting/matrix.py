"""The year's action matrix from one workbook: read, preview, commit.

A workbook has three sheets (Indonesian names; the English ones are accepted too):

- ``aksi``: nomor, judul, kelompok sasaran, kriteria keberhasilan
- ``ukuran``: nomor aksi, kode periode, ukuran keberhasilan, data dukung (one item a line,
  or separated by ";")
- ``penugasan``: nomor aksi, kode wilayah (a Kemendagri code such as ``64.71``, or ``semua``)

``read_matrix`` turns it into a ``MatrixPlan`` with every problem found (sheet, row, reason);
``preview`` says what a commit would create and change in a cycle; ``commit_matrix`` writes
it all or nothing, through the services that assign actions, and audits it. What is already
as the workbook says is left alone, so the same workbook imported twice changes nothing.
Actions, measures and assignments that the workbook does not name are kept.
"""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import storage
from accounts.models import AuditAction, Region
from accounts.services import audit

from .models import (
    SCHEME_PERIODS,
    Action,
    ActionMeasure,
    Assignment,
    Evidence,
    EvidenceRequirement,
    PeriodScheme,
    Report,
    ReportingCycle,
    TargetGroup,
)
from .services import assign_actions, generate_periods
from .tables import TableError, read_workbook

EVERY_REGION = "semua"

SHEETS = {
    "actions": ("aksi", "actions"),
    "measures": ("ukuran", "measures"),
    "assignments": ("penugasan", "assignments"),
}
COLUMNS = {
    "actions": {
        "number": ("nomor", "number"),
        "title": ("judul", "title"),
        "target_group": ("kelompok sasaran", "target group"),
        "success_criterion": ("kriteria keberhasilan", "success criterion"),
    },
    "measures": {
        "action": ("nomor aksi", "action number"),
        "period": ("kode periode", "period code"),
        "measure": ("ukuran keberhasilan", "success measure"),
        "items": ("data dukung", "evidence items"),
    },
    "assignments": {
        "action": ("nomor aksi", "action number"),
        "region": ("kode wilayah", "region code"),
    },
}
# The Indonesian names of the sheets and columns, in order: the header of the sample.
HEADERS = {
    key: (SHEETS[key][0], [names[0] for names in columns.values()])
    for key, columns in COLUMNS.items()
}


def _group_names():
    names = {}
    for group in TargetGroup:
        names[group.value] = group.value
        names[group.value.replace("_", " ")] = group.value
        names[str(group.label).lower()] = group.value
    names["disabilitas"] = TargetGroup.DISABILITAS
    names["masyarakat adat"] = TargetGroup.MASYARAKAT_ADAT
    return names


@dataclass
class Problem:
    sheet: str
    row: int | None
    message: str


@dataclass
class ActionRow:
    number: int
    title: str
    target_group: str
    success_criterion: str


@dataclass
class MatrixPlan:
    """What a workbook asks for, keyed as the database is."""

    actions: dict = field(default_factory=dict)  # number -> ActionRow
    measures: dict = field(default_factory=dict)  # (number, period code) -> (text, [items])
    assignments: dict = field(default_factory=lambda: defaultdict(set))  # number -> region pks
    problems: list = field(default_factory=list)
    digest: str = ""

    def problem(self, sheet, row, message):
        self.problems.append(Problem(sheet, row, message))


@dataclass
class Preview:
    """What committing a plan into a cycle would do, counted and listed."""

    year: int
    cycle_exists: bool
    actions_new: list = field(default_factory=list)
    actions_changed: list = field(default_factory=list)
    measures_new: list = field(default_factory=list)
    measures_changed: list = field(default_factory=list)
    assignments_new: int = 0
    unchanged: int = 0
    problems: list = field(default_factory=list)

    @property
    def changes(self):
        return (
            len(self.actions_new)
            + len(self.actions_changed)
            + len(self.measures_new)
            + len(self.measures_changed)
            + self.assignments_new
        )


def period_codes(cycle, scheme=PeriodScheme.QUARTERLY):
    """The period codes a cycle has, or its scheme would give a new one."""
    if cycle is not None and cycle.pk:
        codes = [p.code for p in cycle.periods.all()]
        if codes:
            return codes
        scheme = cycle.scheme
    return [code for code, _name, _first, _last in SCHEME_PERIODS[scheme]]


def _columns(sheet, key, plan):
    """{field: index} of a sheet's header; a problem for each column that is missing."""
    found = {}
    for name, accepted in COLUMNS[key].items():
        index = next((sheet.header.index(a) for a in accepted if a in sheet.header), None)
        if index is None:
            plan.problem(
                sheet.name,
                1,
                _("Kolom “%(column)s” tidak ada pada baris judul.") % {"column": accepted[0]},
            )
        found[name] = index
    return found if None not in found.values() else None


def _cell(values, index):
    return values[index] if index < len(values) else ""


def _number(text):
    try:
        number = float(text.replace(",", "."))
        value = int(number)
    except (ValueError, OverflowError):  # "abc", "nan", "inf"
        return None
    return value if 0 < value < 1000 and number == value else None


def read_matrix(upload, *, codes):
    """The plan of an uploaded workbook; ``codes`` are the cycle's period codes.

    Raises ``TableError`` for a file that is no plain, small workbook at all.
    """
    data = upload if isinstance(upload, bytes) else upload.read()
    sheets = read_workbook(data)
    plan = MatrixPlan(digest=hashlib.sha256(data).hexdigest())
    found = {}
    for key, names in SHEETS.items():
        sheet = next((sheets[n] for n in names if n in sheets), None)
        if sheet is None:
            plan.problem(names[0], None, _("Lembar “%(sheet)s” tidak ada.") % {"sheet": names[0]})
            continue
        columns = _columns(sheet, key, plan)
        if columns is not None:
            found[key] = (sheet, columns)
    if "actions" in found:
        _read_actions(plan, *found["actions"])
        if not found["actions"][0].rows:
            plan.problem(SHEETS["actions"][0], None, _("Lembar aksi tidak berisi satu aksi pun."))
    if "measures" in found:
        _read_measures(plan, *found["measures"], codes={c.upper(): c for c in codes})
    if "assignments" in found:
        _read_assignments(plan, *found["assignments"])
    for number in sorted(plan.actions):
        if not any(n == number for n, _code in plan.measures):
            plan.problem(
                SHEETS["measures"][0],
                None,
                _("Aksi %(number)s tidak punya ukuran keberhasilan pada periode mana pun.")
                % {"number": number},
            )
    return plan


def _read_actions(plan, sheet, columns):
    groups = _group_names()
    for row, values in sheet.rows:
        number_text = _cell(values, columns["number"])
        number = _number(number_text)
        title = _cell(values, columns["title"])
        group_text = _cell(values, columns["target_group"])
        criterion = _cell(values, columns["success_criterion"])
        if number is None:
            plan.problem(
                sheet.name,
                row,
                _("Nomor aksi “%(value)s” bukan bilangan bulat 1-999.") % {"value": number_text},
            )
            continue
        if number in plan.actions:
            plan.problem(sheet.name, row, _("Nomor aksi %(number)s berulang.") % {"number": number})
            continue
        group = groups.get(" ".join(group_text.lower().split()))
        if group is None:
            plan.problem(
                sheet.name,
                row,
                _(
                    "Kelompok sasaran “%(value)s” tidak dikenal (perempuan, anak, penyandang "
                    "disabilitas, kelompok masyarakat adat)."
                )
                % {"value": group_text},
            )
        if not title or len(title) > 300:
            plan.problem(sheet.name, row, _("Judul aksi kosong atau lebih dari 300 huruf."))
        if not criterion:
            plan.problem(sheet.name, row, _("Kriteria keberhasilan kosong."))
        plan.actions[number] = ActionRow(number, title, group or "", criterion)


def _items(text):
    parts = text.replace(";", "\n").splitlines()
    return [" ".join(part.split()) for part in parts if part.strip()]


def _read_measures(plan, sheet, columns, *, codes):
    for row, values in sheet.rows:
        number_text = _cell(values, columns["action"])
        number = _number(number_text)
        code_text = _cell(values, columns["period"])
        code = codes.get(code_text.upper())
        text = _cell(values, columns["measure"])
        items = _items(_cell(values, columns["items"]))
        if number is None or number not in plan.actions:
            plan.problem(
                sheet.name,
                row,
                _("Ukuran untuk aksi “%(value)s” yang tidak ada di lembar aksi.")
                % {"value": number_text},
            )
            continue
        if code is None:
            plan.problem(
                sheet.name,
                row,
                _("Kode periode “%(value)s” tidak dikenal (siklus ini: %(codes)s).")
                % {"value": code_text, "codes": ", ".join(codes.values())},
            )
            continue
        if (number, code) in plan.measures:
            plan.problem(
                sheet.name,
                row,
                _("Aksi %(number)s periode %(code)s sudah ada di baris lain.")
                % {"number": number, "code": code},
            )
            continue
        if not text:
            plan.problem(sheet.name, row, _("Ukuran keberhasilan kosong."))
        if not items:
            plan.problem(sheet.name, row, _("Tuliskan sedikitnya satu data dukung."))
        if any(len(item) > 200 for item in items):
            plan.problem(sheet.name, row, _("Nama data dukung lebih dari 200 huruf."))
        if len(set(items)) != len(items):
            plan.problem(sheet.name, row, _("Data dukung yang sama ditulis dua kali."))
        plan.measures[(number, code)] = (text, items)


def _read_assignments(plan, sheet, columns):
    regions = dict(Region.objects.values_list("code", "pk"))
    every = set(regions.values())
    seen = set()
    for row, values in sheet.rows:
        number_text = _cell(values, columns["action"])
        number = _number(number_text)
        code = _cell(values, columns["region"])
        if number is None or number not in plan.actions:
            plan.problem(
                sheet.name,
                row,
                _("Penugasan untuk aksi “%(value)s” yang tidak ada di lembar aksi.")
                % {"value": number_text},
            )
            continue
        if code.lower() in (EVERY_REGION, "all"):
            wanted = every
        elif code in regions:
            wanted = {regions[code]}
        else:
            plan.problem(
                sheet.name,
                row,
                _(
                    "Kode wilayah “%(value)s” tidak dikenal (kode Kemendagri, mis. 64.71, "
                    "atau “semua”)."
                )
                % {"value": code},
            )
            continue
        if (number, code.lower()) in seen:
            plan.problem(
                sheet.name,
                row,
                _("Penugasan aksi %(number)s ke %(code)s berulang.")
                % {"number": number, "code": code},
            )
            continue
        seen.add((number, code.lower()))
        plan.assignments[number] |= wanted


def _existing(cycle):
    """(actions by number, measures by (number, code) with their items in order)."""
    if cycle is None:
        return {}, {}
    actions = {a.number: a for a in Action.objects.filter(cycle=cycle)}
    measures = {
        (m.action.number, m.period.code): m
        for m in ActionMeasure.objects.filter(action__cycle=cycle)
        .select_related("action", "period")
        .prefetch_related("requirements")
    }
    return actions, measures


def _item_names(measure):
    return [r.name for r in sorted(measure.requirements.all(), key=lambda r: (r.order, r.pk))]


def _action_values(action):
    return ActionRow(action.number, action.title, action.target_group, action.success_criterion)


def submitted_reports(cycle):
    return (
        cycle is not None
        and cycle.pk is not None
        and Report.objects.filter(period__cycle=cycle, first_submitted_at__isnull=False).exists()
    )


def preview(plan, year):
    """What committing ``plan`` into the cycle of ``year`` would create and change."""
    cycle = ReportingCycle.objects.filter(year=year).first()
    result = Preview(year=year, cycle_exists=cycle is not None, problems=list(plan.problems))
    if submitted_reports(cycle):
        result.problems.insert(
            0,
            Problem(
                "",
                None,
                _(
                    "Siklus %(year)s sudah memiliki laporan terkirim: matriksnya tidak dapat "
                    "diimpor lagi. Ubah lewat halaman admin."
                )
                % {"year": year},
            ),
        )
    actions, measures = _existing(cycle)
    for number, row in sorted(plan.actions.items()):
        if number not in actions:
            result.actions_new.append(row)
        elif _action_values(actions[number]) != row:
            result.actions_changed.append(row)
        else:
            result.unchanged += 1
    with_evidence = set()
    if cycle is not None:
        with_evidence = set(
            Evidence.objects.filter(requirement__measure__action__cycle=cycle).values_list(
                "requirement__measure_id", flat=True
            )
        )
    for key, (text, items) in sorted(plan.measures.items()):
        measure = measures.get(key)
        if measure is None:
            result.measures_new.append((*key, text, items))
            continue
        old_items = _item_names(measure)
        if (measure.measure, old_items) == (text, items):
            result.unchanged += 1
            continue
        result.measures_changed.append((*key, text, items))
        if old_items != items and measure.pk in with_evidence:
            result.problems.append(
                Problem(
                    SHEETS["measures"][0],
                    None,
                    _(
                        "Data dukung aksi %(number)s periode %(code)s tidak dapat diubah: "
                        "sudah ada berkas yang diunggah untuknya."
                    )
                    % {"number": key[0], "code": key[1]},
                )
            )
    assigned = set()
    if cycle is not None:
        assigned = set(
            Assignment.objects.filter(action__cycle=cycle).values_list(
                "action__number", "region_id"
            )
        )
    for number, region_ids in plan.assignments.items():
        new = sum(1 for pk in region_ids if (number, pk) not in assigned)
        result.assignments_new += new
        result.unchanged += len(region_ids) - new
    return result


class MatrixError(Exception):
    """The plan cannot be committed; the message is for the person."""


@transaction.atomic
def commit_matrix(plan, year, *, by, scheme=PeriodScheme.QUARTERLY, source=""):
    """Write the plan into the cycle of ``year`` (created with ``scheme`` when new).

    All or nothing: any problem, or a cycle with submitted reports, changes nothing.
    Returns the ``Preview`` of what was done.
    """
    ReportingCycle.objects.select_for_update().filter(year=year).first()
    result = preview(plan, year)
    if result.problems:
        raise MatrixError(_("Matriks belum dapat diimpor: perbaiki dulu masalah yang tercantum."))
    cycle, created = ReportingCycle.objects.get_or_create(
        year=year, defaults={"name": f"RANHAM {year}", "scheme": scheme}
    )
    generate_periods(cycle)
    if not result.changes and not created:
        return result
    periods = {p.code: p for p in cycle.periods.all()}
    actions, measures = _existing(cycle)
    for row in result.actions_new:
        actions[row.number] = Action.objects.create(
            cycle=cycle,
            number=row.number,
            title=row.title,
            target_group=row.target_group,
            success_criterion=row.success_criterion,
        )
    for row in result.actions_changed:
        action = actions[row.number]
        action.title, action.target_group = row.title, row.target_group
        action.success_criterion = row.success_criterion
        action.save(update_fields=["title", "target_group", "success_criterion", "updated_at"])
    for number, code, text, items in result.measures_new:
        measure = ActionMeasure.objects.create(
            action=actions[number], period=periods[code], measure=text
        )
        EvidenceRequirement.objects.bulk_create(
            [
                EvidenceRequirement(measure=measure, order=order, name=name)
                for order, name in enumerate(items, start=1)
            ]
        )
    for number, code, text, items in result.measures_changed:
        measure = measures[(number, code)]
        if measure.measure != text:
            measure.measure = text
            measure.save(update_fields=["measure"])
        if _item_names(measure) != items:
            measure.requirements.all().delete()
            EvidenceRequirement.objects.bulk_create(
                [
                    EvidenceRequirement(measure=measure, order=order, name=name)
                    for order, name in enumerate(items, start=1)
                ]
            )
    # One call of the assigning service per set of regions: it audits per action.
    by_regions = defaultdict(list)
    for number, region_ids in plan.assignments.items():
        by_regions[frozenset(region_ids)].append(actions[number])
    for region_ids, group in by_regions.items():
        assign_actions(group, Region.objects.filter(pk__in=region_ids), by=by)
    audit(
        AuditAction.MATRIX_IMPORTED,
        cycle,
        by=by,
        details={
            "source": source,
            "sha256": plan.digest,
            "actions_new": [row.number for row in result.actions_new],
            "actions_changed": [row.number for row in result.actions_changed],
            "measures_new": [f"{n}/{c}" for n, c, _t, _i in result.measures_new],
            "measures_changed": [f"{n}/{c}" for n, c, _t, _i in result.measures_changed],
            "assignments_new": result.assignments_new,
        },
    )
    return result


def import_matrix(upload, year, *, by, scheme=PeriodScheme.QUARTERLY, source=""):
    """Read and commit a workbook in one step (commands and the demo); raises on problems."""
    cycle = ReportingCycle.objects.filter(year=year).first()
    plan = read_matrix(upload, codes=period_codes(cycle, scheme))
    return commit_matrix(plan, year, by=by, scheme=scheme, source=source)


# A workbook whose preview showed no problem waits for its commit under its SHA-256 (the
# browser is trusted with nothing but the digest). The commit removes it; one that nobody
# committed is removed by the periodic cleanup once it has waited a day.
PREVIEW_DIR = "imports/matriks"
PREVIEW_LIFETIME = datetime.timedelta(days=1)


def _previewed_name(digest):
    return f"{PREVIEW_DIR}/{digest}.xlsx"


def keep_previewed(data, digest):
    """Keep a previewed workbook for its commit; previewing it again keeps it another day."""
    storage.put(_previewed_name(digest), data)


def previewed(digest, *, now=None):
    """The bytes of the previewed workbook with this digest, or None once it is gone or has
    waited longer than a day (even before the periodic cleanup has removed it)."""
    name = _previewed_name(digest)
    try:
        data = storage.read(name) if storage.files().exists(name) else None
        written = storage.modified(name) if data is not None else None
    except FileNotFoundError:
        return None
    if written is not None and written < (now or timezone.now()) - PREVIEW_LIFETIME:
        return None
    if data is None or hashlib.sha256(data).hexdigest() != digest:
        return None
    return data


def forget_previewed(digest):
    storage.delete(_previewed_name(digest))


def remove_expired_previews(*, now=None):
    """Remove the previewed workbooks that waited longer than a day. Returns their names."""
    cutoff = (now or timezone.now()) - PREVIEW_LIFETIME
    removed = []
    for name in storage.walk(PREVIEW_DIR):
        written = storage.modified(name)
        if written is not None and written < cutoff:
            storage.delete(name)
            removed.append(name)
    return removed


def template_workbook():
    """An XLSX with the three sheets and their Indonesian column names, and one example row."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    examples = {
        "actions": ["1", "Judul aksi", "perempuan", "Kriteria keberhasilan aksi"],
        "measures": [
            "1",
            "TW1",
            "Ukuran keberhasilan periode ini",
            "SK Tim Pelaksana\nNotulen rapat",
        ],
        "assignments": ["1", EVERY_REGION],
    }
    workbook = Workbook()
    workbook.remove(workbook.active)
    for key, (title, header) in HEADERS.items():
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            sheet.column_dimensions[cell.column_letter].width = 30
        sheet.append(examples[key])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = [
    "EVERY_REGION",
    "HEADERS",
    "MatrixError",
    "MatrixPlan",
    "Preview",
    "TableError",
    "commit_matrix",
    "import_matrix",
    "period_codes",
    "preview",
    "read_matrix",
    "template_workbook",
]
