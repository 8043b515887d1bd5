"""Accounts from a spreadsheet: an XLSX or CSV of people is read, checked and kept as a
preview (``AccountImport``) before anything is written; the commit then writes every row or
none, audited, and invites each new person (nobody types a password for someone else).

The file is bounded before it is read (``ACCOUNT_IMPORT_MAX_BYTES``), an XLSX's zip is
measured before openpyxl opens it, rows are counted while they stream
(``ACCOUNT_IMPORT_MAX_ROWS``), and a cell that a spreadsheet would run as a formula is
refused, never neutralised: the admin fixes the file and sees exactly what is imported.
Rows are matched to accounts by e-mail (case-insensitive), so importing the same file again
changes nothing.
"""

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field

import phonenumbers
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .invitations import invite_many
from .models import (
    IMPORT_PREVIEW_LIFETIME,
    AccountImport,
    AccountImportStatus,
    AuditAction,
    AuditEvent,
    Kanwil,
    KanwilProvince,
    Region,
    Role,
    User,
)
from .services import audit

# The columns, by their name in the template and the other names accepted for them (English
# and the usual Indonesian variants); compared without case, spaces or punctuation.
COLUMNS = {
    "name": ("nama", "nama lengkap", "name", "full name"),
    "email": ("email", "e-mail", "surel", "alamat email", "email address"),
    "phone": (
        "whatsapp",
        "wa",
        "nomor whatsapp",
        "no wa",
        "ponsel",
        "nomor ponsel",
        "no hp",
        "hp",
        "telepon",
        "nomor telepon",
        "phone",
        "mobile",
    ),
    "role": ("peran", "role"),
    "region": ("kode wilayah", "wilayah", "kode kemendagri", "region", "region code"),
    "kanwil": ("kanwil", "kode kanwil", "kanwil code"),
    "nip": ("nip",),
    "position": ("jabatan", "position", "job title"),
}
TEMPLATE_HEADERS = {
    "name": "nama",
    "email": "email",
    "phone": "whatsapp",
    "role": "peran",
    "region": "kode_wilayah",
    "kanwil": "kanwil",
    "nip": "nip",
    "position": "jabatan",
}
REQUIRED = ("name", "email", "role")
ROLE_NAMES = {
    "officer": Role.OFFICER,
    "petugas": Role.OFFICER,
    "petugas pelapor": Role.OFFICER,
    "petugas pelapor pemda": Role.OFFICER,
    "pelapor": Role.OFFICER,
    "evaluator": Role.EVALUATOR,
    "verifikator": Role.EVALUATOR,
    "verifikator kanwil": Role.EVALUATOR,
    "admin": Role.ADMIN,
    "admin kementerian": Role.ADMIN,
    "administrator": Role.ADMIN,
}
MAX_LENGTHS = {"name": 150, "email": 254, "position": 150}
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PHONE_TEXT = re.compile(r"^\+[\d\s().-]+$")
MAX_COLUMNS = 30
SHEET_NAME = "Akun"

SUMMARY_KEYS = ("create", "update", "unchanged", "error")
PREVIEW_LIFETIME = IMPORT_PREVIEW_LIFETIME


class Refused(Exception):
    """The whole file is refused, with the message to show; nothing was written."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def max_bytes():
    return int(getattr(settings, "ACCOUNT_IMPORT_MAX_BYTES", 5 * 1024 * 1024))


def max_rows():
    return int(getattr(settings, "ACCOUNT_IMPORT_MAX_ROWS", 5000))


def max_unpacked_bytes():
    """The most an XLSX may hold once unzipped: ten times the file limit."""
    return 10 * max_bytes()


MAX_ZIP_RATIO = 100
MAX_ZIP_MEMBERS = 200


def _key(text):
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


ALIASES = {_key(alias): name for name, aliases in COLUMNS.items() for alias in aliases}


def column_label(name):
    return TEMPLATE_HEADERS[name]


# Reading -----------------------------------------------------------------------------------


def _size_of(upload):
    size = getattr(upload, "size", None)
    if size is None:
        position = upload.tell()
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
        upload.seek(position)
    return size


def _hash_of(upload):
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(64 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _where(coordinate):
    """A cell's name for a message: ``C5`` in a workbook, (line, column) in a CSV."""
    if isinstance(coordinate, tuple):
        return _("baris %(row)s kolom %(column)s") % {
            "row": coordinate[0],
            "column": coordinate[1],
        }
    return _("sel %(cell)s") % {"cell": coordinate}


