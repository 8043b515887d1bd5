"""A second factor cannot be planted: enrolment needs a whole session, and every enrolment
gets a secret of its own."""

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from tests.accounts.test_two_factor import code, confirmed_device, password_login

pytestmark = pytest.mark.django_db

SETUP = "/akun/dua-langkah/daftar/"
QR = "/akun/dua-langkah/qr.svg"


def shown_key(response):
    found = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', response.content.decode())
    return found.group(1).replace(" ", "")


@pytest.fixture
def password_only(admin_user):
    """The attacker's session: the admin's password, not the phone."""
    confirmed_device(admin_user)
    client = Client()
    password_login(client, admin_user)
    return client


def test_a_password_only_session_cannot_fetch_the_enrolment_qr_code(password_only, admin_user):
    response = password_only.get(QR)

    assert response.status_code in (302, 403, 404)
    assert not TOTPDevice.objects.filter(user=admin_user, confirmed=False).exists()


def test_a_password_only_session_cannot_open_the_enrolment_page(password_only, admin_user):
    response = password_only.get(SETUP)

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=admin_user, confirmed=False).exists()


def test_a_device_left_pending_by_someone_else_is_never_shown_to_the_admin(client_for, admin_user):
    # given a pending authenticator someone made for the admin (the attacker knows its key)
    planted = TOTPDevice.objects.create(user=admin_user, name="Tanam", confirmed=False)

    # when the real admin, verified, replaces the authenticator
    client = client_for(admin_user)
    page = client.get(SETUP)
    qr = client.get(QR)

    # then the page shows a fresh key and the QR code another secret
    assert page.status_code == 200
    assert shown_key(page) != two_factor.manual_key(planted).replace(" ", "")
    assert planted.key.encode() not in qr.content
    assert not TOTPDevice.objects.filter(pk=planted.pk).exists()


def test_every_new_enrolment_gets_a_new_secret(client_for, admin_user):
    client = client_for(admin_user)
    first = shown_key(client.get(SETUP))
    second = shown_key(client.get(SETUP))

    assert first != second
    assert TOTPDevice.objects.filter(user=admin_user, confirmed=False).count() == 1


def test_the_enrolment_confirms_the_device_this_session_was_shown(client_for, admin_user):
    client = client_for(admin_user)
    client.get(SETUP)
    shown = TOTPDevice.objects.get(user=admin_user, confirmed=False)

    response = client.post(SETUP, {"code": code(shown)})

    assert response.status_code == 200
    shown.refresh_from_db()
    assert shown.confirmed


def test_an_invitation_session_may_enrol_before_any_verification(client, admin_user):
    # given a session opened by the invitation link (accounts.two_factor.allow_enrolment)
    confirmed_device(admin_user)
    password_login(client, admin_user)
    session = client.session
    session[two_factor.ENROLMENT_ALLOWED_SESSION_KEY] = True
    session.save()

    assert client.get(SETUP).status_code == 200
    assert client.get(QR).status_code == 200
