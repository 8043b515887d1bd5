"""The whole reporting job of a regional officer, in a real browser."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfWriter

from reporting.models import (
    Action,
    ActionMeasure,
    Assignment,
    EvidenceRequirement,
    Period,
    RejectionReason,
    Report,
    ReportingCycle,
    ReportStatus,
    TargetGroup,
)
from reporting.services import return_report
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
    for number, (group, title, item) in enumerate(
        [
            (
                TargetGroup.PEREMPUAN,
                "Layanan pengaduan perempuan korban kekerasan",
                "SK Tim Pelaksana",
            ),
            (TargetGroup.ANAK, "Percepatan akta kelahiran anak", "Daftar penerima manfaat"),
        ],
        start=1,
    ):
        action = Action.objects.create(
            cycle=cycle,
            number=number,
            title=title,
            target_group=group,
            success_criterion="Tercapai.",
        )
        measure = ActionMeasure.objects.create(
            action=action, period=period, measure=f"Ukuran periode untuk aksi {number}"
        )
        EvidenceRequirement.objects.create(measure=measure, order=1, name=item)
        Assignment.objects.create(action=action, region=balikpapan)
    return period


@pytest.fixture
def pdf_file(tmp_path):
    def make(name):
        writer = PdfWriter()
        writer.add_blank_page(width=595, height=842)
        path = tmp_path / name
        with open(path, "wb") as handle:
            writer.write(handle)
        return path

    return make


def section(page, number):
    return page.get_by_test_id(f"action-{number}")


def test_officer_fills_saves_submits_fixes_and_resubmits(
    page, login, officer_balikpapan, evaluator_kaltim, open_period, pdf_file, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    login(officer_balikpapan)

    # The home page shows the open period with its local deadline and what is missing.
    row = page.get_by_test_id("period-TW1")
    expect(row).to_contain_text("WITA")
    expect(row).to_contain_text("2 dari 2 data dukung belum diunggah")
    row.get_by_role("link", name="Isi laporan").click()

    # Fill the first action and save a draft.
    first = section(page, 1)
    first.get_by_label("Capaian").fill("UPTD PPA menangani 42 pengaduan sesuai standar.")
    first.get_by_label("Status kemajuan").select_option(label="Sedang berjalan")
    first.locator("input[type=file]").set_input_files(pdf_file("sk-tim.pdf"))
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.get_by_role("alert").filter(has_text="Draf tersimpan")).to_be_visible()
    expect(section(page, 1).get_by_label("Capaian")).to_have_value(
        "UPTD PPA menangani 42 pengaduan sesuai standar."
    )
    expect(section(page, 1)).to_contain_text("sk-tim.pdf")

    # Submitting too early names exactly what is missing.
    submit_confirmed(page)
    missing = page.get_by_test_id("missing")
    expect(missing).to_contain_text(
        "Aksi 2: status “Belum dimulai”: tuliskan alasannya di kolom capaian."
    )
    expect(missing).to_contain_text("Aksi 2: data dukung “Daftar penerima manfaat” belum diunggah.")

    # Complete the second action and submit.
    second = section(page, 2)
    second.get_by_label("Capaian").fill("1.250 akta kelahiran anak terbit.")
    second.get_by_label("Status kemajuan").select_option(label="Tercapai")
    second.locator("input[type=file]").set_input_files(pdf_file("penerima.pdf"))
    submit_confirmed(page)
    expect(page.get_by_role("alert").filter(has_text="Laporan terkirim")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Terkirim")
    report = Report.objects.get(region=officer_balikpapan.region, period=open_period)
    assert report.status == ReportStatus.SUBMITTED
    first_submitted_at = report.first_submitted_at
    assert first_submitted_at is not None

    # The Kanwil returns it with a note on the first item.
    requirement = EvidenceRequirement.objects.get(name="SK Tim Pelaksana")
    return_report(
        report,
        by=evaluator_kaltim,
        note="Mohon lengkapi tanda tangan.",
        items=[(requirement, RejectionReason.UNSIGNED, "SK belum ditandatangani")],
    )

    # The officer sees the note on the item, replaces the file, edits and resubmits.
    page.goto("/laporan/")
    page.get_by_test_id("period-TW1").get_by_role("link", name="Perbaiki laporan").click()
    expect(page.get_by_test_id("revision-request")).to_contain_text("Mohon lengkapi tanda tangan.")
    item = page.get_by_test_id(f"item-{requirement.pk}")
    expect(item.get_by_test_id("rejection")).to_contain_text("SK belum ditandatangani")
    item.get_by_label("lepas").check()
    item.locator("input[type=file]").set_input_files(pdf_file("sk-tim-bertanda-tangan.pdf"))
    section(page, 1).get_by_label("Capaian").fill(
        "UPTD PPA menangani 42 pengaduan sesuai standar; SK sudah ditandatangani."
    )
    submit_confirmed(page)
    expect(page.get_by_role("alert").filter(has_text="Laporan terkirim")).to_be_visible()

    # Both rounds stay visible, and the first submission time did not move.
    expect(page.get_by_test_id("versions")).to_contain_text("Putaran 1")
    expect(page.get_by_test_id("versions")).to_contain_text("Putaran 2")
    expect(page.get_by_test_id("timeline")).to_contain_text("Dikembalikan untuk perbaikan")
    expect(page.get_by_test_id("timeline")).to_contain_text("Dikirim ulang setelah perbaikan")
    expect(page.get_by_test_id("action-1")).to_contain_text("sk-tim-bertanda-tangan.pdf")
    expect(page.get_by_test_id("action-1")).not_to_contain_text(re.compile(r"sk-tim\.pdf"))
    report.refresh_from_db()
    assert report.first_submitted_at == first_submitted_at
    assert report.versions.count() == 2
    page.get_by_role("link", name="Putaran 1").click()
    expect(page.locator("main")).to_contain_text("sk-tim.pdf")
    expect(page.locator("main")).not_to_contain_text("SK sudah ditandatangani")


def test_text_typed_before_the_session_expired_is_back_after_logging_in(
    page, login, officer_balikpapan, open_period
):
    login(officer_balikpapan)
    page.goto(f"/laporan/periode/{open_period.pk}/")
    section(page, 1).get_by_label("Capaian").fill("Capaian yang diketik lama sekali.")
    page.wait_for_timeout(600)  # the page keeps a local copy after a short pause in typing

    # The session ends (timeout or logout elsewhere) before the officer presses Save.
    page.context.clear_cookies()
    page.get_by_role("button", name="Simpan draf").click()
    expect(page).to_have_url(re.compile(r"/masuk/\?next="))
    page.get_by_label("Nama pengguna").fill(officer_balikpapan.username)
    page.get_by_label("Kata sandi").fill("Rahasia-Uji-2025")
    page.get_by_role("button", name="Masuk").click()

    # Back on the draft, with the words restored and a notice saying so.
    expect(page).to_have_url(re.compile(rf"/laporan/periode/{open_period.pk}/$"))
    expect(section(page, 1).get_by_label("Capaian")).to_have_value(
        "Capaian yang diketik lama sekali."
    )
    expect(page.locator("#draft-restored")).to_be_visible()
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.get_by_role("alert").filter(has_text="Draf tersimpan")).to_be_visible()
    report = Report.objects.get(region=officer_balikpapan.region, period=open_period)
    assert report.entries.get(action__number=1).narrative == "Capaian yang diketik lama sekali."


def test_a_double_click_on_submit_sends_once(
    page, login, officer_balikpapan, open_period, pdf_file, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    login(officer_balikpapan)
    page.goto(f"/laporan/periode/{open_period.pk}/")
    for number, text in ((1, "Capaian satu."), (2, "Capaian dua.")):
        section(page, number).get_by_label("Capaian").fill(text)
        section(page, number).get_by_label("Status kemajuan").select_option(label="Tercapai")
        section(page, number).locator("input[type=file]").set_input_files(
            pdf_file(f"bukti-{number}.pdf")
        )

    page.get_by_role("button", name="Kirim laporan").click()
    page.get_by_test_id("confirm-submit").get_by_role("button", name="Ya, kirim laporan").dblclick()

    expect(page.get_by_test_id("status")).to_have_text("Terkirim")
    report = Report.objects.get(region=officer_balikpapan.region, period=open_period)
    assert report.versions.count() == 1
    assert report.events.filter(kind="submitted").count() == 1