def _check_cell(text, column, coordinate):
    """Refuse a cell a spreadsheet would run as a formula, and NULs that no database keeps."""
    if "\x00" in text:
        raise Refused(
            _("Berkas rusak: %(cell)s berisi karakter NUL.") % {"cell": _where(coordinate)}
        )
    stripped = text.lstrip(" ")
    if stripped.startswith(FORMULA_PREFIXES) and stripped != "-":
        if column == "phone" and PHONE_TEXT.match(stripped):
            return
        raise Refused(
            _(
                "Berkas ditolak demi keamanan: %(cell)s berisi rumus atau teks yang diawali "
                "=, +, -, atau @ (%(text)s). Hapus tanda itu atau simpan sel sebagai nilai "
                "biasa, lalu unggah lagi."
            )
            % {"cell": _where(coordinate), "text": stripped[:40]}
        )


def _xlsx_cells(upload):
    """Rows of cells (value, is_formula, is_number, coordinate) of the accounts sheet."""
    import openpyxl

    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise Refused(_("Berkas ini bukan XLSX yang dapat dibaca.")) from error
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if (
        len(members) > MAX_ZIP_MEMBERS
        or unpacked > max_unpacked_bytes()
        or (unpacked > 1024 * 1024 and unpacked / packed > MAX_ZIP_RATIO)
    ):
        raise Refused(
            _(
                "Berkas ditolak: isinya setelah dibuka jauh lebih besar daripada berkasnya "
                "(arsip terkompresi berbahaya). Simpan ulang lembar akun sebagai XLSX biasa."
            )
        )
    upload.seek(0)
    try:
        workbook = openpyxl.load_workbook(upload, read_only=True, data_only=False)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise Refused(_("Berkas ini bukan XLSX yang dapat dibaca.")) from error
    try:
        sheet = (
            workbook[SHEET_NAME] if SHEET_NAME in workbook.sheetnames else workbook.worksheets[0]
        )
        for cells in sheet.iter_rows(max_col=MAX_COLUMNS):
            yield [
                (
                    cell.value,
                    getattr(cell, "data_type", None) == "f",
                    isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool),
                    getattr(cell, "coordinate", None),
                )
                for cell in cells
            ]
    finally:
        workbook.close()


def _csv_cells(upload):
    upload.seek(0)
    data = upload.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV (Comma delimited)" on Windows writes the ANSI code page.
        text = data.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        for line, values in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), 1):
            yield [
                (value, False, False, (line, n)) for n, value in enumerate(values[:MAX_COLUMNS], 1)
            ]
    except csv.Error as error:
        raise Refused(
            _("Berkas CSV ini tidak dapat dibaca: %(error)s") % {"error": error}
        ) from error


def _header_of(values):
    columns = {}
    unknown = []
    for index, value in enumerate(values):
        name = ALIASES.get(_key(value))
        if name is None:
            if str(value).strip():
                unknown.append(str(value).strip())
            continue
        if name in columns:
            raise Refused(
                _("Kolom %(column)s muncul dua kali di baris judul.")
                % {"column": column_label(name)}
            )
        columns[name] = index
    missing = [column_label(name) for name in REQUIRED if name not in columns]
    if "region" not in columns and "kanwil" not in columns:
        missing.append(f"{column_label('region')} / {column_label('kanwil')}")
    if missing:
        raise Refused(
            _("Kolom wajib tidak ada: %(columns)s. Pakai templat atau beri nama kolom itu.")
            % {"columns": ", ".join(missing)}
        )
    return columns, unknown


