"""A ranking as a spreadsheet (XLSX, with a recap sheet) or as CSV, with Indonesian headers.

Numbers stay numbers: numeric XLSX cells shown with two decimals, and in CSV a dot decimal
("99.11") whatever the page's language. Text that a spreadsheet would run as a formula stays
text: a string cell in XLSX, a leading apostrophe in CSV.
"""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def ranking_headers():
    return [
        _("Peringkat"),
        _("Kode wilayah"),
        _("Nama daerah"),
        _("Kanwil"),
        _("Nilai akhir (F)"),
        _("Kelengkapan (C)"),
        _("Ketepatan waktu (T)"),
        _("Responsivitas (R)"),
        _("Jumlah periode"),
        _("Status"),
    ]


NUMERIC_COLUMNS = range(4, 8)  # F, C, T, R (0-based)


def status_label(row):
    return _("Sementara") if row.provisional else _("Tetap")


def ranking_table(rows):
    """One list of values per ranking row, in the order of `ranking_headers`."""
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
            status_label(row),
        ]
        for row in rows
    ]


def recap_headers():
    return [
        _("Kanwil"),
        _("Jumlah daerah"),
        _("Laporan diharapkan"),
        _("Laporan terkirim"),
        _("Terkirim tepat waktu"),
        _("Tingkat pelaporan (%)"),
        _("Tingkat tepat waktu (%)"),
    ]


def recap_table(recap):
    lines = [*recap.rows, recap.total]
    names = [row.name or _("Tanpa Kanwil") for row in recap.rows] + [_("Nasional / jumlah")]
    return [
        [
            name,
            row.regions,
            row.counts.expected,
            row.counts.submitted,
            row.counts.on_time,
            row.counts.reporting_rate,
            row.counts.on_time_rate,
        ]
        for name, row in zip(names, lines, strict=True)
    ]


def _csv_text(value):
    """Text a spreadsheet would read as a formula gets a leading apostrophe (OWASP CSV advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _sheet(sheet, headers, table, decimals):
    sheet.append([str(header) for header in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in table:
        sheet.append(values)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                # openpyxl takes a leading "=" for a formula; a name is text.
                cell.data_type = "s"
    for column, places in decimals.items():
        letter = get_column_letter(column + 1)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
            cell.number_format = places
        sheet.column_dimensions[letter].width = 14
    sheet.freeze_panes = "A2"
    return sheet


def to_xlsx(rows, *, title, recap=None):
    """The ranking (and the recap, when given) as an XLSX workbook's bytes."""
    workbook = Workbook()
    ranking = workbook.active
    ranking.title = _("Peringkat")
    _sheet(
        ranking,
        ranking_headers(),
        ranking_table(rows),
        dict.fromkeys(NUMERIC_COLUMNS, "0.00"),
    )
    ranking.column_dimensions["C"].width = 34
    ranking.column_dimensions["D"].width = 44
    if recap is not None:
        sheet = workbook.create_sheet(_("Rekap pelaporan"))
        _sheet(sheet, recap_headers(), recap_table(recap), {5: "0.0", 6: "0.0"})
        sheet.column_dimensions["A"].width = 48
    workbook.properties.title = str(title)
    workbook.properties.creator = "Portal Aksi HAM"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_value(value):
    if value is None:
        return ""
    return _csv_text(str(value))


def to_csv(rows):
    """The ranking as CSV text (UTF-8 with a byte order mark added by the caller)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(header) for header in ranking_headers()])
    for values in ranking_table(rows):
        writer.writerow([_csv_value(value) for value in values])
    return buffer.getvalue()
