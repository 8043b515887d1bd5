"""An evaluator reviews, returns and verifies in a real browser; the score explains itself."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reporting.models import ReportStatus
from reporting.requirements import report_requirements
from reporting.services import submit_report
from tests.support import build_period, submitted_report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_evaluator_returns_then_verifies_and_the_score_adds_up(
    page, login, evaluator_kaltim, officer_balikpapan, balikpapan, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # A period of today: the evaluator's decisions carry today's time.
    today = timezone.localdate()
    period = build_period(
        [balikpapan],
        year=today.year + 5,
        actions=2,
        items_per_action=1,
        due_on=today + datetime.timedelta(days=5),
    )
    report = submitted_report(
        balikpapan, period, officer_balikpapan, at=timezone.now() - datetime.timedelta(hours=1)
    )
    first, second = [r for b in report_requirements(balikpapan, period) for r in b.requirements]

    login(evaluator_kaltim)
    page.goto(f"/evaluasi/antrean/?siklus={period.cycle.year}")
    queue = page.get_by_test_id("queue")
    expect(queue).to_contain_text("Kota Balikpapan")
    queue.get_by_role("link", name="Periksa").click()

    # Preview the evidence inline, reject the first item with a reason, accept the rest.
    item = page.get_by_test_id(f"item-{first.pk}")
    item.get_by_text("Pratinjau").click()
    expect(item.locator("iframe")).to_be_visible()
    item.get_by_text("Tolak").click()
    item.get_by_label("Alasan penolakan").select_option(label="Tanpa tanda tangan atau kop surat")
    item.get_by_label("Catatan untuk daerah").fill("SK belum ditandatangani kepala daerah.")
    page.get_by_role("button", name="Terima semua yang belum diputuskan").click()
    page.get_by_label("Catatan umum untuk daerah").fill("Mohon perbaiki satu dokumen.")
    page.get_by_role("button", name="Kembalikan untuk perbaikan").click()
    dialog = page.get_by_test_id("confirm-return")
    expect(dialog).to_contain_text("Laporan dikembalikan ke")
    dialog.get_by_role("button", name="Ya, kembalikan").click()
    expect(
        page.get_by_role("alert").filter(has_text="dikembalikan untuk perbaikan")
    ).to_be_visible()
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert report.revision_requests.get().items.get().requirement == first

    # The region answers the same day (set up here, as the officer would).
    submit_report(report, by=officer_balikpapan, now=timezone.now())

    page.goto(f"/evaluasi/laporan/{report.pk}/reviu/")
    expect(page.get_by_test_id(f"item-{first.pk}")).to_contain_text("putaran 1: Ditolak")
    page.get_by_role("button", name="Terima semua yang belum diputuskan").click()
    page.get_by_role("button", name="Verifikasi", exact=True).click()
    dialog = page.get_by_test_id("confirm-verify")
    expect(dialog).to_contain_text("dikunci sebagai terverifikasi")
    dialog.get_by_role("button", name="Ya, verifikasi").click()
    expect(page.get_by_role("alert").filter(has_text="diverifikasi")).to_be_visible()
    report.refresh_from_db()
    assert report.status == ReportStatus.VERIFIED

    # The score page: one item after revision (0.5 of 2 -> C = 75), on time, answered at once.
    page.goto(f"/evaluasi/nilai/{balikpapan.pk}/{period.pk}/")
    expect(page.get_by_test_id("criterion-C")).to_have_text("75,00")
    expect(page.get_by_test_id("criterion-T")).to_have_text("100,00")
    expect(page.get_by_test_id("criterion-R")).to_have_text("100,00")
    expect(page.get_by_test_id("final")).to_have_text("87,50")
    expect(page.get_by_test_id("arithmetic")).to_contain_text(
        "0,50 × 75,00 + 0,25 × 100,00 + 0,25 × 100,00 = 87,50"
    )
    expect(page.get_by_test_id("completeness")).to_contain_text("C = 100 × 1,50 / 2 = 75,00")
    assert second.pk != first.pk
