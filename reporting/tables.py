"""Reading an uploaded XLSX workbook without trusting it.

An upload is bounded before openpyxl sees it: its size, and (an XLSX being a zip archive)
the number of members, their total unpacked size and their compression ratio, so that a zip
bomb dressed as a workbook is refused without being unpacked. Then every sheet is read in
read-only mode with a row bound, and a cell holding a formula refuses the whole file: a
workbook that computes is not data, and a formula copied into the portal could run in the
next spreadsheet program that opens an export.
"""

import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100  # unpacked / packed of one member: ordinary sheets stay far below it
MAX_MEMBERS = 200
MAX_ROWS = 20000
MAX_COLUMNS = 30


class TableError(Exception):
    """The upload cannot be read as a table; the message says why, for the person."""


@dataclass
class Sheet:
    """A sheet's header (lower-cased, stripped) and its data rows with their row numbers."""

    name: str
    header: list
    rows: list  # (row number as the spreadsheet shows it, [cell values])


def _check_archive(data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise TableError(
            _("Berkas ini bukan XLSX (buka di Excel lalu simpan sebagai .xlsx).")
        ) from error
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise TableError(_("Berkas XLSX ini berisi terlalu banyak bagian."))
    total = 0
    for member in members:
        total += member.file_size
        packed = max(member.compress_size, 1)
        if member.file_size > MAX_UNPACKED_BYTES or member.file_size / packed > MAX_RATIO:
            raise TableError(
                _("Isi berkas XLSX ini jauh lebih besar dari berkasnya (arsip bom): ditolak.")
            )
    if total > MAX_UNPACKED_BYTES:
        raise TableError(
            _("Isi berkas XLSX ini jauh lebih besar dari berkasnya (arsip bom): ditolak.")
        )


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_workbook(upload, *, max_bytes=MAX_BYTES, max_rows=None):
    """{sheet name lower-cased: Sheet} of an uploaded XLSX (a file object or bytes).

    Cells come back as stripped strings ("" for empty); rows that are wholly empty are
    skipped. Raises ``TableError`` for anything that is not a small, plain workbook.
    """
    from openpyxl import load_workbook

    max_rows = max_rows or MAX_ROWS
    if isinstance(upload, bytes):
        data = upload
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > max_bytes:
            raise TableError(_("Berkas terlalu besar (paling besar %(mb)s MB).") % _mb(max_bytes))
        data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TableError(_("Berkas terlalu besar (paling besar %(mb)s MB).") % _mb(max_bytes))
    _check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise TableError(_("Berkas XLSX ini rusak atau tidak dapat dibaca.")) from error
    sheets = {}
    try:
        for worksheet in workbook.worksheets:
            sheets[worksheet.title.strip().lower()] = _read_sheet(worksheet, max_rows)
    finally:
        workbook.close()
    return sheets


def _mb(size):
    return {"mb": size // (1024 * 1024)}


def _read_sheet(worksheet, max_rows):
    header, rows = None, []
    for number, row in enumerate(worksheet.iter_rows(), start=1):
        cells = list(row)[:MAX_COLUMNS]
        for cell in cells:
            if getattr(cell, "data_type", None) == "f":
                raise TableError(
                    _(
                        "Lembar “%(sheet)s” baris %(row)s berisi rumus (%(cell)s). Berkas "
                        "impor hanya boleh berisi nilai: salin lalu tempel sebagai nilai."
                    )
                    % {"sheet": worksheet.title, "row": number, "cell": cell.coordinate}
                )
        values = [_text(cell.value) for cell in cells]
        if not any(values):
            continue
        if header is None:
            header = [value.lower() for value in values]
            continue
        if len(rows) >= max_rows:
            raise TableError(
                _("Lembar “%(sheet)s” berisi lebih dari %(max)s baris.")
                % {"sheet": worksheet.title, "max": max_rows}
            )
        rows.append((number, values))
    return Sheet(name=worksheet.title, header=header or [], rows=rows)