def read_rows(upload, name):
    """The rows of an uploaded table, as {"row", "values", "numeric"} dicts, and the ignored
    columns. Raises Refused for a file that cannot be imported at all."""
    size = _size_of(upload)
    if size > max_bytes():
        raise Refused(
            _("Berkas terlalu besar (%(size)s MB); paling besar %(limit)s MB.")
            % {"size": f"{size / 1048576:.1f}", "limit": f"{max_bytes() / 1048576:.0f}"}
        )
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head.startswith(b"PK\x03\x04"):
        cells = _xlsx_cells(upload)
    elif name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise Refused(_("Berkas ini bukan XLSX yang dapat dibaca. Simpan sebagai XLSX atau CSV."))
    else:
        cells = _csv_cells(upload)
    columns = None
    unknown = []
    rows = []
    limit = max_rows()
    for line, row in enumerate(cells, 1):
        texts = [_cell_text(value).strip() for value, *_rest in row]
        if not any(texts):
            continue
        # Every cell, imported or not: a file with a formula anywhere is refused whole.
        names = {index: name for name, index in (columns or {}).items()}
        for index, (_value, is_formula, _number, coordinate) in enumerate(row):
            if is_formula:
                raise Refused(
                    _(
                        "Berkas ditolak demi keamanan: %(cell)s berisi rumus. Salin lalu tempel "
                        "sebagai nilai (Paste Values), lalu unggah lagi."
                    )
                    % {"cell": _where(coordinate)}
                )
            if texts[index]:
                _check_cell(texts[index], names.get(index), coordinate)
        if columns is None:
            columns, unknown = _header_of(texts)
            continue
        values = {}
        numeric = []
        for name, index in columns.items():
            if index >= len(row):
                values[name] = ""
                continue
            value, _formula, is_number, _coordinate = row[index]
            text = texts[index]
            if name == "region" and isinstance(value, float) and not value.is_integer():
                # "64.71" typed into a number cell; "35.10" would read as 35.1.
                text = f"{value:.2f}"
            if is_number:
                numeric.append(name)
            values[name] = "" if text == "-" else text
        rows.append({"row": line, "values": values, "numeric": numeric})
        if len(rows) > limit:
            raise Refused(
                _("Berkas berisi lebih dari %(limit)s baris; bagi menjadi beberapa berkas.")
                % {"limit": limit}
            )
    if columns is None:
        raise Refused(_("Berkas kosong: tidak ada baris judul."))
    if not rows:
        raise Refused(_("Berkas tidak berisi satu baris akun pun."))
    return rows, unknown


# Checking ----------------------------------------------------------------------------------

MESSAGES = {
    "empty": _("Kolom %(column)s kosong."),
    "too_long": _("Kolom %(column)s terlalu panjang (paling banyak %(max)s karakter)."),
    "bad_email": _("E-mail %(value)s tidak sah."),
    "duplicate_email": _("E-mail %(value)s muncul lebih dari sekali di berkas (baris %(rows)s)."),
    "ambiguous_email": _(
        "Lebih dari satu akun memakai e-mail %(value)s; rapikan dulu di Pengaturan."
    ),
    "bad_phone": _(
        "Nomor %(value)s bukan nomor ponsel Indonesia yang sah (mis. 0812 3456 7890 atau "
        "+62 812 3456 7890)."
    ),
    "unknown_role": _("Peran %(value)s tidak dikenal: isi petugas, verifikator, atau admin."),
    "unknown_region": _("Kode wilayah %(value)s tidak dikenal (kode Kemendagri, mis. 64.71)."),
    "unknown_kanwil": _("Kanwil %(value)s tidak dikenal (kode Kanwil, mis. kaltim)."),
    "officer_needs_region": _("Petugas pelapor harus terikat pada satu wilayah: isi kode wilayah."),
    "evaluator_needs_kanwil": _("Verifikator harus terikat pada satu Kanwil: isi kolom kanwil."),
    "evaluator_has_region": _(
        "Verifikator terikat pada Kanwil, bukan pada wilayah: kosongkan kode wilayah."
    ),
    "admin_has_place": _(
        "Admin Kementerian tidak terikat pada wilayah atau Kanwil: kosongkan kolom itu."
    ),
    "region_not_in_kanwil": _("Wilayah %(region)s tidak termasuk %(kanwil)s."),
    "outside_kanwil_region": _("Wilayah %(region)s bukan wilayah kerja %(kanwil)s."),
    "outside_kanwil_evaluator": _("Anda hanya dapat menambahkan verifikator %(kanwil)s."),
    "outside_kanwil_admin": _("Kanwil tidak dapat menambahkan admin Kementerian."),
    "outside_kanwil_user": _("Akun dengan e-mail ini berada di luar wilayah kerja %(kanwil)s."),
    "protected": _(
        "Akun ini tidak dapat diubah lewat impor (akun Anda sendiri, superuser, atau admin)."
    ),
    "nip_numeric": _(
        "NIP tertulis sebagai angka sehingga digit terakhirnya bisa berubah: format kolom NIP "
        "sebagai teks, lalu ketik ulang."
    ),
    "bad_nip": _("NIP %(value)s tidak sah: NIP terdiri atas 18 angka."),
}


