"""Accounts from a spreadsheet: preview, all-or-nothing commit, idempotence, hostile files."""

import csv
import datetime
import io
import zipfile

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts import imports, tasks
from accounts.models import (
    AccountImport,
    AccountImportStatus,
    AuditEvent,
    Invitation,
    Role,
    User,
)
from outbox.models import Entry
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

HEADER = ["nama", "email", "whatsapp", "peran", "kode_wilayah", "kanwil", "nip", "jabatan"]


def xlsx(rows, header=HEADER, name="akun.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(rows, header=HEADER, delimiter=",", name="akun.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode())


OFFICER = ["Siti Aminah", "Siti@Contoh.go.id", "0812 3456 7890", "petugas", "64.71", "", "", ""]
EVALUATOR = ["Budi", "budi@contoh.go.id", "", "verifikator", "", "kaltim", "", "Analis"]


@pytest.fixture
def nothing_written():
    before = (User.objects.count(), AuditEvent.objects.count(), Invitation.objects.count())

    def check():
        after = (User.objects.count(), AuditEvent.objects.count(), Invitation.objects.count())
        assert after == before
        assert not AccountImport.objects.exists()

    return check


def test_a_preview_sorts_rows_and_writes_no_account(admin_user, kanwil_kaltim, balikpapan):
    make_user(
        "ada", email="ada@contoh.go.id", first_name="Ada", role=Role.OFFICER, region=balikpapan
    )
    upload = xlsx(
        [
            OFFICER,
            EVALUATOR,
            ["Ada", "ADA@contoh.go.id", "", "petugas", "64.71", "", "", ""],
            ["Ada Baru", "ada@contoh.go.id", "", "petugas", "64.71", "", "", ""],
        ]
    )
    users = User.objects.count()

    record = imports.preview(upload, by=admin_user)

    assert User.objects.count() == users
    assert record.status == AccountImportStatus.PREVIEW
    assert record.counts["create"] == 2
    assert record.counts["error"] == 2  # the same e-mail twice in the file
    created = [row for row in record.rows if row["action"] == "create"]
    assert created[0]["target"]["phone"] == "+6281234567890"
    assert created[0]["target"]["email"] == "siti@contoh.go.id"
    assert created[0]["username"] == "siti"


def test_commit_creates_inactive_invited_accounts_and_audits_each(admin_user, kanwil_kaltim):
    record = imports.preview(xlsx([OFFICER, EVALUATOR]), by=admin_user)

    outcome = imports.commit(record, by=admin_user)

    assert outcome.committed and not outcome.again
    siti = User.objects.get(email="siti@contoh.go.id")
    assert not siti.is_active and not siti.has_usable_password()
    assert siti.role == Role.OFFICER and siti.region.code == "64.71"
    budi = User.objects.get(email="budi@contoh.go.id")
    assert budi.kanwil == kanwil_kaltim and budi.position == "Analis"
    assert Invitation.objects.filter(user__in=[siti, budi]).count() == 2
    [entry] = Entry.objects.filter(topic="accounts.invitations_sent")
    assert len(entry.payload["invitation_ids"]) == 2
    assert AuditEvent.objects.filter(action="user_created").count() == 2
    event = AuditEvent.objects.get(action="accounts_imported")
    assert event.details["created"] == 2 and event.details["sha256"] == record.file_sha256


def test_importing_the_same_file_again_changes_nothing(admin_user, kanwil_kaltim):
    imports.commit(imports.preview(xlsx([OFFICER, EVALUATOR]), by=admin_user), by=admin_user)
    users = list(User.objects.order_by("pk").values())

    again = imports.preview(xlsx([OFFICER, EVALUATOR]), by=admin_user)
    outcome = imports.commit(again, by=admin_user)

    assert outcome.account_import.counts["create"] == 0
    assert outcome.account_import.counts["update"] == 0
    assert outcome.account_import.counts["unchanged"] == 2
    assert list(User.objects.order_by("pk").values()) == users
    assert Invitation.objects.count() == 2


def test_committing_twice_imports_once(admin_user, kanwil_kaltim):
    record = imports.preview(xlsx([OFFICER]), by=admin_user)

    imports.commit(record, by=admin_user)
    second = imports.commit(record, by=admin_user)

    assert second.again
    assert User.objects.filter(email="siti@contoh.go.id").count() == 1
    assert Invitation.objects.count() == 1


