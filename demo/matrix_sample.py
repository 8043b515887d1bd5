"""The sample matrix workbook the demo loads: the seven actions of the demo across the four
target groups, a measure and two evidence items per quarter, assigned to every region of
Kanwil Kalimantan Timur. ``manage.py write_matrix_sample`` writes it again after a change."""

import datetime
import io

from reporting.matrix import HEADERS
from reporting.models import SCHEME_PERIODS, PeriodScheme

from .story import ACTIONS, PERIOD_MEASURES, SAMPLE_MATRIX

__all__ = ["SAMPLE_MATRIX", "sample_workbook"]

# Kalimantan Timur and Kalimantan Utara: the provinces and their kabupaten and kota.
DEMO_REGION_CODES = [
    "64", "64.01", "64.02", "64.03", "64.07", "64.08", "64.09", "64.11", "64.71", "64.72",
    "64.74", "65", "65.01", "65.02", "65.03", "65.04", "65.71",
]  # fmt: skip


def sample_rows():
    """{sheet key: [row, ...]} of the sample, from the demo story's actions and measures."""
    codes = [code for code, *_rest in SCHEME_PERIODS[PeriodScheme.QUARTERLY]]
    actions, measures, assignments = [], [], []
    for number, (group, title, criterion) in enumerate(ACTIONS, start=1):
        actions.append([number, title, group.label, criterion])
        for order, code in enumerate(codes, start=1):
            text, items = PERIOD_MEASURES[order]
            measures.append([number, code, f"{text}: {title.lower()}.", "\n".join(items)])
        assignments += [[number, code] for code in DEMO_REGION_CODES]
    return {"actions": actions, "measures": measures, "assignments": assignments}


def sample_workbook():
    """The sample as XLSX bytes; the same bytes every time for the same rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    widths = {"actions": [8, 70, 28, 70], "measures": [11, 13, 70, 40], "assignments": [11, 14]}
    for key, rows in sample_rows().items():
        title, header = HEADERS[key]
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([str(value) for value in row])
        for column, width in zip("ABCD", widths[key], strict=False):
            sheet.column_dimensions[column].width = width
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    moment = datetime.datetime(2026, 1, 1)
    workbook.properties.created = workbook.properties.modified = moment
    workbook.properties.creator = "Portal Aksi HAM (contoh)"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