def message_of(code, params):
    params = dict(params)
    if "column" in params:
        params["column"] = column_label(params["column"])
    return str(MESSAGES[code]) % params


def normalise_phone(text):
    """+62... (E.164) for an Indonesian mobile number written any usual way, else None."""
    digits = re.sub(r"[\s().-]", "", text)
    if digits.startswith("62"):
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(
        number
    ) not in ("ID",):
        return None
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass
class Places:
    """Regions and Kanwil read once per preview."""

    regions: dict = field(default_factory=dict)  # code -> (id, name, kanwil id)
    kanwils: dict = field(default_factory=dict)  # code or name, lower -> (id, name)
    kanwil_names: dict = field(default_factory=dict)  # id -> name

    @classmethod
    def load(cls):
        places = cls()
        kanwil_of_province = dict(KanwilProvince.objects.values_list("province_id", "kanwil_id"))
        for pk, code, name in Kanwil.objects.values_list("pk", "code", "name"):
            places.kanwils[code.lower()] = places.kanwils[name.lower()] = (pk, code)
            places.kanwil_names[pk] = name
        for pk, code, name, province_id in Region.objects.values_list(
            "pk", "code", "name", "province_id"
        ):
            places.regions[code] = (pk, name, kanwil_of_province.get(province_id))
        return places


def _row_errors(values, numeric, places):
    """The row's target values and its errors (code, params)."""
    errors = []
    target = {}
    for name in REQUIRED:
        if not values.get(name):
            errors.append(("empty", {"column": name}))
    for name, limit in MAX_LENGTHS.items():
        if len(values.get(name, "")) > limit:
            errors.append(("too_long", {"column": name, "max": limit}))
    target["name"] = " ".join(values.get("name", "").split())[:150]
    email = values.get("email", "").strip().lower()
    target["email"] = email
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(("bad_email", {"value": email}))
    phone = values.get("phone", "")
    target["phone"] = ""
    if phone:
        target["phone"] = normalise_phone(phone) or ""
        if not target["phone"]:
            errors.append(("bad_phone", {"value": phone}))
    nip = re.sub(r"\s", "", values.get("nip", ""))
    target["nip"] = nip
    if nip:
        if "nip" in numeric and len(nip) > 15:
            errors.append(("nip_numeric", {}))
        elif not re.fullmatch(r"\d{18}", nip):
            errors.append(("bad_nip", {"value": values.get("nip", "")}))
    target["position"] = " ".join(values.get("position", "").split())[:150]
    role_text = " ".join(values.get("role", "").lower().split())
    role = ROLE_NAMES.get(role_text)
    target["role"] = role or ""
    if role_text and role is None:
        errors.append(("unknown_role", {"value": values.get("role", "")}))
    region_code = values.get("region", "").strip()
    kanwil_text = values.get("kanwil", "").strip()
    region = places.regions.get(region_code) if region_code else None
    kanwil = places.kanwils.get(kanwil_text.lower()) if kanwil_text else None
    if region_code and region is None:
        errors.append(("unknown_region", {"value": region_code}))
    if kanwil_text and kanwil is None:
        errors.append(("unknown_kanwil", {"value": kanwil_text}))
    target["region"] = region[0] if region else None
    target["region_code"] = region_code if region else ""
    target["kanwil"] = kanwil[0] if kanwil else None
    if role == Role.OFFICER:
        if not region_code:
            errors.append(("officer_needs_region", {}))
        if region and kanwil and region[2] != kanwil[0]:
            errors.append(
                (
                    "region_not_in_kanwil",
                    {"region": region[1], "kanwil": places.kanwil_names[kanwil[0]]},
                )
            )
        target["kanwil"] = None
    elif role == Role.EVALUATOR:
        if not kanwil_text:
            errors.append(("evaluator_needs_kanwil", {}))
        if region_code:
            errors.append(("evaluator_has_region", {}))
        target["region"], target["region_code"] = None, ""
    elif role == Role.ADMIN and (region_code or kanwil_text):
        errors.append(("admin_has_place", {}))
    return target, errors, region


