import pytest
from django.urls import reverse

from accounts.models import User
from ranham_portal.views import home_url_name

LANDING = {
    "officer_balikpapan": "reporting:officer-home",
    "officer_samarinda": "reporting:officer-home",
    "evaluator_kaltim": "evaluation:queue",
    "evaluator_other": "evaluation:queue",
    # An admin owes the second factor first (tests/accounts/test_two_factor.py goes on).
    "admin_user": "accounts:two-factor-setup",
}


@pytest.mark.django_db
def test_login_page_speaks_indonesian(client):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Masuk ke Portal Aksi HAM" in body
    assert "Kata sandi" in body
    assert 'lang="id"' in body


@pytest.mark.django_db
def test_wrong_password_gets_a_clear_indonesian_message(client, officer_balikpapan):
    response = client.post(
        reverse("accounts:login"), {"username": "petugas.bpn", "password": "salah"}
    )

    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("cast_member", list(LANDING), indirect=True)
def test_each_role_lands_on_its_own_home_page(client, cast_member, request):
    name = request.node.callspec.params["cast_member"]

    response = client.post(
        reverse("accounts:login"),
        {"username": cast_member.username, "password": "Rahasia-Uji-2025"},
        follow=True,
    )

    assert response.status_code == 200
    assert response.redirect_chain[-1][0].split("?")[0] == reverse(LANDING[name])
    assert cast_member.get_full_name() in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cast_member", "shown"),
    [
        ("officer_balikpapan", "Kota Balikpapan"),
        ("evaluator_kaltim", "Kantor Wilayah Kementerian HAM Kalimantan Timur"),
        ("admin_user", "Kementerian HAM (pusat)"),
    ],
    indirect=["cast_member"],
)
def test_navbar_shows_who_is_logged_in_and_where(client_for, cast_member, shown):
    response = client_for(cast_member).get(reverse(home_url_name(cast_member)))

    assert shown in response.content.decode()


@pytest.mark.django_db
def test_anonymous_home_goes_to_login(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_user_without_a_role_is_told_to_ask_the_admin(client):
    user = User.objects.create_user("tanpa.peran", password="Rahasia-Uji-2025")
    client.force_login(user)

    response = client.get(reverse("home"), follow=True)

    assert "Hubungi admin Kementerian" in response.content.decode()


@pytest.mark.django_db
def test_logout_is_a_post_and_ends_the_session(client_for, officer_balikpapan):
    client = client_for(officer_balikpapan)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_language_switcher_turns_the_interface_to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/masuk/"})

    response = client.get(reverse("accounts:login"))

    assert 'lang="en"' in response.content.decode()
    assert "Password" in response.content.decode()
