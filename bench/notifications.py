"""Benchmark of the morning round: deadline reminders and digests for every region.

It resets a PostgreSQL database (migrate, load_reference_data), flushes a Redis database used
as the broker, seeds the 20 illustrative Kanwil (demo.scale) with two evaluators each and one
officer per region (552), one period due in three days for every region, and one unread
notice per evaluator. Then a real Celery worker (two processes) is started and the morning
round runs as beat would at 08.00 WIT, WITA and WIB: every officer gets its "3 days left"
notice and every person one digest e-mail (file backend), sent through the workers in
batches. It prints the wall time from the first beat until every delivery is logged as sent.

    .venv/bin/python bench/notifications.py

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ranham_bench_notices) is dropped and
created again, so its name must contain "bench"; CELERY_BROKER_URL (default
redis://127.0.0.1:6379/15) is flushed. Mail files go to var/bench/notices/mail.
"""

import datetime
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ranham_bench_notices"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/15"
BENCH_DIR = ROOT / "var" / "bench" / "notices"
MAIL_DIR = BENCH_DIR / "mail"
WALL_TARGET = 30.0  # seconds, first beat to last delivery
WORKER_PROCESSES = 2
# The three beats that reach everyone: 08.00 WIT, WITA and WIB on the day three days before.
DUE_ON = datetime.date(2025, 10, 10)
BEATS = [
    datetime.datetime(2025, 10, 6, 23, tzinfo=datetime.UTC),
    datetime.datetime(2025, 10, 7, 0, tzinfo=datetime.UTC),
    datetime.datetime(2025, 10, 7, 1, tzinfo=datetime.UTC),
]


def configure(database_url, broker_url):
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    env = {
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_SETTINGS_MODULE": "ranham_portal.settings",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(MAIL_DIR),
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    return {**os.environ, **env}


def reset(database_url, broker_url):
    import io

    import measure
    import redis
    from django.core.management import call_command

    measure.check_database_name(database_url)
    measure.close_connections()
    measure._recreate_database(database_url)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_reference_data", stdout=io.StringIO())
    redis.Redis.from_url(broker_url).flushdb()
    shutil.rmtree(MAIL_DIR, ignore_errors=True)
    MAIL_DIR.mkdir(parents=True)


def seed():
    """20 Kanwil x 2 evaluators, 552 officers, one period due for all; returns the counts."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import Region, Role, User
    from demo.scale import ensure_kanwils
    from notifications.models import Kind, Mode, Notice
    from reporting.models import (
        Action,
        ActionMeasure,
        Assignment,
        EvidenceRequirement,
        Period,
        ReportingCycle,
    )

    kanwils = ensure_kanwils()
    regions = list(Region.objects.order_by("code"))
    password = make_password(None)
    people = [
        User(
            username=f"bench.petugas.{r.code}",
            email=f"petugas.{r.code}@bench.invalid",
            role=Role.OFFICER,
            region=r,
            password=password,
        )
        for r in regions
    ] + [
        User(
            username=f"bench.verifikator.{k.code}.{n}",
            email=f"verifikator.{k.code}.{n}@bench.invalid",
            role=Role.EVALUATOR,
            kanwil=k,
            password=password,
        )
        for k in kanwils
        for n in (1, 2)
    ]
    User.objects.bulk_create(people, batch_size=500)
    cycle = ReportingCycle.objects.create(year=2025)
    period = Period.objects.create(
        cycle=cycle,
        order=3,
        code="TW3",
        name="Triwulan III",
        starts_on=datetime.date(2025, 7, 1),
        ends_on=datetime.date(2025, 9, 30),
        opens_on=datetime.date(2025, 7, 1),
        due_on=DUE_ON,
        closes_on=datetime.date(2025, 10, 31),
    )
    action = Action.objects.create(
        cycle=cycle, number=1, title="Aksi contoh", target_group="anak", success_criterion="-"
    )
    measure = ActionMeasure.objects.create(action=action, period=period, measure="-")
    EvidenceRequirement.objects.create(measure=measure, name="Dokumen contoh")
    Assignment.objects.bulk_create([Assignment(action=action, region=r) for r in regions])
    evaluators = User.objects.filter(role=Role.EVALUATOR)
    Notice.objects.bulk_create(
        [
            Notice(
                recipient=user,
                kind=Kind.SUBMITTED,
                object_type="reporting.period",
                object_id=str(period.pk),
                title="Laporan contoh dikirim",
                mode=Mode.DIGEST,
            )
            for user in evaluators
        ]
    )
    return len(regions), len(kanwils), evaluators.count()


class Worker:
    def __init__(self, env):
        self.env = env

    def __enter__(self):
        celery = Path(sys.executable).with_name("celery")
        self.log = open(BENCH_DIR / "worker.log", "wb")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(
            [
                str(celery),
                "-A",
                "ranham_portal",
                "worker",
                "-Q",
                "celery,notices",
                f"--concurrency={WORKER_PROCESSES}",
                "--pool=prefork",
                "-n",
                "bench-notices@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env={**self.env, "LOG_LEVEL": "INFO"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while b"ready" not in (BENCH_DIR / "worker.log").read_bytes():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit(
                    "the Celery worker did not start: see var/bench/notices/worker.log"
                )
            time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def main():
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    broker_url = os.environ.get("CELERY_BROKER_URL", DEFAULT_BROKER_URL)
    env = configure(database_url, broker_url)
    reset(database_url, broker_url)
    regions, kanwils, evaluators = seed()

    from django.db import transaction

    from notifications.jobs import run_morning
    from notifications.models import Notice, SendLog, SendStatus

    with Worker(env):
        started = time.perf_counter()
        for beat in BEATS:
            with transaction.atomic():
                run_morning(beat)
        queued = time.perf_counter() - started
        expected = SendLog.objects.count()
        while SendLog.objects.filter(status=SendStatus.SENT).count() < expected:
            if SendLog.objects.filter(status__in=[SendStatus.FAILED, SendStatus.RETRYING]).exists():
                raise SystemExit("a delivery failed: see the send log")
            if time.perf_counter() - started > 300:
                raise SystemExit("deliveries did not finish within 300 s")
            time.sleep(0.1)
        wall = time.perf_counter() - started
    mails = len(list(MAIL_DIR.iterdir()))
    print("Morning round for every region (notifications)")
    print(f"  regions {regions}, Kanwil {kanwils}, evaluators {evaluators}")
    print(f"  notices made      {Notice.objects.count():>6}")
    print(f"  deliveries sent   {expected:>6}  (mail files {mails}: one per batch connection)")
    print(f"  beats queued in   {queued:>6.1f} s")
    print(
        f"  wall time         {wall:>6.1f} s  (target {WALL_TARGET:.0f} s, "
        f"{WORKER_PROCESSES} worker processes)"
    )
    if wall > WALL_TARGET:
        raise SystemExit(f"too slow: {wall:.1f} s > {WALL_TARGET:.0f} s")


if __name__ == "__main__":
    main()