def _scope_errors(target, region, existing, places, scope):
    """A Kanwil admin's import reaches only the Kanwil's own regions and evaluators."""
    name = places.kanwil_names[scope]
    errors = []
    if target["role"] == Role.OFFICER and region and region[2] != scope:
        errors.append(("outside_kanwil_region", {"region": region[1], "kanwil": name}))
    elif target["role"] == Role.EVALUATOR and target["kanwil"] and target["kanwil"] != scope:
        errors.append(("outside_kanwil_evaluator", {"kanwil": name}))
    elif target["role"] == Role.ADMIN:
        errors.append(("outside_kanwil_admin", {}))
    if existing is not None:
        home = (
            existing["kanwil_id"]
            if existing["role"] == Role.EVALUATOR
            else places.regions.get(existing["region__code"], (None, None, None))[2]
            if existing["role"] == Role.OFFICER
            else None
        )
        if home != scope:
            errors.append(("outside_kanwil_user", {"kanwil": name}))
    return errors


COMPARED = ("name", "phone", "role", "region", "kanwil", "nip", "position")
# Left as they are when the file leaves them empty: an import never wipes what is known.
KEPT_WHEN_EMPTY = ("phone", "nip", "position")


def _current(user):
    return {
        "name": " ".join(f"{user['first_name']} {user['last_name']}".split()),
        "phone": user["phone"],
        "role": user["role"],
        "region": user["region_id"],
        "kanwil": user["kanwil_id"],
        "nip": user["nip"],
        "position": user["position"],
    }


def _username_base(email):
    local = email.split("@", 1)[0].lower()
    base = re.sub(r"[^a-z0-9._-]+", ".", local).strip(".-_")[:30]
    return base or "pengguna"


def _new_username(email, taken):
    base = _username_base(email)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}.{n}"
    taken.add(candidate)
    return candidate


def plan(rows, *, by, kanwil=None):
    """Classify each parsed row against the accounts as they are now: create, update,
    unchanged or error. Reads a fixed number of queries whatever the number of rows."""
    places = Places.load()
    scope = kanwil.pk if kanwil is not None else None
    emails = {row["values"].get("email", "").strip().lower() for row in rows} - {""}
    existing = {}
    for user in (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .values(
            "pk",
            "username",
            "email_lower",
            "first_name",
            "last_name",
            "phone",
            "role",
            "region_id",
            "region__code",
            "kanwil_id",
            "nip",
            "position",
            "is_superuser",
        )
    ):
        existing.setdefault(user["email_lower"], []).append(user)
    taken = {name.lower() for name in User.objects.values_list("username", flat=True)}
    seen = {}
    for row in rows:
        email = row["values"].get("email", "").strip().lower()
        if email:
            seen.setdefault(email, []).append(row["row"])
    planned = []
    for row in rows:
        target, errors, region = _row_errors(row["values"], row.get("numeric", []), places)
        email = target["email"]
        if email and len(seen.get(email, ())) > 1:
            others = ", ".join(str(n) for n in seen[email])
            errors.append(("duplicate_email", {"value": email, "rows": others}))
        matches = existing.get(email, [])
        if len(matches) > 1:
            errors.append(("ambiguous_email", {"value": email}))
        user = matches[0] if len(matches) == 1 else None
        if scope is not None and not errors:
            errors.extend(_scope_errors(target, region, user, places, scope))
        entry = {**row, "target": target, "errors": [list(e) for e in errors], "changes": []}
        if user is not None:
            entry["user_id"] = user["pk"]
            entry["username"] = user["username"]
            before = _current(user)
            changes = [
                [name, before[name], target[name]]
                for name in COMPARED
                if before[name] != target[name]
                and not (name in KEPT_WHEN_EMPTY and not target[name])
            ]
            entry["changes"] = changes
            protected = (
                user["is_superuser"]
                or user["pk"] == by.pk
                or (user["role"] == Role.ADMIN and any(c[0] == "role" for c in changes))
            )
            if changes and protected and not errors:
                entry["errors"].append(["protected", {}])
        if entry["errors"]:
            entry["action"] = "error"
        elif user is None:
            entry["action"] = "create"
            entry["username"] = _new_username(email, taken)
        else:
            entry["action"] = "update" if entry["changes"] else "unchanged"
        planned.append(entry)
    return planned


