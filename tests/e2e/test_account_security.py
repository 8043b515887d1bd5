"""Account security in a real browser: the lockout message and an admin's second factor."""

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def type_password(page, username, password):
    page.goto("/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()


def code_from_key(manual_key, *, later=0):
    """What an authenticator app shows for the key typed in by hand (RFC 6238).

    A code read in the last seconds of its 30-second step reaches the portal in the next one,
    where django-otp accepts it as the phone's clock running behind and shifts the device's
    window back a step (its drift): the app's next code would then be refused. As a person
    would, wait for a fresh code instead."""
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.2)
    key = manual_key.replace(" ", "")
    totp = TOTP(b32decode(key + "=" * (-len(key) % 8)))
    totp.time = time.time() + later * 30
    return f"{totp.token():06d}"


def test_repeated_wrong_passwords_lock_the_login_with_a_message(page, officer_balikpapan):
    # given: five wrong passwords typed into the form
    for _ in range(5):
        type_password(page, officer_balikpapan.username, "bukan-ini")

    # when: the right one
    type_password(page, officer_balikpapan.username, PASSWORD)

    # then: the login page says why, and nobody is logged in
    expect(page.get_by_test_id("lockout")).to_contain_text("Terlalu banyak percobaan masuk")
    expect(page.get_by_test_id("lockout")).to_contain_text("15 menit")
    expect(page).to_have_url(re.compile(r"/masuk/"))
    expect(page.get_by_test_id("who")).to_have_count(0)


def test_an_admin_enrols_an_authenticator_and_logs_in_with_it(page, admin_user, kanwil_kaltim):
    # given: an admin without an authenticator logs in with the password
    type_password(page, admin_user.username, PASSWORD)

    # then: enrolment comes first, with a QR code that loads and the key in writing
    expect(page).to_have_url(re.compile(r"/akun/dua-langkah/daftar/"))
    qr = page.get_by_role("img", name="Kode QR untuk aplikasi autentikator")
    expect(qr).to_be_visible()
    qr.evaluate("img => img.decode()")
    assert qr.evaluate("img => img.naturalWidth") > 0
    manual_key = page.get_by_test_id("totp-secret").inner_text()

    # when: the admin types the app's code
    page.get_by_label("Kode").fill(code_from_key(manual_key))
    page.get_by_role("button", name="Aktifkan").click()

    # then: ten recovery codes, once; then the portal opens
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="Saya sudah menyimpannya, lanjutkan").click()
    expect(page.get_by_role("heading", name="Ringkasan nasional")).to_be_visible()

    # when: the admin logs out and in again
    page.get_by_role("button", name="Keluar").click()
    type_password(page, admin_user.username, PASSWORD)

    # then: the code is asked for, a wrong one refused, the app's next one let in
    expect(page).to_have_url(re.compile(r"/akun/dua-langkah/\?next="))
    page.get_by_label("Kode").fill("000000")
    page.get_by_role("button", name="Verifikasi").click()
    expect(page.get_by_text("Kode salah atau sudah dipakai")).to_be_visible()
    page.wait_for_timeout(1500)  # django-otp waits a second after a wrong code
    page.get_by_label("Kode").fill(code_from_key(manual_key, later=1))
    page.get_by_role("button", name="Verifikasi").click()
    expect(page.get_by_role("heading", name="Ringkasan nasional")).to_be_visible()
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/$"))
