"""Readiness for the operator only, failure reasons without the server's secrets, GETs that
write nothing, and a proxy that keeps the port."""

import threading
from pathlib import Path

import pytest
from django.urls import reverse

from notifications.models import Profile
from piagam import views as piagam_views
from ranham_portal import views

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_database(monkeypatch):
    def refuse():
        raise OSError("could not connect to server db.internal:5432 (10.0.0.9)")

    monkeypatch.setitem(views.READINESS_CHECKS, "database", refuse)
    for name in ("cache", "broker", "worker"):
        monkeypatch.setitem(views.READINESS_CHECKS, name, lambda: None)


def test_readiness_is_not_found_for_an_anonymous_visitor_and_starts_no_thread(
    client, failing_database, monkeypatch
):
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self))

    response = client.get(reverse("readiness"), REMOTE_ADDR="203.0.113.5")

    assert response.status_code == 404
    assert started == []


def test_readiness_answers_an_internal_address(client, failing_database):
    response = client.get(reverse("readiness"), REMOTE_ADDR="10.0.0.3")

    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is True


def test_readiness_answers_whoever_sends_the_token(client, failing_database, settings):
    settings.HEALTH_CHECK_TOKEN = "token-operator-uji-123"

    wrong = client.get(reverse("readiness"), REMOTE_ADDR="203.0.113.5", HTTP_X_HEALTH_TOKEN="x")
    right = client.get(
        reverse("readiness"),
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_HEALTH_TOKEN="token-operator-uji-123",
    )

    assert wrong.status_code == 404
    assert right.status_code == 503


def test_readiness_never_shows_the_exception_text(client, failing_database):
    response = client.get(reverse("readiness"), REMOTE_ADDR="127.0.0.1")

    body = response.content.decode()
    assert "db.internal" not in body and "5432" not in body and "10.0.0.9" not in body
    assert response.json()["checks"]["database"]["ok"] is False


def test_a_failed_certificates_reason_hides_the_servers_path_and_the_token():
    class Failed:
        token = "Zq9tokenrahasia8x"
        error = (
            "FileNotFoundError: [Errno 2] No such file or directory: "
            "'/var/lib/ranham/media/piagam/tmp/Zq9tokenrahasia8x.pdf'"
        )

    shown = piagam_views.shown_error(Failed())

    assert "/var/lib" not in shown
    assert "Zq9tokenrahasia8x" not in shown
    assert "FileNotFoundError" in shown


def test_the_batch_page_shows_admins_the_cleaned_reason(client_for, admin_user, monkeypatch):
    class Row:
        token = "abc123token"
        error = "OSError: /srv/app/piagam/abc123token.pdf"
        status = "failed"
        categories = []
        revoked_at = None

    monkeypatch.setattr(piagam_views, "category_labels", lambda categories: "")
    [row] = piagam_views._certificate_rows([Row()])

    assert row["error"] == "OSError: …/….pdf"


@pytest.mark.parametrize("path", ["/notifikasi/", "/notifikasi/pilihan/", "/notifikasi/kalender/"])
def test_a_get_of_the_notice_pages_writes_no_profile(client_for, officer_balikpapan, path):
    response = client_for(officer_balikpapan).get(path)

    assert response.status_code == 200
    assert not Profile.objects.filter(user=officer_balikpapan).exists()


def test_the_proxy_keeps_the_port_of_the_host():
    template = (ROOT / "deploy" / "nginx" / "ranham.conf.template").read_text()

    assert "proxy_set_header Host $http_host;" in template
    assert "proxy_set_header Host $host;" not in template
