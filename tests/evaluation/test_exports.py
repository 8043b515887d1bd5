"""The ranking exports: same rows, numbers and scope as the page, as XLSX and CSV."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Kanwil, KanwilProvince, Region
from demo.story import ensure_cycle
from evaluation import recaps, scoring
from evaluation.models import Score
from reporting.models import Report

RANKINGS = reverse("evaluation:rankings")
HEADERS = [
    "Peringkat",
    "Kode wilayah",
    "Nama daerah",
    "Kanwil",
    "Nilai akhir (F)",
    "Kelengkapan (C)",
    "Ketepatan waktu (T)",
    "Responsivitas (R)",
    "Jumlah periode",
    "Status",
]
WITA = datetime.timezone(datetime.timedelta(hours=8))


def export_url(fmt, query):
    return reverse("evaluation:rankings-export", args=[fmt]) + query


@pytest.fixture
def cycle(kanwil_kaltim):
    """The demo's 2025 cycle without reports: 17 Kaltim regions, four closed periods."""
    return ensure_cycle(2025, list(Region.objects.of_kanwil(kanwil_kaltim)))


def give_score(code, period, c, t, r, *, provisional=False):
    c, t, r = Decimal(c), Decimal(t), Decimal(r)
    return Score.objects.create(
        region=Region.objects.get(code=code),
        period=period,
        completeness=c,
        timeliness=t,
        responsiveness=r,
        final=scoring.final_score(completeness=c, timeliness=t, responsiveness=r),
        submitted=True,
        on_time=t == 100,
        provisional=provisional,
    )


@pytest.fixture
def scored(cycle):
    """Uneven figures over the four periods, one provisional, one region in one period only."""
    periods = list(cycle.periods.all())
    figures = {
        "64.71": [("96.43", 100, 100), ("92.86", 100, 100), ("100", 90, 100), ("100", 100, 80)],
        "64.72": [("85.71", 100, 100), ("78.57", 70, 100), ("92.86", 100, 60), ("100", 100, 100)],
        "64.74": [("64.29", 80, 100), ("71.43", 100, 100), ("57.14", 40, 0), ("85.71", 90, 100)],
        "65.71": [("100", 100, 100), ("100", 100, 100), ("100", 100, 100), ("100", 100, 100)],
    }
    for code, rows in figures.items():
        for period, (c, t, r) in zip(periods, rows, strict=True):
            give_score(code, period, c, t, r, provisional=code == "64.72" and period.order == 4)
    give_score("64.01", periods[2], 50, 0, 100)
    return cycle


def page_rows(client, query):
    response = client.get(RANKINGS + query)
    assert response.status_code == 200
    return response.context["rows"]


def expected_table(rows):
    return [
        [
            row.position,
            row.region.code,
            row.region.name,
            row.kanwil_name,
            row.final,
            row.completeness,
            row.timeliness,
            row.responsiveness,
            row.periods,
            "Sementara" if row.provisional else "Tetap",
        ]
        for row in rows
    ]


def read_xlsx(response):
    return load_workbook(io.BytesIO(response.content))


def xlsx_table(sheet):
    values = list(sheet.iter_rows(values_only=True))
    header, body = list(values[0]), [list(line) for line in values[1:]]
    for line in body:
        for column in range(4, 8):
            line[column] = Decimal(str(line[column]))
    return header, body


def read_csv(response):
    text = response.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    return lines[0], lines[1:]


QUERIES = ["?siklus=2025", "?siklus=2025&periode=TW3", "?siklus=2025&kanwil=kaltim"]


@pytest.mark.django_db
@pytest.mark.parametrize("query", QUERIES)
def test_xlsx_export_holds_the_rows_and_numbers_of_the_page(client_for, admin_user, scored, query):
    # given
    client = client_for(admin_user)
    rows = page_rows(client, query)

    # when
    response = client.get(export_url("xlsx", query))

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    header, body = xlsx_table(read_xlsx(response)["Peringkat"])
    assert header == HEADERS
    assert body == expected_table(rows)
    assert len(body) == 5


