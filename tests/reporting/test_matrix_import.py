"""The year's action matrix from one workbook: plan, preview, commit, hostile files."""

import io
import zipfile

import pytest
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import AuditAction, AuditEvent
from demo.story import SAMPLE_MATRIX
from reporting import tables
from reporting.matrix import (
    MatrixError,
    commit_matrix,
    import_matrix,
    period_codes,
    preview,
    read_matrix,
)
from reporting.models import (
    Action,
    ActionMeasure,
    Assignment,
    EvidenceRequirement,
    Report,
    ReportingCycle,
)
from reporting.requirements import report_requirements
from reporting.tables import TableError

QUARTERS = ["TW1", "TW2", "TW3", "TW4"]
ACTIONS = [["1", "Layanan pengaduan", "Perempuan", "Pengaduan ditangani"]]
MEASURES = [["1", "TW1", "Tim terbentuk", "SK Tim Pelaksana\nNotulen rapat"]]
ASSIGNMENTS = [["1", "64.71"]]


def workbook(actions=ACTIONS, measures=MEASURES, assignments=ASSIGNMENTS, *, headers=None):
    headers = headers or {
        "aksi": ["nomor", "judul", "kelompok sasaran", "kriteria keberhasilan"],
        "ukuran": ["nomor aksi", "kode periode", "ukuran keberhasilan", "data dukung"],
        "penugasan": ["nomor aksi", "kode wilayah"],
    }
    book = Workbook()
    book.remove(book.active)
    for (title, header), rows in zip(
        headers.items(), (actions, measures, assignments), strict=True
    ):
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def plan_of(data, codes=QUARTERS):
    return read_matrix(data, codes=codes)


def messages(plan):
    return [(p.sheet, p.row, p.message) for p in plan.problems]


def counts():
    return [m.objects.count() for m in (ReportingCycle, Action, ActionMeasure, Assignment)]


@pytest.mark.django_db
def test_a_clean_workbook_creates_the_cycle_its_actions_measures_and_assignments(
    regions, admin_user, balikpapan
):
    result = import_matrix(workbook(), 2027, by=admin_user)

    cycle = ReportingCycle.objects.get(year=2027)
    assert [p.code for p in cycle.periods.all()] == QUARTERS
    action = Action.objects.get(cycle=cycle, number=1)
    assert (action.title, action.target_group) == ("Layanan pengaduan", "perempuan")
    measure = ActionMeasure.objects.get(action=action)
    assert measure.period.code == "TW1"
    assert [r.name for r in measure.requirements.order_by("order")] == [
        "SK Tim Pelaksana",
        "Notulen rapat",
    ]
    assert list(Assignment.objects.filter(action=action).values_list("region", flat=True)) == [
        balikpapan.pk
    ]
    assert (len(result.actions_new), len(result.measures_new), result.assignments_new) == (1, 1, 1)
    kinds = set(AuditEvent.objects.values_list("action", flat=True))
    assert {AuditAction.MATRIX_IMPORTED, AuditAction.ACTIONS_ASSIGNED} <= kinds


@pytest.mark.django_db
def test_importing_the_same_workbook_again_changes_nothing(regions, admin_user):
    import_matrix(workbook(), 2027, by=admin_user)
    before = (counts(), AuditEvent.objects.count(), list(EvidenceRequirement.objects.values()))

    result = import_matrix(workbook(), 2027, by=admin_user)

    assert result.changes == 0
    assert (counts(), AuditEvent.objects.count(), list(EvidenceRequirement.objects.values())) == (
        before
    )


@pytest.mark.django_db
def test_a_changed_title_and_item_list_are_updates_not_new_rows(regions, admin_user):
    import_matrix(workbook(), 2027, by=admin_user)
    changed = workbook(
        [["1", "Layanan pengaduan terpadu", "perempuan", "Pengaduan ditangani"]],
        [["1", "TW1", "Tim terbentuk", "SK Tim Pelaksana; Notulen rapat; Daftar hadir"]],
    )

    result = preview(plan_of(changed), 2027)
    import_matrix(changed, 2027, by=admin_user)

    assert ([r.number for r in result.actions_changed], len(result.measures_changed)) == ([1], 1)
    assert Action.objects.get().title == "Layanan pengaduan terpadu"
    assert EvidenceRequirement.objects.count() == 3


@pytest.mark.django_db
def test_semua_assigns_the_action_to_every_region(regions, admin_user):
    import_matrix(workbook(assignments=[["1", "semua"]]), 2027, by=admin_user)

    assert Assignment.objects.count() == regions.count() == 552


@pytest.mark.django_db
def test_every_problem_is_named_with_its_sheet_row_and_reason(regions):
    data = workbook(
        [
            ["1", "Aksi satu", "perempuan", "Kriteria"],
            ["1", "Aksi satu lagi", "perempuan", "Kriteria"],
            ["2", "Aksi dua", "lansia", "Kriteria"],
        ],
        [
            ["1", "TW9", "Ukuran", "SK"],
            ["7", "TW1", "Ukuran", "SK"],
            ["2", "TW1", "Ukuran", "SK"],
        ],
        [["1", "99.99"], ["2", "64.71"], ["2", "64.71"]],
    )

    found = messages(plan_of(data))

    assert ("aksi", 3, "Nomor aksi 1 berulang.") in found
    assert any(s == "aksi" and r == 4 and "Kelompok sasaran “lansia”" in m for s, r, m in found)
    assert any(s == "ukuran" and r == 2 and "Kode periode “TW9”" in m for s, r, m in found)
    assert any(s == "ukuran" and r == 3 and "aksi “7”" in m for s, r, m in found)
    assert any(s == "penugasan" and r == 2 and "Kode wilayah “99.99”" in m for s, r, m in found)
    assert any(s == "penugasan" and r == 4 and "berulang" in m for s, r, m in found)


