"""Straight to gunicorn: forwarded headers believed only from declared proxies, gunicorn never
published, bodies bounded before Django reads them."""

import re
from pathlib import Path

import pytest
import yaml
from axes.models import AccessAttempt
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.network import client_address, forwarded_headers_from_proxies_only

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/masuk/"


def seen(**meta):
    request = RequestFactory().get("/", **meta)
    found = {}

    def view(request):
        found["address"] = client_address(request)
        found["secure"] = request.is_secure()
        return HttpResponse()

    forwarded_headers_from_proxies_only(view)(request)
    return found


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["172.18.0.0/16"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def test_a_client_straight_at_gunicorn_cannot_choose_its_address(behind_one_proxy):
    found = seen(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert found["address"] == "203.0.113.7"


def test_a_client_straight_at_gunicorn_cannot_claim_https(behind_one_proxy):
    found = seen(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_PROTO="https")

    assert found["secure"] is False


def test_the_declared_proxy_is_believed(behind_one_proxy):
    found = seen(
        REMOTE_ADDR="172.18.0.4",
        HTTP_X_FORWARDED_FOR="10.1.1.1, 198.51.100.1",
        HTTP_X_FORWARDED_PROTO="https",
    )

    assert found == {"address": "198.51.100.1", "secure": True}


def test_with_a_count_alone_only_a_private_peer_is_a_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = []

    assert seen(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4")["address"] == (
        "203.0.113.7"
    )
    assert seen(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4")["address"] == "1.2.3.4"


@pytest.mark.django_db
def test_a_guesser_straight_at_gunicorn_cannot_spread_its_guesses_over_claimed_addresses(
    client, officer_balikpapan, behind_one_proxy, settings
):
    # given: a client that reaches gunicorn itself and claims a new address each time
    for n in range(12):
        client.post(
            LOGIN,
            {"username": "petugas.bpn", "password": "salah"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )

    # then: every guess counted against its real address
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


@pytest.mark.django_db
def test_the_login_page_does_not_read_a_sixty_megabyte_body(client):
    # The body is declared, never sent: reading it would fail the test client's payload.
    response = client.generic(
        "POST",
        LOGIN,
        b"username=a&password=b",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(60 * 1024 * 1024),
    )

    assert response.status_code == 413
    assert "Kiriman terlalu besar" in response.content.decode()


def test_the_form_fields_of_a_request_are_bounded(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 4 * 1024 * 1024


# --- the image, compose and gunicorn ---------------------------------------------------------


def test_the_image_does_not_publish_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert not re.search(r"^EXPOSE\b", dockerfile, re.MULTILINE)


def test_gunicorn_binds_to_the_loopback_unless_told_otherwise_and_sets_no_scheme(monkeypatch):
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    config = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), config)

    assert config["bind"].startswith("127.0.0.1:")
    assert config["secure_scheme_headers"] == {}


def test_compose_publishes_only_the_proxy():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]

    published = {name for name, service in services.items() if service.get("ports")}

    # The default stack publishes its proxy alone; the "scale" profile its own proxy and the
    # object store, whose presigned URLs browsers fetch directly. gunicorn never.
    assert {n for n in published if not services[n].get("profiles")} == {"proxy"}
    assert {n for n in published if services[n].get("profiles")} == {"proxy-scale", "objects"}


def test_the_deploy_check_fails_without_the_forwarded_header_guard(settings):
    from django.core.checks import run_checks

    settings.MIDDLEWARE = [
        m
        for m in settings.MIDDLEWARE
        if m != "accounts.network.forwarded_headers_from_proxies_only"
    ]

    ids = {m.id for m in run_checks(include_deployment_checks=True)}

    assert "accounts.E002" in ids