@pytest.mark.django_db
@pytest.mark.parametrize("query", QUERIES)
def test_csv_export_holds_the_rows_and_numbers_of_the_page(client_for, admin_user, scored, query):
    # given
    client = client_for(admin_user)
    rows = page_rows(client, query)

    # when
    response = client.get(export_url("csv", query))

    # then: dot decimals, two places, as on the page
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, body = read_csv(response)
    assert header == HEADERS
    assert body == [[str(value) for value in line] for line in expected_table(rows)]
    assert body[0][4] == str(rows[0].final)


@pytest.mark.django_db
def test_xlsx_numbers_are_numeric_cells_with_two_decimals(client_for, admin_user, scored):
    # when
    response = client_for(admin_user).get(export_url("xlsx", "?siklus=2025&periode=TW1"))

    # then: Balikpapan's TW1 C of 96.43 gives F 98.22 (the C1 example)
    sheet = read_xlsx(response)["Peringkat"]
    balikpapan = next(line for line in sheet.iter_rows(min_row=2) if line[1].value == "64.71")
    final, completeness = balikpapan[4], balikpapan[5]
    assert (final.value, completeness.value) == (98.22, 96.43)
    assert final.data_type == "n"
    assert final.number_format == "0.00"
    assert balikpapan[0].data_type == "n"
    assert balikpapan[1].data_type == "s"  # a region code stays text


@pytest.mark.django_db
def test_provisional_annual_scores_are_marked_in_the_status_column(client_for, admin_user, scored):
    response = client_for(admin_user).get(export_url("csv", "?siklus=2025"))

    _header, body = read_csv(response)
    assert {line[1]: line[9] for line in body}["64.72"] == "Sementara"
    assert {line[1]: line[9] for line in body}["64.71"] == "Tetap"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "filename"),
    [
        ("?siklus=2025", "peringkat-2025-nasional"),
        ("?siklus=2025&periode=TW3&kanwil=kaltim", "peringkat-2025-tw3-kaltim"),
    ],
)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exports_are_attachments_with_a_descriptive_name(
    client_for, admin_user, scored, query, filename, fmt
):
    response = client_for(admin_user).get(export_url(fmt, query))

    assert response["Content-Disposition"] == f'attachment; filename="{filename}.{fmt}"'


@pytest.mark.django_db
def test_evaluator_export_defaults_to_its_kanwil_and_refuses_another(
    client_for, evaluator_other, scored, kanwil_jatim
):
    # given: a scored region of Jawa Timur
    give_score("35.78", scored.periods.get(code="TW1"), 100, 100, 100)
    client = client_for(evaluator_other)

    # when
    own = client.get(export_url("csv", "?siklus=2025"))
    other = client.get(export_url("csv", "?siklus=2025&kanwil=kaltim"))

    # then
    assert own["Content-Disposition"] == 'attachment; filename="peringkat-2025-jatim.csv"'
    assert [line[1] for line in read_csv(own)[1]] == ["35.78"]
    assert other.status_code == 404


@pytest.mark.django_db
def test_unknown_export_format_is_not_found(client_for, admin_user, scored):
    response = client_for(admin_user).get(export_url("pdf", "?siklus=2025"))

    assert response.status_code == 404


@pytest.mark.django_db
def test_xlsx_recap_sheet_gives_the_reporting_rates_per_kanwil(client_for, admin_user, scored):
    # given: in TW3, Balikpapan on time and Samarinda late
    tw3 = scored.periods.get(code="TW3")
    for code, day in [("64.71", 10), ("64.72", 14)]:
        when = datetime.datetime(2025, 10, day, 9, 0, tzinfo=WITA)
        Report.objects.create(
            region=Region.objects.get(code=code),
            period=tw3,
            status="verified",
            first_submitted_at=when,
            last_submitted_at=when,
        )

    # when
    response = client_for(admin_user).get(export_url("xlsx", "?siklus=2025&periode=TW3"))

    # then
    sheet = read_xlsx(response)["Rekap pelaporan"]
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][:7] == (
        "Kanwil",
        "Jumlah daerah",
        "Laporan diharapkan",
        "Laporan terkirim",
        "Terkirim tepat waktu",
        "Tingkat pelaporan (%)",
        "Tingkat tepat waktu (%)",
    )
    kaltim = next(
        line for line in lines if line[0] == "Kantor Wilayah Kementerian HAM Kalimantan Timur"
    )
    assert kaltim == ("Kantor Wilayah Kementerian HAM Kalimantan Timur", 17, 17, 2, 1, 11.8, 5.9)
    recap = recaps.kanwil_recap([tw3])
    assert lines[-1][2:5] == (
        recap.total.counts.expected,
        recap.total.counts.submitted,
        recap.total.counts.on_time,
    )


