"""The invitation link: who is invited, their own password, signed in; a link that no longer
works says what to do next."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.utils import timezone

from accounts import invitations
from accounts.models import InvitationStatus, Role, User
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Sandi-Baru-Petugas-2027"


@pytest.fixture
def newcomer(balikpapan):
    user = make_user(
        "siti",
        role=Role.OFFICER,
        region=balikpapan,
        email="siti@contoh.go.id",
        first_name="Siti Aminah",
    )
    user.set_unusable_password()
    user.is_active = False
    user.save()
    return user


@pytest.fixture
def invitation(newcomer, admin_user):
    return invitations.invite(newcomer, by=admin_user)


def url_of(invitation):
    return invitations.path_of(invitation)


def email_link(invitation):
    from notifications.channels import link_of

    parts = urlsplit(link_of(invitation, "email"))
    return f"{parts.path}?{parts.query}"


def test_the_page_says_who_is_invited_and_until_when_in_their_zone(client, invitation):
    response = client.get(url_of(invitation))

    body = response.content.decode()
    assert response.status_code == 200
    assert "siti" in body and "Kota Balikpapan" in body and "Petugas pelapor Pemda" in body
    assert "WITA" in body


def test_setting_a_password_activates_signs_in_and_spends_the_link(client, invitation, newcomer):
    response = client.post(
        url_of(invitation), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 302 and response.url == "/"
    newcomer.refresh_from_db()
    assert newcomer.is_active and newcomer.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(newcomer.pk)
    used = client.get(url_of(invitation))
    assert used.status_code == 410
    assert "sudah dipakai" in used.content.decode() and "/lupa-sandi/" in used.content.decode()


def test_a_weak_password_is_refused_and_nothing_changes(client, invitation, newcomer):
    response = client.post(url_of(invitation), {"new_password1": "siti", "new_password2": "siti"})

    assert response.status_code == 200
    assert (
        "errorlist" in response.content.decode() or "invalid-feedback" in response.content.decode()
    )
    newcomer.refresh_from_db()
    assert not newcomer.is_active and not newcomer.has_usable_password()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_the_link_from_the_mail_confirms_the_email(client, invitation, newcomer):
    client.post(
        email_link(invitation), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    newcomer.refresh_from_db()
    assert newcomer.email_confirmed_at is not None


def test_a_forged_proof_confirms_nothing(client, invitation, newcomer):
    query = parse_qs(urlsplit(email_link(invitation)).query)
    forged = f"{url_of(invitation)}?melalui=email&bukti={'0' * len(query['bukti'][0])}"

    client.post(forged, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    newcomer.refresh_from_db()
    assert newcomer.is_active and newcomer.email_confirmed_at is None


def test_an_invited_admin_goes_on_to_enrol_the_second_factor(client, admin_user):
    person = make_user("admin.baru", role=Role.ADMIN, email="admin.baru@contoh.go.id")
    person.set_unusable_password()
    person.save()
    invitation = invitations.invite(person, by=admin_user)

    response = client.post(
        url_of(invitation), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response.url.startswith("/akun/dua-langkah/daftar/")


def test_an_expired_link_says_to_ask_for_a_new_invitation(client, invitation):
    later = timezone.now() + datetime.timedelta(days=invitations.VALID_DAYS, hours=1)

    with time_machine.travel(later):
        response = client.get(url_of(invitation))

    assert response.status_code == 410
    assert "kedaluwarsa" in response.content.decode()
    assert "minta undangan baru" in response.content.decode().lower()


def test_a_revoked_link_says_what_to_do(client, invitation, admin_user):
    invitations.revoke(invitation, by=admin_user)

    response = client.get(url_of(invitation))

    assert response.status_code == 410
    assert "tidak berlaku lagi" in response.content.decode()


def test_an_unknown_link_is_explained(client, invitation):
    response = client.get(url_of(invitation)[:-4] + "xxx/")

    assert response.status_code == 404
    assert "Tautan undangan tidak dikenal" in response.content.decode()


def test_a_revoked_link_cannot_set_a_password(client, invitation, admin_user, newcomer):
    invitations.revoke(invitation, by=admin_user)

    client.post(url_of(invitation), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert not User.objects.get(pk=newcomer.pk).has_usable_password()