@pytest.mark.django_db
def test_a_workbook_with_problems_writes_nothing(regions, admin_user):
    data = workbook(assignments=[["1", "99.99"]])
    before = (counts(), AuditEvent.objects.count())

    with pytest.raises(MatrixError):
        import_matrix(data, 2027, by=admin_user)

    assert (counts(), AuditEvent.objects.count()) == before


@pytest.mark.django_db
def test_english_sheet_and_column_names_are_accepted(regions):
    data = workbook(
        headers={
            "Actions": ["Number", "Title", "Target group", "Success criterion"],
            "Measures": ["Action number", "Period code", "Success measure", "Evidence items"],
            "Assignments": ["Action number", "Region code"],
        }
    )

    assert plan_of(data).problems == []


@pytest.mark.django_db
def test_a_missing_sheet_or_column_is_a_problem(regions):
    data = workbook(
        headers={
            "aksi": ["nomor", "judul", "kriteria keberhasilan"],
            "ukuran": ["nomor aksi", "kode periode", "ukuran keberhasilan", "data dukung"],
            "lain": ["nomor aksi", "kode wilayah"],
        },
        actions=[["1", "Judul", "Kriteria"]],
    )

    found = messages(plan_of(data))

    assert ("aksi", 1, "Kolom “kelompok sasaran” tidak ada pada baris judul.") in found
    assert ("penugasan", None, "Lembar “penugasan” tidak ada.") in found


@pytest.mark.django_db
def test_a_workbook_without_actions_is_a_problem(regions):
    found = messages(plan_of(workbook([], [], [])))

    assert ("aksi", None, "Lembar aksi tidak berisi satu aksi pun.") in found


@pytest.mark.django_db
def test_a_cycle_with_submitted_reports_is_refused(regions, admin_user, balikpapan):
    import_matrix(workbook(), 2027, by=admin_user)
    period = ReportingCycle.objects.get(year=2027).periods.first()
    Report.objects.create(
        region=balikpapan, period=period, status="submitted", first_submitted_at=timezone.now()
    )

    with pytest.raises(MatrixError):
        import_matrix(workbook(assignments=[["1", "64.72"]]), 2027, by=admin_user)

    assert Assignment.objects.count() == 1


# --- hostile files ---------------------------------------------------------------------------


def test_a_formula_cell_refuses_the_file():
    data = workbook(actions=[["1", '=HYPERLINK("http://x")', "perempuan", "K"]])

    with pytest.raises(TableError, match="rumus"):
        read_matrix(data, codes=QUARTERS)


def test_a_file_over_the_size_bound_is_refused_before_it_is_opened():
    with pytest.raises(TableError, match="terlalu besar"):
        read_matrix(b"PK" + b"\0" * (5 * 1024 * 1024), codes=QUARTERS)


def test_a_zip_bomb_dressed_as_xlsx_is_refused_before_it_is_unpacked():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))

    with pytest.raises(TableError, match="arsip bom"):
        read_matrix(buffer.getvalue(), codes=QUARTERS)


def test_a_file_that_is_no_xlsx_is_refused():
    with pytest.raises(TableError, match="bukan XLSX"):
        read_matrix(b"nomor,judul\n1,Aksi\n", codes=QUARTERS)


@pytest.mark.django_db
def test_too_many_rows_are_refused(regions, monkeypatch):
    monkeypatch.setattr(tables, "MAX_ROWS", 50)  # 20,000 in production: the same check
    rows = [["1", "64.71"]] * 51

    with pytest.raises(TableError, match="lebih dari 50 baris"):
        read_matrix(workbook(assignments=rows), codes=QUARTERS)


# --- the sample the demo loads ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_sample_matrix_gives_the_cycle_the_report_form_shows(
    regions, admin_user, balikpapan, client_for, officer_balikpapan
):
    data = SAMPLE_MATRIX.read_bytes()
    plan = read_matrix(data, codes=period_codes(None))
    assert plan.problems == []

    commit_matrix(plan, 2027, by=admin_user)

    cycle = ReportingCycle.objects.get(year=2027)
    assert set(cycle.actions.values_list("target_group", flat=True)) == {
        "perempuan",
        "anak",
        "disabilitas",
        "masyarakat_adat",
    }
    client = client_for(officer_balikpapan)
    for period in cycle.periods.all():
        blocks = report_requirements(balikpapan, period)
        expected = [
            (number, text, items)
            for (number, code), (text, items) in sorted(plan.measures.items())
            if code == period.code
        ]
        assert [
            (b.action.number, b.measure.measure, [r.name for r in b.requirements]) for b in blocks
        ] == expected
        assert len(expected) == 7
        page = client.get(f"/laporan/periode/{period.pk}/?siklus=2027")
        assert page.status_code == 200
        html = page.content.decode()
        for _number, text, items in expected:
            assert text in html
            assert all(item in html for item in items)