def counts_of(planned):
    counts = dict.fromkeys(SUMMARY_KEYS, 0)
    for entry in planned:
        counts[entry["action"]] += 1
    counts["total"] = len(planned)
    return counts


# Preview and commit ------------------------------------------------------------------------


def preview(upload, *, by, name=None, kanwil=None):
    """Read and check an uploaded file and keep it as a preview; nothing else is written.
    Raises Refused for a file that cannot be imported at all."""
    name = (name or getattr(upload, "name", "") or "akun")[:200]
    rows, unknown = read_rows(upload, name)
    digest = _hash_of(upload)
    planned = plan(rows, by=by, kanwil=kanwil)
    return AccountImport.objects.create(
        created_by=by,
        kanwil=kanwil,
        file_name=name.rsplit("/", 1)[-1],
        file_sha256=digest,
        rows=planned,
        counts={**counts_of(planned), "ignored_columns": unknown},
    )


def remove_expired_previews(*, now=None):
    """Empty the previews nobody committed within a day: their rows (people's names, e-mails
    and numbers) are removed; the file's name and hash, who uploaded it and when, and the
    counts stay, so that a link to the preview says that it expired instead of not being
    found. Committed imports stay whole as the record of what was written. Returns how many
    were emptied."""
    cutoff = (now or timezone.now()) - PREVIEW_LIFETIME
    return AccountImport.objects.filter(
        status=AccountImportStatus.PREVIEW, created_at__lt=cutoff
    ).update(status=AccountImportStatus.EXPIRED, rows=[])


@dataclass
class Outcome:
    account_import: AccountImport
    committed: bool  # False: the rows now have errors (shown again), nothing written
    again: bool = False  # True: it had been committed already (a double submit)
    expired: bool = False  # True: a preview older than a day, nothing written


def _lock_imports():
    # Two commits at once must not both create the same e-mail: one waits for the other.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('accounts.imports'))")


def _parsed(entry):
    return {"row": entry["row"], "values": entry["values"], "numeric": entry.get("numeric", [])}


