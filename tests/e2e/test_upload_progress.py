"""Evidence is stored in the draft as soon as it is chosen, with a progress bar per file, so
that a failed submit or save (an incomplete report, an expired session) never asks for the
files again."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfWriter

from reporting.models import (
    Action,
    ActionMeasure,
    Assignment,
    Evidence,
    EvidenceRequirement,
    Period,
    Report,
    ReportingCycle,
    ReportStatus,
    TargetGroup,
)
from tests.e2e.conftest import submit_confirmed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_period(balikpapan):
    """A period open today with two actions of one evidence item each, for Balikpapan."""
    today = timezone.localdate()
    cycle = ReportingCycle.objects.create(year=today.year + 5, name="RANHAM uji")
    period = Period.objects.create(
        cycle=cycle,
        order=1,
        code="TW1",
        name="Triwulan I",
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today - datetime.timedelta(days=5),
        opens_on=today - datetime.timedelta(days=5),
        due_on=today + datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=30),
    )
    for number, (group, item) in enumerate(
        [(TargetGroup.PEREMPUAN, "Notulen rapat"), (TargetGroup.ANAK, "Daftar penerima")],
        start=1,
    ):
        action = Action.objects.create(
            cycle=cycle,
            number=number,
            title=f"Aksi uji {number}",
            target_group=group,
            success_criterion="Tercapai.",
        )
        measure = ActionMeasure.objects.create(action=action, period=period, measure="Ukuran")
        EvidenceRequirement.objects.create(measure=measure, order=1, name=item)
        Assignment.objects.create(action=action, region=balikpapan)
    return period


@pytest.fixture
def pdf_file(tmp_path):
    def make(name, pages=1):
        writer = PdfWriter()
        for _page in range(pages):
            writer.add_blank_page(width=595, height=842)
        writer.add_metadata({"/Title": name})
        path = tmp_path / name
        with open(path, "wb") as handle:
            writer.write(handle)
        return path

    return make


def section(page, number):
    return page.get_by_test_id(f"action-{number}")


def stored_rows(page, number):
    return section(page, number).locator("[data-evidence-list] li")


def test_files_chosen_once_survive_a_failed_save_and_a_lost_session(
    page, login, officer_balikpapan, open_period, pdf_file, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    login(officer_balikpapan)
    page.goto(f"/laporan/periode/{open_period.pk}/")

    # The officer picks two files at once for the first action's item: each is uploaded at
    # once with its own progress bar, and listed as stored in the draft.
    first = section(page, 1)
    first.locator("input[type=file]").set_input_files(
        [pdf_file("notulen-1.pdf"), pdf_file("notulen-2.pdf", pages=40)]
    )
    rows = stored_rows(page, 1)
    expect(rows).to_have_count(2)
    for name in ("notulen-1.pdf", "notulen-2.pdf"):
        row = rows.filter(has_text=name)
        expect(row).to_contain_text("tersimpan di draf")
        expect(row.locator("progress")).to_have_attribute("value", "100")
        expect(row.get_by_role("link", name=name)).to_be_visible()
    # The picker is empty again: the form will not send them a second time.
    assert first.locator("input[type=file]").evaluate("input => input.files.length") == 0
    assert Evidence.objects.filter(report__region=officer_balikpapan.region).count() == 2

    # A submit that fails (the second action is still empty) ...
    first.get_by_label("Capaian").fill("UPTD PPA menangani 42 pengaduan.")
    first.get_by_label("Status kemajuan").select_option(label="Sedang berjalan")
    submit_confirmed(page)
    expect(page.get_by_test_id("missing")).to_contain_text("Aksi 2")
    # ... does not ask for the files again: they are in the draft, listed under their item.
    expect(page.get_by_text("perlu dipilih ulang")).to_have_count(0)
    expect(stored_rows(page, 1)).to_have_count(2)
    expect(section(page, 1)).to_contain_text("notulen-1.pdf")
    expect(section(page, 1)).to_contain_text("notulen-2.pdf")
    expect(page.get_by_test_id("missing")).not_to_contain_text("Aksi 1")

    # The second action's file, then the session ends before the save.
    section(page, 2).locator("input[type=file]").set_input_files(pdf_file("penerima.pdf"))
    expect(stored_rows(page, 2).filter(has_text="penerima.pdf")).to_contain_text(
        "tersimpan di draf"
    )
    section(page, 1).get_by_label("Capaian").fill("UPTD PPA menangani 43 pengaduan.")
    section(page, 2).get_by_label("Capaian").fill("1.250 akta kelahiran anak terbit.")
    section(page, 2).get_by_label("Status kemajuan").select_option(label="Tercapai")
    page.context.clear_cookies()
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.get_by_label("Nama pengguna")).to_be_visible()

    # After logging in again the form is back with every file, none picked again.
    page.get_by_label("Nama pengguna").fill(officer_balikpapan.username)
    page.get_by_label("Kata sandi").fill("Rahasia-Uji-2025")
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()
    if not page.url.endswith(f"/laporan/periode/{open_period.pk}/"):
        page.goto(f"/laporan/periode/{open_period.pk}/")
    expect(stored_rows(page, 1)).to_have_count(2)
    expect(section(page, 2)).to_contain_text("penerima.pdf")

    # One file replaced in one step ("Ganti").
    old = stored_rows(page, 1).filter(has_text="notulen-1.pdf")
    with page.expect_file_chooser() as chooser:
        old.get_by_role("button", name="Ganti berkas notulen-1.pdf").click()
    chooser.value.set_files(pdf_file("notulen-1-ttd.pdf"))
    expect(stored_rows(page, 1).filter(has_text="notulen-1-ttd.pdf")).to_contain_text(
        "tersimpan di draf"
    )
    expect(stored_rows(page, 1).filter(has_text="notulen-1.pdf")).to_have_count(0)

    # The text typed before the session ended is still there (kept by the browser); submit.
    expect(section(page, 1).get_by_label("Capaian")).to_have_value(
        "UPTD PPA menangani 43 pengaduan."
    )
    section(page, 1).get_by_label("Status kemajuan").select_option(label="Sedang berjalan")
    section(page, 2).get_by_label("Status kemajuan").select_option(label="Tercapai")
    submit_confirmed(page)
    expect(page.get_by_role("alert").filter(has_text="Laporan terkirim")).to_be_visible()

    # Every file was stored exactly once; the replaced one stays on record, off the report.
    report = Report.objects.get(region=officer_balikpapan.region, period=open_period)
    assert report.status == ReportStatus.SUBMITTED
    current = report.evidence.filter(removed_at__isnull=True)
    assert sorted(current.values_list("original_name", flat=True)) == [
        "notulen-1-ttd.pdf",
        "notulen-2.pdf",
        "penerima.pdf",
    ]
    assert report.evidence.get(original_name="notulen-1.pdf").removed_at is not None