@pytest.mark.django_db
def test_names_that_look_like_formulas_stay_text(client_for, admin_user, scored, regions):
    # given: a Kanwil whose (admin-edited) name starts with "="
    kanwil = Kanwil.objects.create(
        code="uji",
        name='=HYPERLINK("http://contoh.invalid","klik")',
        city="Surabaya",
        head_name="Kepala (contoh)",
        head_title="Kepala (contoh)",
    )
    KanwilProvince.objects.create(kanwil=kanwil, province=regions.get(code="35"))
    give_score("35.78", scored.periods.get(code="TW1"), 100, 100, 100)
    client = client_for(admin_user)

    # when
    xlsx = client.get(export_url("xlsx", "?siklus=2025&periode=TW1&kanwil=uji"))
    text = client.get(export_url("csv", "?siklus=2025&periode=TW1&kanwil=uji"))

    # then
    cell = read_xlsx(xlsx)["Peringkat"]["D2"]
    assert cell.data_type == "s"
    assert cell.value == kanwil.name
    assert read_csv(text)[1][0][3] == "'" + kanwil.name


# --- permission matrix: what each member of the cast gets in each format ------------------

KALTIM = "Kantor Wilayah Kementerian HAM Kalimantan Timur"
JATIM = "Kantor Wilayah Kementerian HAM Jawa Timur"
TOTAL = "Nasional / jumlah"
# Region codes of the TW1 ranking each member exports, and the Kanwil of its recap sheet
# (None: no recap sheet). Officers' pages show their own line only, so do their exports.
EXPORT_MATRIX = {
    "officer_balikpapan": (["64.71"], None),
    "officer_samarinda": (["64.72"], None),
    "evaluator_kaltim": (["65.71", "64.71", "64.72", "64.74"], {KALTIM}),
    "evaluator_other": (["35.78"], {JATIM}),
    "admin_user": (["65.71", "35.78", "64.71", "64.72", "64.74"], {KALTIM, JATIM}),
}


@pytest.fixture
def scored_in_two_kanwil(scored, kanwil_jatim):
    give_score("35.78", scored.periods.get(code="TW1"), 100, 100, 100)
    return scored


@pytest.mark.django_db
@pytest.mark.parametrize("cast_member", [*EXPORT_MATRIX, "anonymous"], indirect=True)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_role_exports_only_the_rows_and_sheets_of_its_page(
    client_for, cast_member, request, scored_in_two_kanwil, fmt
):
    # given
    name = request.node.callspec.params["cast_member"]
    client = client_for(cast_member)
    query = "?siklus=2025&periode=TW1"

    # when
    response = client.get(export_url(fmt, query))

    # then
    if name == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        return
    codes, recap_kanwil = EXPORT_MATRIX[name]
    assert response.status_code == 200
    if fmt == "csv":
        _header, body = read_csv(response)
        assert sorted(line[1] for line in body) == sorted(codes)
        return
    workbook = read_xlsx(response)
    _header, body = xlsx_table(workbook["Peringkat"])
    assert sorted(line[1] for line in body) == sorted(codes)
    if recap_kanwil is None:
        assert workbook.sheetnames == ["Peringkat"]
    else:
        assert workbook.sheetnames == ["Peringkat", "Rekap pelaporan"]
        recap = workbook["Rekap pelaporan"].iter_rows(min_row=2, values_only=True)
        names = {line[0] for line in recap}
        assert names - {TOTAL, "Tanpa Kanwil"} == recap_kanwil


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_officer_cannot_widen_the_export_to_another_kanwil(
    client_for, officer_balikpapan, scored_in_two_kanwil, fmt
):
    response = client_for(officer_balikpapan).get(
        export_url(fmt, "?siklus=2025&periode=TW1&kanwil=jatim")
    )

    assert response.status_code == 404