def test_an_update_changes_what_differs_and_keeps_what_the_file_leaves_empty(
    admin_user, balikpapan, samarinda
):
    person = make_user(
        "siti",
        email="siti@contoh.go.id",
        first_name="Siti",
        role=Role.OFFICER,
        region=balikpapan,
        nip="199001012015031001",
    )
    row = ["Siti Aminah", "siti@contoh.go.id", "", "petugas", "64.72", "", "", ""]

    record = imports.preview(xlsx([row]), by=admin_user)
    imports.commit(record, by=admin_user)

    person.refresh_from_db()
    assert person.get_full_name() == "Siti Aminah" and person.region == samarinda
    assert person.nip == "199001012015031001"
    event = AuditEvent.objects.get(action="user_updated")
    assert event.details["before"]["region"] == balikpapan.pk
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (["A", "a@contoh.go.id", "", "petugas", "99.99", "", "", ""], "Kode wilayah 99.99"),
        (["A", "a@contoh.go.id", "12345", "petugas", "64.71", "", "", ""], "bukan nomor ponsel"),
        (["A", "a@contoh.go.id", "", "petugas", "", "kaltim", "", ""], "harus terikat pada satu"),
        (["A", "a@contoh.go.id", "", "verifikator", "64.71", "", "", ""], "Kanwil"),
        (["A", "a@contoh.go.id", "", "admin", "64.71", "", "", ""], "kosongkan"),
        (["A", "a@contoh.go.id", "", "bos", "64.71", "", "", ""], "Peran bos tidak dikenal"),
        (["A", "bukan-email", "", "petugas", "64.71", "", "", ""], "tidak sah"),
        (["A", "a@contoh.go.id", "", "petugas", "35.78", "kaltim", "", ""], "tidak termasuk"),
        (["A", "a@contoh.go.id", "", "petugas", "64.71", "", "123", ""], "18 angka"),
    ],
)
def test_each_bad_row_says_why_in_plain_indonesian(admin_user, kanwil_kaltim, row, reason):
    record = imports.preview(xlsx([row]), by=admin_user)

    [entry] = record.rows
    assert entry["action"] == "error" and entry["row"] == 2
    assert any(reason in imports.message_of(code, p) for code, p in entry["errors"])


def test_a_kanwil_scope_makes_other_kanwils_regions_errors(admin_user, kanwil_kaltim, kanwil_jatim):
    rows = [
        OFFICER,
        ["Surabaya", "sby@contoh.go.id", "", "petugas", "35.78", "", "", ""],
        ["Verif Jatim", "vj@contoh.go.id", "", "verifikator", "", "jatim", "", ""],
    ]

    record = imports.preview(xlsx(rows), by=admin_user, kanwil=kanwil_kaltim)

    assert [entry["action"] for entry in record.rows] == ["create", "error", "error"]
    assert record.rows[1]["errors"][0][0] == "outside_kanwil_region"


def test_a_commit_whose_rows_became_errors_writes_nothing(admin_user, kanwil_kaltim, balikpapan):
    record = imports.preview(xlsx([OFFICER, EVALUATOR]), by=admin_user)
    # Meanwhile two accounts came to share one of the e-mails.
    for name in ("x1", "x2"):
        make_user(name, email="budi@contoh.go.id", role=Role.OFFICER, region=balikpapan)

    outcome = imports.commit(record, by=admin_user)

    assert not outcome.committed
    assert not User.objects.filter(email="siti@contoh.go.id").exists()
    assert outcome.account_import.counts["error"] == 1


def test_columns_in_any_order_and_english_names_are_read(admin_user, kanwil_kaltim):
    header = ["Region code", "Role", "E-mail", "Full name", "Phone"]
    row = ["64.71", "officer", "siti@contoh.go.id", "Siti", "+62 812-3456-7890"]

    record = imports.preview(csv_file([row], header=header, delimiter=";"), by=admin_user)

    [entry] = record.rows
    assert entry["action"] == "create"
    assert entry["target"]["phone"] == "+6281234567890"


def test_missing_columns_are_named_and_nothing_written(admin_user, nothing_written):
    upload = xlsx([["Siti", "64.71"]], header=["nama", "kode_wilayah"])

    with pytest.raises(imports.Refused) as refused:
        imports.preview(upload, by=admin_user)

    assert "email, peran" in str(refused.value.message)
    nothing_written()


def test_a_formula_cell_is_refused_and_nothing_written(admin_user, nothing_written):
    upload = xlsx(
        [["Siti", "siti@contoh.go.id", "", "petugas", '=HYPERLINK("http://x")', "", "", ""]]
    )

    with pytest.raises(imports.Refused) as refused:
        imports.preview(upload, by=admin_user)

    assert "E2" in str(refused.value.message) and "rumus" in str(refused.value.message)
    nothing_written()


@pytest.mark.parametrize("text", ["=1+1", "@SUM(A1)", "-2+3", "+cmd|' /C calc'!A0"])
def test_formula_text_in_a_csv_is_refused_and_nothing_written(admin_user, nothing_written, text):
    upload = csv_file([["Siti", "siti@contoh.go.id", "", "petugas", "64.71", "", "", text]])

    with pytest.raises(imports.Refused) as refused:
        imports.preview(upload, by=admin_user)

    assert "baris 2 kolom 8" in str(refused.value.message)
    nothing_written()


def test_a_50_mb_file_is_refused_before_it_is_read(admin_user, nothing_written, tmp_path):
    path = tmp_path / "besar.csv"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: no 50 MB written, 50 MB declared
    with open(path, "rb") as handle:
        with pytest.raises(imports.Refused) as refused:
            imports.preview(handle, by=admin_user, name="besar.csv")
        assert handle.tell() == 0

    assert "terlalu besar" in str(refused.value.message)
    nothing_written()


