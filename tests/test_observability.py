"""What operators see: request ids in logs and tasks, JSON log lines, error reports to ADMINS
and Sentry, the 500 page that tells users what may have been saved, and /sehat/siap/."""

import json
import logging
import os
import subprocess
import sys
import time

import pytest
from celery import signals
from django.core import mail
from django.test import Client
from django.urls import include, path, reverse
from kombu import Connection

from ranham_portal import observability, views
from ranham_portal import urls as portal_urls
from ranham_portal.celery import WORKER_HEARTBEAT_KEY, app

# --- a URL configuration with a view that breaks ----------------------------------------------


def boom(request):
    logging.getLogger("tests.boom").info("about to fail")
    raise RuntimeError("database went away")


urlpatterns = [
    path("boom/", boom),
    path("laporan/boom/", boom),
    path("", include(portal_urls)),
]
handler500 = portal_urls.handler500


@pytest.fixture
def broken_site(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    return Client(raise_request_exception=False)


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.addFilter(observability.RequestIdFilter())
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def collected():
    handler = Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler.records
    root.removeHandler(handler)


# --- request id -------------------------------------------------------------------------------


def test_every_response_carries_a_fresh_request_id(client):
    first = client.get("/sehat/")["X-Request-ID"]
    second = client.get("/sehat/")["X-Request-ID"]

    assert len(first) == 32 and first != second


def test_the_proxys_request_id_is_kept_and_a_malformed_one_replaced(client):
    assert client.get("/sehat/", headers={"X-Request-ID": "nginx-42.a"})["X-Request-ID"] == (
        "nginx-42.a"
    )
    replaced = client.get("/sehat/", headers={"X-Request-ID": "bad id\n"})["X-Request-ID"]
    assert replaced != "bad id\n" and len(replaced) == 32


def test_log_lines_written_during_a_request_carry_its_id(broken_site, collected):
    response = broken_site.get("/boom/", headers={"X-Request-ID": "req-123"})

    assert response.status_code == 500
    by_logger = {record.name: record for record in collected}
    assert by_logger["tests.boom"].request_id == "req-123"
    assert by_logger["django.request"].request_id == "req-123"  # the error report too


def test_json_log_lines_have_time_level_logger_message_and_request_id():
    token = observability.request_id.set("req-9")
    try:
        record = logging.LogRecord(
            "piagam.tasks", logging.WARNING, __file__, 1, "%s lost", ("x",), None
        )
        record.certificate = 7
        observability.RequestIdFilter().filter(record)
        line = json.loads(observability.JsonFormatter().format(record))
    finally:
        observability.request_id.reset(token)

    assert line["level"] == "WARNING" and line["logger"] == "piagam.tasks"
    assert line["message"] == "x lost" and line["request_id"] == "req-9"
    assert line["certificate"] == 7
    assert line["time"].endswith("+00:00")


def test_production_logs_are_json_and_development_logs_readable():
    production = observability.logging_config(json_lines=True)
    development = observability.logging_config(json_lines=False)

    assert production["handlers"]["console"]["formatter"] == "json"
    assert development["handlers"]["console"]["formatter"] == "text"
    assert "%(request_id)s" in development["formatters"]["text"]["format"]


# --- the request id travels into tasks --------------------------------------------------------


@app.task(name="tests.echo_request_id")
def echo_request_id():
    return observability.current_request_id()


def test_a_task_published_during_a_request_carries_its_request_id_in_its_headers():
    published = {}

    def capture(headers=None, **kwargs):
        published.update(headers)

    signals.before_task_publish.connect(capture, weak=False)
    token = observability.request_id.set("req-77")
    try:
        with app.producer_or_acquire() as producer:
            echo_request_id.apply_async(producer=producer, queue="tests-never-consumed")
    finally:
        observability.request_id.reset(token)
        signals.before_task_publish.disconnect(capture)

    assert published["request_id"] == "req-77"


def test_a_task_runs_under_the_request_id_it_was_sent_with():
    assert echo_request_id.apply(headers={"request_id": "req-77"}).get() == "req-77"
    # a task sent by beat has no request: it gets an id of its own
    assert echo_request_id.apply().get().startswith("task-")
    assert observability.current_request_id() == ""


# --- error reports ----------------------------------------------------------------------------


def test_admins_are_read_from_the_environment():
    assert observability.parse_admins("Ops RANHAM <ops@ham.go.id>, Dina <dina@ham.go.id>") == [
        ("Ops RANHAM", "ops@ham.go.id"),
        ("Dina", "dina@ham.go.id"),
    ]
    assert observability.parse_admins("") == []


def test_a_server_error_is_mailed_to_the_admins(broken_site, settings):
    settings.ADMINS = [("Ops", "ops@ham.go.id")]

    broken_site.get("/boom/", headers={"X-Request-ID": "req-mail"})

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ops@ham.go.id"]
    assert "database went away" in mail.outbox[0].body


def sentry_active(env):
    code = (
        "import django; django.setup(); import sentry_sdk; "
        "print(sentry_sdk.get_client().is_active())"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "ranham_portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()


def test_sentry_is_started_only_when_a_dsn_is_set():
    assert sentry_active({"SENTRY_DSN": "https://key@127.0.0.1:9/1"}) == "True"
    assert sentry_active({"SENTRY_DSN": ""}) == "False"


# --- the 500 page -----------------------------------------------------------------------------


def test_a_failed_submit_says_it_may_be_saved_and_where_to_check_without_the_database(
    broken_site,
):
    # No django_db mark: the page must render with the database unreachable.
    response = broken_site.post(
        "/laporan/boom/",
        headers={"X-Request-ID": "req-500", "Referer": "http://testserver/laporan/17/"},
    )

    page = response.content.decode()
    assert response.status_code == 500
    assert (
        "Tindakan Anda mungkin sudah tersimpan; periksa halaman laporan Anda sebelum mengulang"
        in page
    )
    assert 'href="http://testserver/laporan/17/"' in page
    assert "req-500" in page
    assert "Server Error" not in page


def test_a_failed_page_view_says_nothing_was_changed(broken_site):
    response = broken_site.get("/boom/")

    page = response.content.decode()
    assert response.status_code == 500
    assert "Tidak ada data yang diubah" in page
    assert "mungkin sudah tersimpan" not in page


def test_the_500_page_speaks_english_when_chosen(broken_site):
    broken_site.cookies["django_language"] = "en"

    page = broken_site.post("/laporan/boom/").content.decode()

    assert (
        "Your action may already have been saved; check the reports page before repeating it."
        in page
    )


def test_a_referer_from_another_site_is_not_offered_as_the_place_to_check(broken_site):
    page = broken_site.post(
        "/laporan/boom/", headers={"Referer": "https://evil.example/phish"}
    ).content.decode()

    assert "evil.example" not in page
    assert f'href="{reverse("reporting:officer-home")}"' in page


# --- readiness --------------------------------------------------------------------------------


@pytest.fixture
def live_worker():
    from django.core.cache import cache

    cache.set(WORKER_HEARTBEAT_KEY, time.time())
    yield
    cache.delete(WORKER_HEARTBEAT_KEY)


@pytest.mark.django_db
def test_ready_when_database_cache_broker_and_a_worker_answer(client, live_worker):
    response = client.get(reverse("readiness"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "worker"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_not_ready_when_no_worker_answered_in_the_last_minute(client):
    from django.core.cache import cache

    cache.set(WORKER_HEARTBEAT_KEY, time.time() - 90)

    response = client.get(reverse("readiness"))

    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_not_ready_when_the_broker_is_down(client, live_worker, monkeypatch):
    # a broker address where nothing listens (CELERY_BROKER_URL in the environment wins
    # over the app's configuration, so the connection itself is replaced)
    monkeypatch.setattr(app, "connection_for_write", lambda: Connection("redis://127.0.0.1:1/0"))

    response = client.get(reverse("readiness"))

    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["ok"] is False and "NameError" not in broker["error"]
    assert response.json()["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_a_hanging_check_is_cut_off_at_its_timeout(client, live_worker, monkeypatch, settings):
    settings.HEALTH_CHECK_TIMEOUT = 0.3
    monkeypatch.setitem(views.READINESS_CHECKS, "cache", lambda: time.sleep(3))

    started = time.monotonic()
    response = client.get(reverse("readiness"))

    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {"ok": False, "error": "timeout"}
