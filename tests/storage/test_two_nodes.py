"""Two web nodes and a worker with no shared disk: each has its own VAR_DIR and MEDIA_ROOT;
they share only PostgreSQL (the test database), Redis and the bucket. A whole journey goes
back and forth between the nodes and nothing is lost."""

import datetime
import hashlib
import os
import re
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse

from piagam.models import CertificateBatch, CertificateStatus
from reporting.models import Evidence
from tests.conftest import PASSWORD
from tests.reporting.conftest import make_pdf, requirement_of
from tests.storage.conftest import free_port
from tests.support import specimen_certificate, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def database_url():
    s = connection.settings_dict
    return (
        f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or 'localhost'}:"
        f"{s['PORT'] or 5432}/{s['NAME']}"
    )


def node_env(bucket, home, prefix, **extra):
    """A machine of its own: nothing under ``home`` is seen by another node."""
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "MEDIA_ROOT", "VAR_DIR")}
    env.update(
        DEBUG="1",
        PYTHONPATH=str(ROOT),
        VAR_DIR=str(home / "var"),
        MEDIA_ROOT=str(home / "media"),
        DATABASE_URL=database_url(),
        CELERY_BROKER_URL=django_settings.CELERY_BROKER_URL,
        CELERY_BROKER_KEY_PREFIX=prefix,
        STORAGE_URL=bucket.url,
        EVIDENCE_ALLOWED_TYPES="application/pdf",
        PIAGAM_SIGNING_PKCS12="",
        **extra,
    )
    return env


class Node:
    def __init__(self, process, url, log):
        self.process, self.url, self.log = process, url, log


@pytest.fixture
def cluster(bucket, tmp_path):
    """Web node A, web node B and a worker, started as in production and stopped after."""
    prefix = f"nodes-{secrets.token_hex(4)}:"
    started = []
    nodes = []
    try:
        for name in ("a", "b"):
            port = free_port()
            home = tmp_path / name
            env = node_env(
                bucket, home, prefix, GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1"
            )
            log = tmp_path / f"{name}.log"
            with open(log, "wb") as out:
                process = subprocess.Popen(
                    [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "ranham_portal.wsgi"],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append(process)
            nodes.append(Node(process, f"http://127.0.0.1:{port}", log))
        worker_log = tmp_path / "worker.log"
        worker_env = node_env(bucket, tmp_path / "w", prefix)
        with open(worker_log, "wb") as out:
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "ranham_portal", "worker",
                 "--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "-Q", "celery,pdf,notices",
                 "-n", f"nodes-{os.getpid()}@%h"],
                cwd=ROOT,
                env=worker_env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        started.append(worker)
        for node in nodes:
            assert wait_for(lambda node=node: answers(node), timeout=60), node.log.read_text()
        assert wait_for(lambda: "ready." in worker_log.read_text(), timeout=60), (
            worker_log.read_text()
        )
        yield nodes[0], nodes[1], worker_env, worker_log
    finally:
        for process in started:
            process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def answers(node):
    if node.process.poll() is not None:
        raise AssertionError(node.log.read_text())
    try:
        return requests.get(node.url + "/sehat/", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def log_in(session, node, username):
    url = node.url + reverse("accounts:login")
    session.get(url, timeout=10)
    answer = session.post(
        url,
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": url},
        timeout=10,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:2000]


def files_under(root):
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


def test_a_journey_across_two_nodes_and_a_worker_loses_nothing(
    cluster, bucket, tw3, actions, officer_balikpapan, evaluator_kaltim, kanwil_kaltim,
    admin_user, balikpapan, tmp_path,
):  # fmt: skip
    a, b, worker_env, worker_log = cluster
    officer = requests.Session()

    # the officer logs in on node A and uploads a file there
    log_in(officer, a, officer_balikpapan.username)
    requirement = requirement_of(actions[0], tw3)
    content = make_pdf("lintas-node")
    answer = officer.post(
        a.url + reverse("reporting:evidence-upload", args=[tw3.pk, requirement.pk]),
        files={f"dok-{requirement.pk}-files": ("SK Tim.pdf", content, "application/pdf")},
        headers={
            "Accept": "application/json",
            "X-CSRFToken": officer.cookies["csrftoken"],
            "Referer": a.url + "/",
        },
        timeout=30,
    )
    assert answer.status_code == 201, answer.text[:2000]
    evidence = Evidence.objects.get()

    # the same session previews it on node B, which never had the file on its disk
    preview = officer.get(
        b.url + reverse("reporting:evidence-file", args=[evidence.pk]),
        allow_redirects=False,
        timeout=10,
    )
    assert preview.status_code == 302
    fetched = requests.get(preview.headers["Location"], timeout=10)
    assert fetched.content == content
    assert fetched.headers["Content-Type"] == "application/pdf"
    assert hashlib.sha256(fetched.content).hexdigest() == evidence.sha256

    # the evaluator, logged in on B, sees it from A as well
    evaluator = requests.Session()
    log_in(evaluator, b, evaluator_kaltim.username)
    seen = evaluator.get(a.url + reverse("reporting:evidence-file", args=[evidence.pk]), timeout=10)
    assert seen.content == content

    # a piagam is rendered by the worker on its own machine and put into the bucket
    certificate = pending_certificate(balikpapan, kanwil_kaltim, admin_user, tw3)
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "ranham_portal", "call",
         "piagam.tasks.render_certificate", f"--args=[{certificate.pk}]"],
        cwd=ROOT, env=worker_env, check=True, timeout=60, capture_output=True,
    )  # fmt: skip

    def issued():
        certificate.refresh_from_db()
        return certificate.status in (CertificateStatus.ISSUED, CertificateStatus.FAILED)

    assert wait_for(issued, timeout=150), worker_log.read_text()[-3000:]
    assert certificate.status == CertificateStatus.ISSUED, certificate.error
    assert certificate.pdf.name in bucket.keys("piagam/")

    # verified on either node, downloaded through B
    for node in (a, b):
        page = requests.get(node.url + reverse("piagam:verify", args=[certificate.token]))
        assert page.status_code == 200
        assert certificate.number in page.text
    download = officer.get(
        b.url + reverse("piagam:certificate-pdf", args=[certificate.pk]), timeout=10
    )
    assert download.headers["Content-Type"] == "application/pdf"
    assert hashlib.sha256(download.content).hexdigest() == certificate.sha256
    assert re.search(r"attachment;.*piagam-001", download.headers["Content-Disposition"])

    # and no machine kept a file of its own
    for home in ("a", "b", "w"):
        assert files_under(tmp_path / home / "media") == [], home


def pending_certificate(region, kanwil, admin, period):
    batch = CertificateBatch.objects.create(
        cycle=period.cycle,
        kanwil=kanwil,
        place="Balikpapan",
        issued_on=datetime.date(2025, 12, 10),
        created_by=admin,
    )
    return specimen_certificate(batch, region)