def commit(account_import, *, by, now=None):
    """Write every row of a preview, or none: create, update, invite, audit. The rows are
    checked again against the accounts as they are now; if one has become an error, nothing
    is written and the preview shows it. Committing twice writes nothing the second time."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_imports()
        record = AccountImport.objects.select_for_update().get(pk=account_import.pk)
        if record.status == AccountImportStatus.COMMITTED:
            return Outcome(record, committed=True, again=True)
        if record.has_expired(now):
            return Outcome(record, committed=False, expired=True)
        kanwil = record.kanwil
        planned = plan([_parsed(entry) for entry in record.rows], by=by, kanwil=kanwil)
        counts = {**counts_of(planned), "ignored_columns": record.counts.get("ignored_columns", [])}
        if counts["error"]:
            record.rows, record.counts = planned, counts
            record.save(update_fields=["rows", "counts"])
            return Outcome(record, committed=False)
        created = _create(record, planned, by=by, now=now)
        _update(record, planned, by=by)
        invite_many(created, by=by, now=now)
        record.rows, record.counts = planned, counts
        record.status = AccountImportStatus.COMMITTED
        record.committed_at, record.committed_by = now, by
        record.save(update_fields=["rows", "counts", "status", "committed_at", "committed_by"])
        audit(
            AuditAction.ACCOUNTS_IMPORTED,
            record,
            by=by,
            details={
                "file_name": record.file_name,
                "sha256": record.file_sha256,
                "created": counts["create"],
                "updated": counts["update"],
                "unchanged": counts["unchanged"],
                "kanwil": kanwil.code if kanwil else None,
            },
        )
    return Outcome(record, committed=True)


def _create(record, planned, *, by, now):
    entries = [entry for entry in planned if entry["action"] == "create"]
    users = [
        User(
            username=entry["username"],
            email=entry["target"]["email"],
            first_name=entry["target"]["name"],
            phone=entry["target"]["phone"],
            role=entry["target"]["role"],
            region_id=entry["target"]["region"],
            kanwil_id=entry["target"]["kanwil"],
            nip=entry["target"]["nip"],
            position=entry["target"]["position"],
            # Nobody knows a password until the person sets one from the invitation.
            password=make_password(None),
            is_active=False,
            date_joined=now,
        )
        for entry in entries
    ]
    users = User.objects.bulk_create(users)
    for entry, user in zip(entries, users, strict=True):
        entry["user_id"] = user.pk
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=by,
                action=AuditAction.USER_CREATED,
                object_type=User._meta.label_lower,
                object_id=str(user.pk),
                object_repr=str(user)[:200],
                details={
                    "import": record.pk,
                    "row": entry["row"],
                    "after": {name: entry["target"][name] for name in COMPARED},
                },
            )
            for entry, user in zip(entries, users, strict=True)
        ]
    )
    return users


FIELDS = {
    "name": ("first_name", "last_name"),
    "phone": ("phone",),
    "role": ("role",),
    "region": ("region_id",),
    "kanwil": ("kanwil_id",),
    "nip": ("nip",),
    "position": ("position",),
}


def _update(record, planned, *, by):
    entries = [entry for entry in planned if entry["action"] == "update"]
    users = User.objects.in_bulk([entry["user_id"] for entry in entries])
    for entry in entries:
        user = users[entry["user_id"]]
        changed = []
        for name, _before, after in entry["changes"]:
            if name == "name":
                user.first_name, user.last_name = after, ""
            elif name in ("region", "kanwil"):
                setattr(user, f"{name}_id", after)
            else:
                setattr(user, name, after)
            changed.extend(FIELDS[name])
            if name == "phone":
                # A new number is not confirmed by the old one's confirmation.
                user.phone_confirmed_at = None
                changed.append("phone_confirmed_at")
        # One save per account, so that a signed-in person's cached self is refreshed.
        user.save(update_fields=changed)
        audit(
            AuditAction.USER_UPDATED,
            user,
            by=by,
            details={
                "import": record.pk,
                "row": entry["row"],
                "before": {name: before for name, before, _after in entry["changes"]},
                "after": {name: after for name, _before, after in entry["changes"]},
            },
        )


# The template ------------------------------------------------------------------------------


def template_workbook():
    """The XLSX offered for download: the accounts sheet with its headers (text columns, so
    that codes, numbers and NIP keep their digits) and a sheet of instructions."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    names = list(TEMPLATE_HEADERS)
    sheet.append([TEMPLATE_HEADERS[name] for name in names])
    for index, name in enumerate(names, 1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = 28 if name in ("name", "email", "position") else 16
        sheet.column_dimensions[letter].number_format = "@"
    notes = workbook.create_sheet("Petunjuk")
    notes.append([str(_("Kolom")), str(_("Isi")), str(_("Contoh"))])
    for column, meaning, example in (
        ("nama", _("Nama lengkap (wajib)."), "Siti Aminah"),
        ("email", _("Alamat e-mail (wajib); akun dicocokkan lewat e-mail."), "siti@contoh.go.id"),
        ("whatsapp", _("Nomor ponsel/WhatsApp Indonesia (boleh kosong)."), "0812 3456 7890"),
        ("peran", _("petugas, verifikator, atau admin (wajib)."), "petugas"),
        ("kode_wilayah", _("Kode Kemendagri wilayah petugas."), "64.71"),
        ("kanwil", _("Kode Kanwil verifikator."), "kaltim"),
        ("nip", _("NIP 18 angka (boleh kosong); ketik sebagai teks."), "199001012015031001"),
        ("jabatan", _("Jabatan (boleh kosong)."), "Analis Hukum"),
    ):
        notes.append([column, str(meaning), example])
    notes.append([])
    notes.append([str(_("Kanwil")), str(_("Kode"))])
    for code, kanwil_name in Kanwil.objects.values_list("code", "name"):
        notes.append([kanwil_name, code])
    notes.column_dimensions["A"].width = 45
    notes.column_dimensions["B"].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