def test_a_zip_bomb_named_xlsx_is_refused_before_openpyxl_opens_it(
    admin_user, nothing_written, monkeypatch
):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(a))

    with pytest.raises(imports.Refused) as refused:
        imports.preview(SimpleUploadedFile("bom.xlsx", buffer.getvalue()), by=admin_user)

    assert len(buffer.getvalue()) < 200 * 1024
    assert "arsip terkompresi berbahaya" in str(refused.value.message)
    assert opened == []
    nothing_written()


def test_too_many_rows_are_refused_while_streaming(admin_user, nothing_written, settings):
    settings.ACCOUNT_IMPORT_MAX_ROWS = 5000
    rows = (f"Orang {n},orang{n}@contoh.go.id,,petugas,64.71,,,\n" for n in range(100_000))
    body = (",".join(HEADER) + "\n" + "".join(rows)).encode()
    read = []
    original = imports._csv_cells

    def counting(upload):
        for row in original(upload):
            read.append(1)
            yield row

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(imports, "_csv_cells", counting)
        settings.ACCOUNT_IMPORT_MAX_BYTES = len(body) + 1
        with pytest.raises(imports.Refused) as refused:
            imports.preview(SimpleUploadedFile("banyak.csv", body), by=admin_user)

    assert "lebih dari 5000 baris" in str(refused.value.message)
    assert len(read) == 5002  # the header and one row past the limit, not 100,000
    nothing_written()


def test_the_template_round_trips_its_own_headers(admin_user, kanwil_kaltim):
    workbook = openpyxl.load_workbook(io.BytesIO(imports.template_workbook()), read_only=True)

    header = next(workbook["Akun"].iter_rows(values_only=True))

    assert list(header) == HEADER
    assert "Petunjuk" in workbook.sheetnames


def test_usernames_are_made_unique_from_the_email(admin_user, balikpapan):
    make_user("siti", email="lain@contoh.go.id")
    rows = [
        ["Siti A", "siti@contoh.go.id", "", "petugas", "64.71", "", "", ""],
        ["Siti B", "siti@dinas.go.id", "", "petugas", "64.71", "", "", ""],
    ]

    record = imports.preview(xlsx(rows), by=admin_user)

    assert [entry["username"] for entry in record.rows] == ["siti.2", "siti.3"]


def test_a_formula_in_a_column_that_is_not_imported_is_refused_too(admin_user, nothing_written):
    header = [*HEADER, "catatan"]
    upload = xlsx([[*OFFICER, "=1+1"]], header=header)

    with pytest.raises(imports.Refused) as refused:
        imports.preview(upload, by=admin_user)

    assert "I2" in str(refused.value.message)
    nothing_written()


def test_a_numeric_region_code_keeps_its_two_decimals(admin_user, regions):
    row = ["Siti", "siti@contoh.go.id", "", "petugas", 35.1, "", "", ""]

    record = imports.preview(xlsx([row]), by=admin_user)

    assert record.rows[0]["target"]["region_code"] == "35.10"


def test_a_preview_left_uncommitted_for_a_day_is_emptied_and_committed_imports_are_kept(
    admin_user, kanwil_kaltim
):
    # given: a preview and a committed import of yesterday, and a preview of an hour ago
    yesterday = timezone.now() - datetime.timedelta(hours=25)
    with time_machine.travel(yesterday, tick=False):
        stale = imports.preview(xlsx([EVALUATOR]), by=admin_user)
        committed = imports.commit(imports.preview(xlsx([OFFICER]), by=admin_user), by=admin_user)
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=1), tick=False):
        fresh = imports.preview(xlsx([EVALUATOR]), by=admin_user)

    # when: the periodic cleanup runs
    removed = tasks.remove_expired_import_previews.apply().get()

    # then: only yesterday's uncommitted preview lost its rows (its people's names and
    # e-mails); its file's name and counts stay to say what became of it
    assert removed == 1
    stale.refresh_from_db()
    assert (stale.status, stale.rows) == (AccountImportStatus.EXPIRED, [])
    assert stale.file_name and stale.counts["create"] == 1
    assert "budi@contoh.go.id" not in str(AccountImport.objects.filter(pk=stale.pk).values().get())
    assert {r.pk: r.status for r in AccountImport.objects.exclude(pk=stale.pk)} == {
        committed.account_import.pk: AccountImportStatus.COMMITTED,
        fresh.pk: AccountImportStatus.PREVIEW,
    }
    assert fresh.rows and AccountImport.objects.get(pk=fresh.pk).rows == fresh.rows
    assert "accounts.tasks.remove_expired_import_previews" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }


def test_a_preview_past_its_day_commits_nothing_even_before_the_cleanup(admin_user, kanwil_kaltim):
    # given: a preview of 25 hours ago that the cleanup has not reached yet
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=25), tick=False):
        stale = imports.preview(xlsx([OFFICER]), by=admin_user)

    # when
    outcome = imports.commit(stale, by=admin_user)

    # then
    assert outcome.expired and not outcome.committed
    assert not User.objects.filter(email="siti@contoh.go.id").exists()
    stale.refresh_from_db()
    assert stale.status == AccountImportStatus.PREVIEW
