"""The deployment as written: docker-compose.yml read as `docker compose config` would check
it, and the commands its services run, started here directly (no Docker engine needed)."""

import http.server
import ipaddress
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.test import RequestFactory

from accounts.network import client_address

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET_NAMES = re.compile(r"(PASSWORD|SECRET|PASSPHRASE|DSN|TOKEN|KEY)", re.IGNORECASE)
REFERENCE = re.compile(r"^\$\{[A-Z0-9_]+(:?[-?][^}]*)?\}$")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def environment(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def test_every_service_has_a_health_check(services):
    assert set(services) >= {"migrate", "web", "worker", "beat", "db", "redis", "proxy"}
    missing = [name for name, service in services.items() if not service.get("healthcheck")]
    assert missing == []
    for name, service in services.items():
        test = service["healthcheck"]["test"]
        assert test and test[0] in ("CMD", "CMD-SHELL"), name


def test_no_secret_is_written_into_the_compose_file(services):
    for name, service in services.items():
        for key, value in environment(service).items():
            if SECRET_NAMES.search(key) and value not in (None, ""):
                assert REFERENCE.match(str(value)), f"{name}: {key} is a literal"
    text = (ROOT / "docker-compose.yml").read_text()
    # A URL with a password must take it from the environment as well.
    for user, password in re.findall(r"://([^:/@\s]+):([^@\s]+)@", text):
        assert password.startswith("${"), f"literal password for {user}"


def test_the_env_file_is_never_committed_but_its_example_is():
    ignored = (ROOT / ".gitignore").read_text().split()
    assert ".env" in ignored
    example = (ROOT / ".env.example").read_text()
    assert re.search(r"^SECRET_KEY=$", example, re.MULTILINE)
    assert re.search(r"^POSTGRES_PASSWORD=$", example, re.MULTILINE)


@pytest.mark.parametrize("name", ["web", "uploads"])
def test_the_web_services_exec_gunicorn_with_its_config_file(services, name):
    command = services[name]["command"]
    if isinstance(command, str):  # shell form must hand PID 1 to gunicorn
        assert command.strip().startswith("exec gunicorn -c gunicorn.conf.py")
    else:
        assert command[:3] == ["gunicorn", "-c", "gunicorn.conf.py"]
    for name in ("web", "uploads", "worker", "beat"):
        rendered = " ".join(services[name]["command"])
        assert "migrate" not in rendered and "sh -c" not in rendered, name


def test_web_worker_and_beat_wait_for_migrate_to_complete(services):
    assert services["migrate"]["restart"] == "no"
    assert "migrate" in " ".join(services["migrate"]["command"])
    for name in ("web", "uploads", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"


def test_redis_keeps_its_queue_in_an_append_only_file(services):
    command = services["redis"]["command"]
    command = command if isinstance(command, str) else " ".join(command)
    assert re.search(r"--appendonly\s+yes", command)
    assert any(volume.endswith(":/data") for volume in services["redis"]["volumes"])


def test_the_proxy_stands_in_front_with_body_limits_and_timeouts(services):
    proxy = services["proxy"]
    assert "web" not in {port.split(":")[-1] for port in services["web"].get("ports", [])}
    assert proxy["ports"] and not services["web"].get("ports")
    config = (ROOT / "deploy/nginx/ranham.conf.template").read_text()
    size = re.search(r"client_max_body_size (\d+)m;", config)
    assert size and int(size.group(1)) * 1024 * 1024 > 10 * 1024 * 1024  # above one file
    read = int(re.search(r"proxy_read_timeout (\d+)s;", config).group(1))
    gunicorn_timeout = int(
        re.search(r'GUNICORN_TIMEOUT", (\d+)', (ROOT / "gunicorn.conf.py").read_text()).group(1)
    )
    assert read > gunicorn_timeout
    assert "proxy_request_buffering on" in config
    assert "X-Request-ID $request_id" in config


def test_the_proxy_knows_both_pools_and_waits_for_them(services):
    proxy = services["proxy"]
    env = environment(proxy)
    assert env["RANHAM_UPSTREAM"] == "web:8000"
    assert env["RANHAM_UPLOAD_UPSTREAM"] == "uploads:8000"
    for name in ("web", "uploads"):
        assert proxy["depends_on"][name] == {"condition": "service_healthy"}
        assert environment(services[name])["GUNICORN_BIND"] == "0.0.0.0:8000"


def listed(value):
    """A comma-separated setting as the settings read it (``envlist``)."""
    return [item.strip() for item in str(value or "").split(",") if item.strip()]


@pytest.mark.parametrize(
    "name, proxy", [("web", "proxy"), ("uploads", "proxy"), ("web-node", "proxy-scale")]
)
def test_the_web_services_believe_forwarded_headers_from_their_proxy_alone(
    compose, services, name, proxy, settings
):
    # given: the web service's proxy settings and its proxy's place on the compose network
    env = environment(services[name])
    address = services[proxy]["networks"]["edge"]["ipv4_address"]
    [pool] = compose["networks"]["edge"]["ipam"]["config"]

    # then: the portal and gunicorn trust the proxy's own address, not every one
    assert listed(env["TRUSTED_PROXIES"]) == [address]
    assert listed(env["FORWARDED_ALLOW_IPS"]) == [address]
    assert "edge" in services[name]["networks"] and list(services[proxy]["networks"]) == ["edge"]
    # ...an address in the network that Docker never hands to another container
    ip = ipaddress.ip_address(address)
    assert ip in ipaddress.ip_network(pool["subnet"])
    assert ip not in ipaddress.ip_network(pool["ip_range"])

    # when: the portal reads a request from the proxy and one from another container
    settings.TRUSTED_PROXIES = listed(env["TRUSTED_PROXIES"])
    settings.TRUSTED_PROXY_COUNT = int(env["TRUSTED_PROXY_COUNT"])
    other = str(next(ipaddress.ip_network(pool["ip_range"]).hosts()))
    factory = RequestFactory()
    through_proxy = factory.get("/", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR="198.51.100.1")
    from_container = factory.get("/", REMOTE_ADDR=other, HTTP_X_FORWARDED_FOR="198.51.100.1")

    # then: only the proxy's forwarded address is believed
    assert client_address(through_proxy) == "198.51.100.1"
    assert client_address(from_container) == other


class Named(http.server.BaseHTTPRequestHandler):
    """An upstream that answers every request with its server's name."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = self.server.name.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


def named_upstream(name):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Named)
    server.name = name
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_the_proxy_sends_the_officers_saves_and_uploads_to_their_own_workers(tmp_path):
    # The real nginx (Debian's nginx-light) with deploy/nginx/ranham.conf.template rendered
    # as the nginx image does, in front of two upstreams that say who answered.
    sys.path.insert(0, str(ROOT / "bench"))
    from server import nginx_binary, start_nginx

    assert nginx_binary(), "nginx is needed: apt-get install nginx-light (.ci/run installs it)"
    web, uploads = named_upstream("web"), named_upstream("uploads")
    port = free_port()
    process = start_nginx(
        web.server_port, port, tmp_path / "nginx", upload_port=uploads.server_port
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/nginx-health", process)

        def answered(method, path):
            data = b"x=1" if method == "POST" else None
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", data=data, method=method
            )
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.read().decode()

        assert answered("POST", "/laporan/periode/12/") == "uploads"
        assert answered("POST", "/laporan/periode/12/data-dukung/34/") == "uploads"
        assert answered("GET", "/laporan/periode/12/") == "web"
        assert answered("GET", "/laporan/") == "web"
        assert answered("POST", "/laporan/perpanjangan/minta/") == "web"
        assert answered("POST", "/evaluasi/laporan/5/reviu/") == "web"
        assert answered("GET", "/sehat/") == "web"
    finally:
        process.terminate()
        process.wait(timeout=10)
        web.shutdown()
        uploads.shutdown()


def test_the_image_runs_as_an_unprivileged_user_and_leaves_local_data_out():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.MULTILINE)) >= 2
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".venv", ".git", "var/", "**/*.sqlite3", "node_modules/", ".env", "keys/"):
        assert entry in ignored, entry
    assert any("__pycache__" in entry for entry in ignored)
    assert any("media" in entry for entry in ignored)


# --- the services' commands, run directly ----------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def service_env(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL")
    }
    env.update(VAR_DIR=str(tmp_path / "var"), PYTHONPATH=str(ROOT), DEBUG="1")
    return env


def wait_for_http(url, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("gunicorn exited early")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def test_gunicorn_starts_with_its_config_answers_and_stops_gracefully(service_env, tmp_path):
    port = free_port()
    env = {**service_env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "ranham_portal.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        response = wait_for_http(f"http://127.0.0.1:{port}/sehat/", process)
        assert response.status == 200 and response.headers["X-Request-ID"]
        healthcheck = subprocess.run(
            [sys.executable, "deploy/healthcheck.py", "web"], cwd=ROOT, env=env, timeout=30
        )
        assert healthcheck.returncode == 0
    finally:
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=40)
    output = log.read_text()
    assert returncode == 0, output
    assert re.search(r'"GET /sehat/ HTTP/1.1" 200 .* request_id=[0-9a-f]{32}', output), output
    assert "Shutting down: Master" in output


def test_celery_reads_the_app_and_the_worker_health_command_parses(service_env):
    report = subprocess.run(
        [str(BIN / "celery"), "-A", "ranham_portal", "report"],
        cwd=ROOT,
        env=service_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert report.returncode == 0, report.stderr
    assert "ranham_portal" in report.stdout
    ping = subprocess.run(
        [str(BIN / "celery"), "-A", "ranham_portal", "inspect", "ping", "--help"],
        cwd=ROOT,
        env=service_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ping.returncode == 0 and "--destination" in ping.stdout and "--timeout" in ping.stdout


def test_beat_starts_with_the_compose_command_line_and_schedules_the_sweep(service_env, tmp_path):
    pidfile = tmp_path / "celerybeat.pid"
    log = tmp_path / "beat.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "ranham_portal",
                "beat",
                "--loglevel=DEBUG",
                "--schedule",
                str(tmp_path / "celerybeat-schedule"),
                "--pidfile",
                str(pidfile),
            ],
            cwd=ROOT,
            env=service_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "Sending due task" not in log.read_text():
            assert process.poll() is None, log.read_text()
            time.sleep(0.3)
        assert pidfile.exists()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    output = log.read_text()
    assert "beat: Starting" in output
    assert "Sending due task" in output


# --- outages: workers per queue, restarted, matching backup tools --------------------------


def worker_services(services):
    return {
        name: service
        for name, service in services.items()
        if service.get("command")
        and service["command"][:4] == ["celery", "-A", "ranham_portal", "worker"]
    }


def queues_of(command):
    found = [part.split("=", 1)[1] for part in command if part.startswith("--queues=")]
    return found[0].split(",") if found else []


def test_each_queue_has_workers_of_its_own_so_a_hanging_gateway_never_holds_a_piagam(services):
    from django.conf import settings

    # the default stack (the "scale" profile's one worker on the bucket takes every queue)
    workers = {
        name: service
        for name, service in worker_services(services).items()
        if not service.get("profiles")
    }
    consumed = {name: queues_of(service["command"]) for name, service in workers.items()}
    # every queue the portal routes to is consumed, by exactly one of the workers
    assert sorted(q for queues in consumed.values() for q in queues) == sorted(
        settings.WORKER_QUEUES
    )
    assert set(settings.WORKER_QUEUES) == {"celery", "notices", "pdf"}
    notices = next(name for name, queues in consumed.items() if "notices" in queues)
    assert "pdf" not in consumed[notices]
    # the development worker and the tests' worker take all of them
    procfile = (ROOT / "Procfile.dev").read_text()
    assert "--queues=celery,notices,pdf" in procfile
    conftest = (ROOT / "tests" / "conftest.py").read_text()
    assert '",".join(settings.WORKER_QUEUES)' in conftest


def test_workers_survive_a_lost_broker_or_are_started_again(services):
    # Restarting gossip after a lost Redis connection ended the worker for good
    # (celery/kombu#582): none of the workers runs gossip, mingle or event heartbeats.
    lines = {name: service["command"] for name, service in worker_services(services).items()}
    lines["Procfile.dev"] = (ROOT / "Procfile.dev").read_text().split()
    crash = (ROOT / "bench" / "crash.py").read_text()
    for name, command in lines.items():
        for flag in ("--without-gossip", "--without-mingle", "--without-heartbeat"):
            assert flag in command, (name, flag)
    for flag in ("--without-gossip", "--without-mingle", "--without-heartbeat"):
        assert flag in crash
    # and should one exit all the same, its supervisor starts it again
    for name in [*worker_services(services), "beat"]:
        assert services[name]["restart"] == "always", name
    assert "worker: deploy/respawn.sh " in (ROOT / "Procfile.dev").read_text()


def test_respawn_starts_an_exited_command_again_and_ends_on_a_stop(tmp_path):
    runs = tmp_path / "runs"
    process = subprocess.Popen(
        [str(ROOT / "deploy" / "respawn.sh"), "sh", "-c", f"echo x >> {runs}; exit 3"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )

    def runs_so_far():
        return len(runs.read_text().split()) if runs.exists() else 0

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and runs_so_far() < 2:
        time.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    # The stop ends it with the command's last status: 3 when the stop came between two runs,
    # or the command's own end by the TERM passed on to it when it came during a run.
    assert process.wait(timeout=10) in (3, 128 + signal.SIGTERM)
    assert runs_so_far() >= 2
    assert "starting it again" in process.stderr.read()


def test_the_servers_postgresql_is_the_major_version_of_the_images_backup_tools(services):
    # Debian bookworm's postgresql-client is 15: the server runs 15 as well.
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim-bookworm AS runtime", dockerfile, re.MULTILINE)
    assert re.search(r"\bpostgresql-client\b", dockerfile)
    assert services["db"]["image"] == "postgres:15"


@pytest.mark.django_db
def test_a_backup_with_an_older_pg_dump_than_the_server_is_refused_with_a_clear_message(
    tmp_path,
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL (DATABASE_URL=postgres://...)")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    (fake / "pg_dump").chmod(0o755)
    s = connection.settings_dict
    env = {
        **os.environ,
        "PATH": f"{fake}:{os.environ['PATH']}",
        "DATABASE_URL": (
            f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        ),
        "PGPASSWORD": s["PASSWORD"] or "",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "VAR_DIR": str(tmp_path / "var"),
        "PY": sys.executable,
    }
    result = subprocess.run(
        ["bash", str(ROOT / "deploy" / "backup.sh"), "backup", str(tmp_path / "backups")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "pg_dump is version 9 but the server is PostgreSQL" in result.stderr
    assert not (tmp_path / "backups").exists()


# --- profile "scale": several web nodes and a bucket, no shared disk ---------------------------


def test_the_scale_profile_runs_two_web_replicas_behind_nginx_on_a_bucket(services):
    scale = {name for name, service in services.items() if "scale" in service.get("profiles", [])}
    assert scale == {"objects", "objects-bucket", "web-node", "worker-node", "proxy-scale"}
    node = services["web-node"]
    assert node["deploy"]["replicas"] == 2
    assert node["command"][:3] == ["gunicorn", "-c", "gunicorn.conf.py"]
    for name in ("web-node", "worker-node"):
        env = environment(services[name])
        assert env["STORAGE_URL"].startswith("s3://ranham?endpoint_url=")
        assert "secret_key=${S3_SECRET_KEY" in env["STORAGE_URL"]
        # No node mounts the media volume: the bucket is the only place of the files.
        assert not services[name].get("volumes"), name
        assert services[name]["depends_on"]["objects-bucket"] == {
            "condition": "service_completed_successfully"
        }
    proxy = environment(services["proxy-scale"])
    assert proxy["RANHAM_UPSTREAM"] == proxy["RANHAM_UPLOAD_UPSTREAM"] == "web-node:8000"
    assert services["objects"]["image"].startswith("minio/minio:")
    # The plain stack is untouched by the profile and keeps serving local files through nginx.
    assert "profiles" not in services["web"]
    assert environment(services["web"])["SENDFILE_NGINX"] == "1"
    assert "media:/var/lib/ranham/media:ro" in services["proxy"]["volumes"]


def test_local_files_are_sent_by_nginx_only_from_an_internal_location():
    config = (ROOT / "deploy/nginx/ranham.conf.template").read_text()
    block = re.search(r"location /_berkas/ \{(.*?)\}", config, re.DOTALL).group(1)
    assert "internal;" in block
    assert "alias /var/lib/ranham/media/;" in block
