"""Password reset by e-mail and password change, with Django's views in the portal's look."""

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.urls import reverse

from accounts.models import User
from outbox import tasks
from outbox.models import Entry
from tests.conftest import PASSWORD

NEW_PASSWORD = "Sandi-Baru-Yang-Kuat-2026"


def run_outbox():
    """The worker's part: the request only recorded what to send."""
    for pk in Entry.objects.values_list("pk", flat=True):
        tasks.run_entry(pk)


def reset_link(message):
    return re.search(r"https?://[^/\s]+(/lupa-sandi/\S+/)", message.body)[1]


@pytest.fixture
def officer_with_email(officer_balikpapan):
    officer_balikpapan.email = "petugas@balikpapan.go.id"
    officer_balikpapan.save(update_fields=["email"])
    return officer_balikpapan


@pytest.mark.django_db
def test_the_login_page_links_to_the_password_reset(client):
    response = client.get(reverse("accounts:login"))

    assert reverse("accounts:password-reset") in response.content.decode()
    assert "Lupa kata sandi?" in response.content.decode()


@pytest.mark.django_db
def test_a_reset_request_sends_an_indonesian_email_with_a_one_time_link(client, officer_with_email):
    # when
    response = client.post(
        reverse("accounts:password-reset"), {"email": "petugas@balikpapan.go.id"}
    )
    run_outbox()

    # then
    assert response.status_code == 302
    assert response.url == reverse("accounts:password-reset-done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["petugas@balikpapan.go.id"]
    assert message.subject == "Buat kata sandi baru untuk Portal Aksi HAM"
    assert "Yth. Petugas Balikpapan" in message.body
    assert "Nama pengguna Anda: petugas.bpn" in message.body
    assert "/lupa-sandi/" in message.body


@pytest.mark.django_db
def test_the_email_is_in_english_for_a_user_who_chose_english(client, officer_with_email):
    # given
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    # when
    client.post(reverse("accounts:password-reset"), {"email": "petugas@balikpapan.go.id"})
    run_outbox()

    # then
    message = mail.outbox[0]
    assert message.subject == "Set a new password for the Aksi HAM Portal"
    assert "Your user name: petugas.bpn" in message.body


@pytest.mark.django_db
def test_an_unknown_address_gets_the_same_answer_and_no_email(client, officer_with_email):
    response = client.post(reverse("accounts:password-reset"), {"email": "orang@lain.id"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password-reset-done")
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_link_sets_a_new_password_once(client, officer_with_email):
    # given: the link from the e-mail
    client.post(reverse("accounts:password-reset"), {"email": "petugas@balikpapan.go.id"})
    run_outbox()
    link = reset_link(mail.outbox[0])

    # when: it is opened and a new password chosen
    form_page = client.get(link, follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    again = client.get(link, follow=True)

    # then: the new password works, the old one not, and the link is spent
    officer_with_email.refresh_from_db()
    assert "Buat kata sandi baru" in form_page.content.decode()
    assert done.url == reverse("accounts:password-reset-complete")
    assert officer_with_email.check_password(NEW_PASSWORD)
    assert not officer_with_email.check_password(PASSWORD)
    assert "Tautan ini tidak berlaku lagi" in again.content.decode()


@pytest.mark.django_db
def test_a_signed_in_user_changes_the_password(client_for, officer_balikpapan):
    # given
    client = client_for(officer_balikpapan)

    # when
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    # then: changed, and the session goes on
    officer_balikpapan.refresh_from_db()
    assert response.url == reverse("accounts:password-change-done")
    assert officer_balikpapan.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:security")).status_code == 200


@pytest.mark.django_db
def test_the_password_change_page_needs_a_login(client):
    response = client.get(reverse("accounts:password-change"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_an_old_pbkdf2_hash_is_upgraded_to_argon2_at_login(client, officer_balikpapan):
    # given: a password stored before Argon2
    User.objects.filter(pk=officer_balikpapan.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )

    # when
    response = client.post(
        reverse("accounts:login"), {"username": "petugas.bpn", "password": PASSWORD}
    )

    # then: logged in, and the hash is now Argon2 with the portal's parameters
    officer_balikpapan.refresh_from_db()
    assert response.status_code == 302
    assert officer_balikpapan.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert officer_balikpapan.check_password(PASSWORD)
