"""An outage of PostgreSQL or Redis leaves the rest standing: a killed database connection is
replaced at the next request, and without Redis the pages and logins still answer."""

import os
import shutil
import signal
import socket
import subprocess
import time

import psycopg2
import pytest
from django.db import close_old_connections, connection
from django.urls import reverse

from ranham_portal import caching
from ranham_portal.caching import PortalRedisCache
from tests.conftest import PASSWORD


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- PostgreSQL: a connection the server dropped ----------------------------------------------


def backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def terminate_from_another_connection(pid):
    s = connection.settings_dict
    other = psycopg2.connect(
        dbname=s["NAME"],
        user=s["USER"],
        password=s["PASSWORD"],
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
    )
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone()[0] is True
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_dropped_is_replaced_at_the_next_request(client):
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL (DATABASE_URL=postgres://...)")
    # given a web process that keeps its connection between requests, as in production
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    assert client.get(reverse("piagam:lookup")).status_code == 200
    kept = backend_pid()

    # when the server ends that connection (a restart ends them all) between two requests
    terminate_from_another_connection(kept)
    # (the test client leaves out the handler's start-of-request bookkeeping: do it here)
    close_old_connections()
    response = client.get(reverse("piagam:lookup"))

    # then the next request answers on a new connection
    assert response.status_code == 200
    assert backend_pid() != kept


# --- Redis away ---------------------------------------------------------------------------------


@pytest.fixture
def redis_away(settings, monkeypatch):
    """The shared cache and the sessions on a Redis where nothing listens."""
    settings.CACHES = {
        "default": {
            "BACKEND": "ranham_portal.caching.PortalRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    monkeypatch.setattr(caching, "RETRY_SECONDS", 0.0)  # every call meets the closed port


@pytest.mark.django_db
def test_without_redis_an_officer_logs_in_and_the_pages_answer(
    client, redis_away, officer_balikpapan
):
    # when an officer logs in while Redis is away
    response = client.post(
        reverse("accounts:login"), {"username": officer_balikpapan.username, "password": PASSWORD}
    )

    # then the login works, and the pages answer with the session cookie it set
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer_balikpapan.pk)
    assert client.get(reverse("reporting:officer-home")).status_code == 200
    assert client.get(reverse("piagam:lookup")).status_code == 200


@pytest.mark.django_db
def test_without_redis_the_public_piagam_check_answers_a_visitor_with_a_session(
    client, redis_away, officer_balikpapan
):
    # given a visitor whose browser carries a session cookie from an earlier visit
    client.force_login(officer_balikpapan)
    assert client.cookies["sessionid"].value

    # when the visitor opens the public piagam check and asks for a number
    page = client.get(reverse("piagam:lookup"))
    lookup = client.get(reverse("piagam:lookup"), {"nomor": "001/PIAGAM-RANHAM/PUSAT/2025"})

    # then both answer, not 500
    assert page.status_code == 200
    assert lookup.status_code in (200, 404)


# --- Redis restarted: what was dropped while it was away -----------------------------------------


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own (append-only, every write synced), to kill and start."""
    port = free_port()
    command = [
        shutil.which("redis-server") or "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(tmp_path),
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--save",
        "",
    ]

    class Server:
        url = f"redis://127.0.0.1:{port}/0"
        process = None

        def start(self):
            self.process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    return
                except OSError:
                    time.sleep(0.05)
            raise RuntimeError("redis-server did not start")

        def kill(self):
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    server = Server()
    server.start()
    yield server
    if server.process.poll() is None:
        server.kill()


def test_an_invalidation_lost_while_redis_was_away_empties_the_cache_when_it_is_back(
    own_redis, monkeypatch
):
    monkeypatch.setattr(caching, "RETRY_SECONDS", 0.0)
    cache = PortalRedisCache(own_redis.url, {"OPTIONS": {"socket_connect_timeout": 0.5}})
    # given an entry stored under version 1 of its number
    cache.set("version", 1, 60)
    cache.set("entry", (1, "old rows"), 60)

    # when Redis is killed, a write moves the number meanwhile, and Redis comes back with
    # what it had (version 1 and the entry)
    own_redis.kill()
    assert cache.get("entry") is None  # away: an empty cache, no error
    assert cache.add("other", 1, 60) is False
    with pytest.raises(ValueError):
        cache.incr("version")  # the number cannot move: as if it were missing
    own_redis.start()

    # then the old entry is never served again: the cache was emptied
    assert cache.get("entry") is None
    assert cache.get("version") is None
    cache.set("entry", (2, "new rows"), 60)
    assert cache.get("entry") == (2, "new rows")
