"""Login throttling: five failures lock a user name from one address for a while (django-axes);
a user name failing from many addresses is slowed (accounts.lockout)."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from tests.conftest import PASSWORD

LOGIN = "/masuk/"
ADMIN_LOGIN = "/admin/login/"
LOCKED = "Terlalu banyak percobaan masuk yang gagal"


def fail(client, username, times, *, url=LOGIN, address="10.0.0.7"):
    for _ in range(times):
        client.post(url, {"username": username, "password": "tebakan-salah"}, REMOTE_ADDR=address)


def log_in(client, username, *, url=LOGIN, address="10.0.0.7"):
    return client.post(url, {"username": username, "password": PASSWORD}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_the_right_password_is_refused_after_five_wrong_ones(client, officer_balikpapan):
    # given: five wrong passwords for the officer
    fail(client, "petugas.bpn", 5)

    # when: the right one comes
    response = log_in(client, "petugas.bpn")

    # then: refused on the login page, in Indonesian, and nobody is logged in
    body = response.content.decode()
    assert response.status_code == 429
    assert LOCKED in body
    assert "dikunci selama 15 menit" in body
    assert "Masuk ke Portal Aksi HAM" in body
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_four_wrong_passwords_still_let_the_right_one_in(client, officer_balikpapan):
    # given
    fail(client, "petugas.bpn", 4)

    # when
    response = log_in(client, "petugas.bpn")

    # then: logged in, and the failures are forgotten
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer_balikpapan.pk)
    assert not AccessAttempt.objects.filter(username="petugas.bpn").exists()


@pytest.mark.django_db
def test_the_lock_ends_after_the_cool_off(client, officer_balikpapan):
    # given: a locked user name
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, "petugas.bpn", 5)
        assert log_in(client, "petugas.bpn").status_code == 429

    # when: sixteen minutes later
    with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
        response = log_in(client, "petugas.bpn")

    # then
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer_balikpapan.pk)


@pytest.mark.django_db
def test_a_user_name_guessed_from_many_addresses_is_slowed_for_everyone(client, officer_balikpapan):
    # given: five guesses from five addresses
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for number in range(5):
            fail(client, "petugas.bpn", 1, address=f"10.0.1.{number}")

        # when: the officer tries from the office at once
        response = log_in(client, "petugas.bpn", address="10.9.9.9")

    # then: asked to wait a little, not locked out for the cool-off
    assert response.status_code == 429
    assert "baru diperiksa setelah 30 detik" in response.content.decode()
    with time_machine.travel(start + datetime.timedelta(seconds=31), tick=False):
        assert log_in(client, "petugas.bpn", address="10.9.9.9").status_code == 302


@pytest.mark.django_db
def test_an_address_that_guesses_many_names_does_not_lock_another_name(
    client, officer_balikpapan, officer_samarinda
):
    # given: one address tries five different user names
    for name in ["a", "b", "c", "d", "e"]:
        fail(client, name, 1, address="10.0.2.2")

    # then: the officers still get in, from there and from elsewhere
    assert log_in(client, "petugas.smd", address="10.0.2.2").status_code == 302
    assert log_in(client, "petugas.bpn", address="10.0.3.3").status_code == 302


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_visitor_counts_for_itself(
    client, officer_balikpapan, settings
):
    # given: one proxy in front; a visitor guesses five names
    settings.TRUSTED_PROXY_COUNT = 1
    for name in ["a", "b", "c", "d", "e"]:
        client.post(
            LOGIN,
            {"username": name, "password": "x"},
            REMOTE_ADDR="172.16.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.5",
        )

    # when: another visitor comes through the same proxy
    response = client.post(
        LOGIN,
        {"username": "petugas.bpn", "password": PASSWORD},
        REMOTE_ADDR="172.16.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )

    # then: only the guessing visitor is locked
    assert response.status_code == 302
    assert AccessAttempt.objects.filter(ip_address="203.0.113.5").count() == 5


@pytest.mark.django_db
def test_the_django_admin_login_is_locked_too(client, admin_user):
    # given
    fail(client, "admin.pusat", 5, url=ADMIN_LOGIN)

    # when
    response = log_in(client, "admin.pusat", url=ADMIN_LOGIN)

    # then
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_lockout_message_follows_the_chosen_language(client, officer_balikpapan):
    # given: an English-speaking visitor who guessed five times
    client.post(reverse("set_language"), {"language": "en", "next": LOGIN})
    fail(client, "petugas.bpn", 5)

    # when
    response = log_in(client, "petugas.bpn")

    # then
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.django_db
def test_an_admin_unlocks_a_user_name_in_the_django_admin(
    client, client_for, officer_balikpapan, admin_user
):
    # given: a locked officer
    fail(client, "petugas.bpn", 5)
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    client.logout()

    # when: the admin deletes the attempts in the admin's list of access attempts
    admin = client_for(admin_user)
    response = admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    admin.logout()

    # then: the officer logs in
    assert response.status_code == 302
    assert log_in(client, "petugas.bpn").status_code == 302


@pytest.mark.django_db
def test_an_admin_unlocks_a_user_with_the_user_list_action(
    client, client_for, officer_balikpapan, admin_user
):
    # given: a locked officer
    fail(client, "petugas.bpn", 5, address="10.0.4.4")
    assert log_in(client, "petugas.bpn", address="10.0.4.4").status_code == 429

    # when
    admin = client_for(admin_user)
    admin.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_login", "_selected_action": [officer_balikpapan.pk]},
    )
    admin.logout()

    # then: the officer logs in, and the audit trail names the admin and the cleared attempts
    assert log_in(client, "petugas.bpn", address="10.0.4.4").status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_UNLOCKED)
    assert event.actor == admin_user
    assert event.object_id == str(officer_balikpapan.pk)
    assert event.details == {"cleared": 1}


@pytest.mark.django_db
def test_an_ipv6_network_is_locked_as_one_address(client, officer_balikpapan):
    # given: guesses from five addresses of one /64
    for number in range(5):
        fail(client, "petugas.bpn", 1, address=f"2001:db8:1:2::{number + 1}")

    # when: another address of the same /64, and one of another after the short wait
    same = log_in(client, "petugas.bpn", address="2001:db8:1:2::99")
    later = timezone.now() + datetime.timedelta(seconds=31)
    with time_machine.travel(later, tick=False):
        other = log_in(client, "petugas.bpn", address="2001:db8:1:3::1")

    # then
    assert same.status_code == 429
    assert LOCKED in same.content.decode()
    assert other.status_code == 302
