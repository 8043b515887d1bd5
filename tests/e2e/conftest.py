"""A real headless Chromium (Debian's package) driven by Playwright against a live server."""

import os
import shutil

import pytest

from tests.conftest import PASSWORD

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path():
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        # Fail, never skip: CI installs Debian's chromium and must run these tests.
        pytest.fail("Chromium not found: install Debian's 'chromium' package or set CHROMIUM_PATH")
    return path


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API keeps an event loop in this thread while the browser is open; the
    # ORM calls of the fixtures happen between its calls, never inside it. Module scope closes
    # that loop before other modules run code (pyHanko's signing) that starts a loop of its own.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    # Playwright gives every launch a new, empty profile of its own.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="id-ID", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def current_code(device):
    """The code the admin's authenticator app shows now (RFC 6238, as django-otp checks it)."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def sign_in(page, user, password=PASSWORD):
    """Log in through the real forms, as a person would: the password, then for a user with
    an authenticator (every admin has one here) the code from it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.two_factor import second_factor_required
    from tests.conftest import second_factor_device

    if second_factor_required(user):
        second_factor_device(user)
    page.goto("/masuk/")
    page.get_by_label("Nama pengguna").fill(user.username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()
    if "/akun/dua-langkah/" in page.url and "/daftar/" not in page.url:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        # A code is accepted once: a second login within the same 30 s may reuse it here.
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
        page.get_by_label("Kode").fill(current_code(device))
        page.get_by_role("button", name="Verifikasi").click()
        page.wait_for_load_state()
    return page


@pytest.fixture
def login(page):
    """Log in through the real form, as a person would (admins with their second factor)."""

    def as_user(user, password=PASSWORD):
        return sign_in(page, user, password)

    return as_user


def submit_confirmed(page):
    """Press "Kirim laporan", read what will happen, and confirm in the dialog."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Kirim laporan").click()
    dialog = page.get_by_test_id("confirm-submit")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("dikirim ke Kanwil untuk diverifikasi")
    dialog.get_by_role("button", name="Ya, kirim laporan").click()
