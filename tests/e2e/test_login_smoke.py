"""Each role logs in through the browser and lands on its own home page."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_logs_in_and_sees_its_regions_periods(login, officer_balikpapan):
    from reporting.models import ReportingCycle
    from reporting.services import generate_periods

    generate_periods(ReportingCycle.objects.create(year=2025))

    page = login(officer_balikpapan)

    expect(page).to_have_url(re.compile(r"/laporan/$"))
    expect(page.get_by_role("heading", name="Kota Balikpapan")).to_be_visible()
    expect(page.get_by_test_id("periods")).to_contain_text("Triwulan III")
    expect(page.get_by_test_id("periods")).to_contain_text(
        "Jumat, 10 Oktober 2025 pukul 23.59 WITA"
    )
    expect(page.get_by_test_id("who")).to_contain_text("Kota Balikpapan")


def test_evaluator_logs_in_and_sees_its_queue(login, evaluator_kaltim):
    page = login(evaluator_kaltim)

    expect(page.get_by_role("heading", name="Antrean verifikasi")).to_be_visible()
    expect(page.get_by_test_id("who")).to_contain_text("Kalimantan Timur")


def test_admin_logs_in_and_sees_the_national_overview(login, admin_user, kanwil_kaltim):
    page = login(admin_user)

    expect(page.get_by_role("heading", name="Ringkasan nasional")).to_be_visible()
    expect(page.get_by_test_id("overview")).to_contain_text("Kalimantan Timur")


def test_wrong_password_shows_the_message_in_the_browser(login, officer_balikpapan):
    page = login(officer_balikpapan, password="bukan-ini")

    expect(page.get_by_role("alert")).to_contain_text("Nama pengguna atau kata sandi salah")
