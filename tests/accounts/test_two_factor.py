"""The second factor: required for admins (portal and Django admin), offered to evaluators."""

import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditAction, AuditEvent
from tests.conftest import PASSWORD

SETUP = "/akun/dua-langkah/daftar/"
VERIFY = "/akun/dua-langkah/"
OVERVIEW = "/evaluasi/nasional/"
QUEUE = "/evaluasi/antrean/"


def code(device, *, later=0):
    """What the user's app shows ``later`` steps of 30 s from now (a code is accepted once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + later * device.step
    return f"{totp.token():06d}"


def password_login(client, user):
    return client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})


def confirmed_device(user):
    return TOTPDevice.objects.create(user=user, name="Ponsel", confirmed=True)


def enrol(client, user):
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SETUP, {"code": code(device)})
    device.refresh_from_db()
    return response, device


@pytest.mark.django_db
@pytest.mark.parametrize("page", [OVERVIEW, "/admin/", "/admin/accounts/user/", "/akun/"])
def test_an_admin_without_an_authenticator_is_sent_to_enrolment(client, admin_user, page):
    # given: an admin who entered the right password
    password_login(client, admin_user)

    # when
    response = client.get(page)

    # then: enrolment first, coming back to the page afterwards
    assert response.status_code == 302
    assert response.url.startswith(SETUP)
    assert "next=" in response.url


@pytest.mark.django_db
def test_the_enrolment_page_shows_a_qr_code_and_the_key(client, admin_user):
    # given
    password_login(client, admin_user)

    # when
    page = client.get(SETUP)
    qr = client.get(reverse("accounts:two-factor-qr"))

    # then: the key on the page is the pending device's, and the QR code is an SVG of it
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    shown = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page.content.decode())[1]
    assert shown.replace(" ", "") in device.config_url
    assert "wajib memakai verifikasi dua langkah" in page.content.decode()
    assert qr["Content-Type"] == "image/svg+xml"
    assert b'xmlns="http://www.w3.org/2000/svg"' in qr.content


@pytest.mark.django_db
def test_enrolment_with_one_code_shows_ten_recovery_codes_and_opens_the_portal(client, admin_user):
    # given
    password_login(client, admin_user)

    # when
    response, device = enrol(client, admin_user)

    # then: the device is active, ten codes are shown once, and the admin pages open
    body = response.content.decode()
    codes = StaticDevice.objects.get(user=admin_user).token_set.values_list("token", flat=True)
    assert device.confirmed
    assert len(codes) == 10
    assert all(token in body for token in codes)
    assert "tidak akan ditampilkan lagi" in body
    assert client.get(OVERVIEW).status_code == 200
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.TWO_FACTOR_ENROLLED, actor=admin_user
    ).exists()


@pytest.mark.django_db
def test_a_wrong_code_does_not_enrol(client, admin_user):
    # given
    password_login(client, admin_user)
    client.get(SETUP)

    # when
    response = client.post(SETUP, {"code": "000000"})

    # then
    assert "Kode tidak cocok" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()
    assert client.get(OVERVIEW).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("url", [reverse("accounts:login"), "/admin/login/"])
def test_an_admin_with_an_authenticator_must_give_its_code(client, admin_user, url):
    # given: an enrolled admin who entered the right password on either login page
    device = confirmed_device(admin_user)
    client.post(url, {"username": admin_user.username, "password": PASSWORD, "next": "/admin/"})

    # when: the admin pages are asked for, then the code is given
    blocked = [client.get(page) for page in (OVERVIEW, "/admin/")]
    verified = client.post(VERIFY + "?next=/admin/", {"code": code(device)})

    # then
    assert all(r.status_code == 302 and r.url.startswith(VERIFY) for r in blocked)
    assert verified.status_code == 302
    assert verified.url == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_wrong_code_is_refused(client, admin_user):
    # given
    device = confirmed_device(admin_user)
    password_login(client, admin_user)

    # when
    response = client.post(VERIFY, {"code": "123456" if code(device) != "123456" else "654321"})

    # then
    assert response.status_code == 200
    assert "Kode salah atau sudah dipakai" in response.content.decode()
    assert client.get(OVERVIEW).status_code == 302


@pytest.mark.django_db
def test_a_recovery_code_works_once(client, admin_user):
    # given: an enrolled admin with recovery codes
    password_login(client, admin_user)
    enrol(client, admin_user)
    recovery = StaticDevice.objects.get(user=admin_user).token_set.first().token
    client.post(reverse("accounts:logout"))

    # when: it is used to log in, and again on the next login
    password_login(client, admin_user)
    first = client.post(VERIFY, {"code": recovery.upper()})
    client.post(reverse("accounts:logout"))
    password_login(client, admin_user)
    second = client.post(VERIFY, {"code": recovery})

    # then
    assert first.status_code == 302
    assert "Kode salah atau sudah dipakai" in second.content.decode()
    assert StaticDevice.objects.get(user=admin_user).token_set.count() == 9
    assert AuditEvent.objects.filter(action=AuditAction.RECOVERY_CODE_USED).count() == 1


@pytest.mark.django_db
def test_a_removed_authenticator_ends_the_verified_session(client_for, admin_user):
    # given: a verified admin session
    client = client_for(admin_user)
    assert client.get("/admin/").status_code == 200

    # when: the admin's authenticator is removed (a lost phone)
    TOTPDevice.objects.filter(user=admin_user).delete()

    # then: the pages ask for enrolment again
    response = client.get("/admin/")
    follow = client.get(response.url)
    assert response.status_code == 302
    assert follow.status_code == 302
    assert follow.url.startswith(SETUP)


@pytest.mark.django_db
def test_an_evaluator_without_an_authenticator_is_not_asked_for_one(client, evaluator_kaltim):
    # when
    response = client.post(
        reverse("accounts:login"),
        {"username": evaluator_kaltim.username, "password": PASSWORD},
        follow=True,
    )

    # then
    assert response.redirect_chain[-1][0] == QUEUE
    assert "Belum aktif" in client.get("/akun/").content.decode()


@pytest.mark.django_db
def test_an_evaluator_who_enrols_is_asked_for_the_code_at_the_next_login(client, evaluator_kaltim):
    # given: an evaluator enrols from the account page
    password_login(client, evaluator_kaltim)
    _, device = enrol(client, evaluator_kaltim)
    client.post(reverse("accounts:logout"))

    # when: logging in again
    password_login(client, evaluator_kaltim)
    blocked = client.get(QUEUE)
    verified = client.post(VERIFY, {"code": code(device, later=1)})

    # then
    assert blocked.status_code == 302
    assert blocked.url.startswith(VERIFY)
    assert verified.status_code == 302
    assert client.get(QUEUE).status_code == 200


@pytest.mark.django_db
def test_an_officer_is_not_offered_a_second_factor(client_for, officer_balikpapan):
    # when
    client = client_for(officer_balikpapan)
    response = client.get(SETUP)

    # then
    assert response.status_code == 302
    assert response.url == reverse("accounts:security")
    assert not TOTPDevice.objects.filter(user=officer_balikpapan).exists()
    assert "Verifikasi dua langkah" not in client.get("/akun/").content.decode()


@pytest.mark.django_db
def test_the_code_page_never_sends_to_another_site(client, admin_user):
    # given
    device = confirmed_device(admin_user)
    password_login(client, admin_user)

    # when
    response = client.post(VERIFY + "?next=https://evil.example/", {"code": code(device)})

    # then
    assert response.status_code == 302
    assert response.url == "/"


@pytest.mark.django_db
def test_an_admin_removes_a_lost_authenticator_with_an_audit_event(
    client_for, admin_user, evaluator_kaltim
):
    # given: an evaluator with an authenticator and recovery codes
    confirmed_device(evaluator_kaltim)
    StaticDevice.objects.create(user=evaluator_kaltim, name="Kode pemulihan")

    # when
    client_for(admin_user).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "remove_second_factor", "_selected_action": [evaluator_kaltim.pk]},
    )

    # then
    assert not TOTPDevice.objects.filter(user=evaluator_kaltim).exists()
    assert not StaticDevice.objects.filter(user=evaluator_kaltim).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.TWO_FACTOR_REMOVED, actor=admin_user
    ).exists()
