"""Refused and missing pages answer in the portal's look and language, with a way home."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def in_english(client):
    client.cookies["django_language"] = "en"
    return client


def test_a_refused_officer_sees_the_portals_403_page_in_indonesian(client_for, officer_balikpapan):
    # when
    response = client_for(officer_balikpapan).get(reverse("evaluation:overview"))

    # then
    assert response.status_code == 403
    page = response.content.decode()
    assert "Akses ditolak" in page
    assert "Forbidden" not in page
    assert f'href="{reverse("home")}"' in page
    assert 'id="isi"' in page  # the portal's own layout, with its navigation
    assert "Keluar" in page


def test_a_refused_officer_reads_it_in_english_when_english_is_chosen(
    client_for, officer_balikpapan
):
    client = in_english(client_for(officer_balikpapan))

    response = client.get(reverse("evaluation:overview"))

    assert response.status_code == 403
    page = response.content.decode()
    assert "Access denied" in page
    assert "Back to the home page" in page


@pytest.mark.parametrize(
    ("language", "heading", "home"),
    [
        ("id", "Halaman tidak ditemukan", "Kembali ke beranda"),
        ("en", "Page not found", "Back to the home page"),
    ],
)
def test_a_missing_page_answers_404_in_the_portals_look(client, language, heading, home):
    client.cookies["django_language"] = language

    response = client.get("/tidak-ada-di-sini/")

    assert response.status_code == 404
    page = response.content.decode()
    assert heading in page
    assert home in page
    assert f'<html lang="{language}">' in page


def test_an_object_out_of_scope_gets_the_same_portal_404(client_for, officer_balikpapan):
    response = client_for(officer_balikpapan).get(reverse("reporting:report-detail", args=[999999]))

    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_a_bad_request_answers_400_in_the_portals_look(client):
    # A Host header that is not allowed is refused by Django with a 400 before any view runs.
    response = client.get("/masuk/", HTTP_HOST="penyerang.example")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Permintaan tidak dapat diproses" in page
    assert "Kembali ke beranda" in page


def test_a_form_without_its_csrf_token_gets_the_portals_page(officer_balikpapan):
    # given: a browser that enforces CSRF, as a real one does
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_balikpapan)

    # when: the logout form is posted without the token (a stale or forged page)
    response = client.post(reverse("accounts:logout"))

    # then
    assert response.status_code == 403
    page = response.content.decode()
    assert "Formulir kedaluwarsa" in page
    assert "Kembali ke beranda" in page
    assert "CSRF verification failed" not in page
