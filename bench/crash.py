"""Crash proof: issue a batch of piagam while the machinery under it fails, then check that
every certificate came out exactly once.

    .venv/bin/python bench/crash.py [--count 552] [--scenario kill|redis|postgres|all]

It starts its own throwaway PostgreSQL cluster (initdb under /tmp, another port) and its own
redis-server (append-only, another port), so the machine's services are never touched, plus
a Celery worker (queues celery, notices and pdf, two processes, started as production starts
it) and beat (the sweep every 15 s). Every fault is a crash, never a clean stop:

- ``kill``: when a quarter of the batch is issued, SIGKILL a worker process in the middle of
  a render; at half, SIGKILL the whole worker (parent and children) and start a new one.
- ``redis``: at a quarter and again at half, SIGKILL Redis and start it again 2 s later (its
  append-only file is synced every second, so the last second of messages may be lost).
- ``postgres``: at a quarter and again at half, SIGKILL the postmaster and every backend and
  start the cluster again (crash recovery), cutting connections in the middle of a render.

A watchdog checks the worker and beat four times a second: one that exited is reported with
its exit status and the last line of its log, and started again as a supervisor would
(docker compose's `restart: always`); the summary counts those restarts, which should be 0
outside the ``kill`` run. Progress is printed as it goes.

Afterwards: exactly COUNT issued, numbers unique and gapless, one PDF each on disk matching
its SHA-256, no other file under the piagam folder (no orphan, no temporary file), how many
were rendered more than once (only renders a fault interrupted may be), and the time from
each fault to the next finished certificate and to the end of the batch.
"""

import argparse
import hashlib
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(os.environ.get("CRASH_DIR", "/tmp/ranham-crash"))
PG_BIN = Path(
    os.environ.get(
        "PG_BIN",
        next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), "/usr/bin"),
    )
)
YEAR = 2025


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (killed, not yet reaped by its parent) is gone as far as we care
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def say(line):
    print(line, flush=True)


def as_postgres(*command, **kwargs):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *map(str, command)], check=True, **kwargs)


class Postgres:
    """A PostgreSQL cluster of its own under WORK/pg, on its own port."""

    def __init__(self):
        self.port = free_port()
        self.data = WORK / "pg"
        self.log = WORK / "pg.log"

    def start(self):
        as_postgres(
            PG_BIN / "pg_ctl",
            "-D",
            self.data,
            "-l",
            self.log,
            "-w",
            "-o",
            f"-p {self.port} -k {WORK} -c listen_addresses=127.0.0.1 -c fsync=on",
            "start",
            stdout=subprocess.DEVNULL,
        )

    def __enter__(self):
        shutil.rmtree(self.data, ignore_errors=True)
        self.data.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(WORK, "postgres")
            shutil.chown(self.data, "postgres")
        as_postgres(
            PG_BIN / "initdb",
            "-D",
            self.data,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            stdout=subprocess.DEVNULL,
        )
        self.start()
        as_postgres(
            PG_BIN / "createdb",
            "-h",
            "127.0.0.1",
            "-p",
            self.port,
            "-U",
            "postgres",
            "ranham_bench_crash",
        )
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/ranham_bench_crash"
        return self

    def crash(self):
        """SIGKILL the postmaster and every backend, then start again (crash recovery)."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(
            ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        for victim in [pid, *map(int, children)]:
            try:
                os.kill(victim, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(p) for p in [pid, *map(int, children)]):
            time.sleep(0.05)
        time.sleep(2)  # down for a moment, as a real crash is
        self.start()

    def __exit__(self, *exc):
        subprocess.run(
            (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else [])
            + [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        return False


class Redis:
    """A redis-server of its own with append-only persistence, on its own port."""

    def __init__(self):
        self.port = free_port()
        self.dir = WORK / "redis"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
            ],
            stdout=open(WORK / "redis.log", "ab"),
            stderr=subprocess.STDOUT,  # noqa: SIM115
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis did not start")

    def __enter__(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self.start()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        return self

    def crash(self):
        """SIGKILL, no flush: what the append-only file synced in the last second is all."""
        self.process.kill()
        self.process.wait(timeout=30)
        time.sleep(2)  # down for a moment, as a real crash is
        self.start()

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        return False


class Celery:
    """A worker or beat process, in its own process group."""

    def __init__(self, env, kind, name):
        self.env, self.kind, self.name = env, kind, name
        self.process = None

    def start(self):
        celery = str(Path(sys.executable).with_name("celery"))
        if self.kind == "worker":
            # As docker-compose.yml and Procfile.dev start it (see there why no gossip).
            args = [
                "worker",
                "-Q",
                "celery,notices,pdf",
                "--concurrency=2",
                "--pool=prefork",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{self.name}@%h",
                "--loglevel=INFO",
            ]
        else:
            args = ["beat", "--loglevel=INFO", "--schedule", str(WORK / "celerybeat-schedule")]
        self.process = subprocess.Popen(
            [celery, "-A", "ranham_portal", *args],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=open(WORK / f"{self.name}.log", "ab"),
            stderr=subprocess.STDOUT,  # noqa: SIM115
        )
        return self

    def last_log_line(self):
        lines = (WORK / f"{self.name}.log").read_text(errors="replace").strip().splitlines()
        important = [line for line in lines if "Unrecoverable error" in line or "ERROR" in line]
        return (important or lines or [""])[-1][:200]

    def children(self):
        try:
            output = subprocess.run(
                ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
            ).stdout
        except OSError:
            return []
        return [int(pid) for pid in output.split()]

    def kill_all(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def setup(env):
    os.environ.update(env)
    import django

    django.setup()
    import io

    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_reference_data", stdout=io.StringIO())


def create_batch(count):
    """One national batch numbered as issue_batch numbers it, in one transaction."""
    from django.db import transaction

    from accounts.models import Region, Role, User
    from piagam.models import Certificate, CertificateBatch
    from piagam.services import MINISTER_TITLE, MINISTRY_NAME, allocate_number, certificate_number
    from reporting.models import ReportingCycle

    admin = User.objects.create(username=f"admin-{secrets.token_hex(3)}", role=Role.ADMIN)
    cycle, _created = ReportingCycle.objects.get_or_create(year=YEAR)
    regions = list(Region.objects.order_by("code")[:count])
    scores = random.Random(YEAR)
    with transaction.atomic():
        batch = CertificateBatch.objects.create(
            cycle=cycle,
            kanwil=None,
            place="Jakarta",
            issued_on=date(YEAR, 12, 10),
            created_by=admin,
        )
        for region in regions:
            sequence = allocate_number("PUSAT", YEAR)
            Certificate.objects.create(
                batch=batch,
                cycle=cycle,
                kanwil=None,
                region=region,
                issuer_code="PUSAT",
                year=YEAR,
                sequence=sequence,
                number=certificate_number(sequence, "PUSAT", YEAR),
                categories=["terbaik"],
                score=Decimal(scores.randint(8000, 10000)) / 100,
                recipient=region.government_name,
                issuer_name=MINISTRY_NAME,
                place="Jakarta",
                issued_on=date(YEAR, 12, 10),
                signatory_name="Menteri (contoh)",
                signatory_title=MINISTER_TITLE,
                specimen=True,
                token=secrets.token_urlsafe(24),
            )
    return batch


def issued_count(batch):
    from django.db import Error, connection

    try:
        return batch.certificates.filter(status="issued").count()
    except Error:
        connection.close()  # the database restarted under us; the next poll reconnects
        return None


class Watch:
    """Progress and the worker's and beat's lives while a batch runs: an exited process is
    reported and started again, as a supervisor would."""

    def __init__(self, batch, count, started, processes):
        self.batch, self.count, self.started = batch, count, started
        self.processes = processes  # name -> Celery
        self.restarts = []
        self.last_print = 0.0
        self.last_done = None

    def check(self):
        now = time.monotonic()
        for name, process in self.processes.items():
            code = process.process.poll()
            if code is not None:
                say(
                    f"  [{now - self.started:6.1f} s] {name} DIED (exit status {code}): "
                    f"{process.last_log_line()!r}; starting it again"
                )
                self.restarts.append((name, now, code))
                process.start()
        done = issued_count(self.batch)
        if done is not None:
            self.last_done = done
        if now - self.last_print >= 5:
            alive = ", ".join(
                f"{name} {'up' if p.process.poll() is None else 'down'}"
                for name, p in self.processes.items()
            )
            shown = "?" if done is None else done
            say(f"  [{now - self.started:6.1f} s] issued {shown}/{self.count}; {alive}")
            self.last_print = now
        return done

    def until(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self.check()
            if done is not None and predicate(done):
                return done
            time.sleep(0.25)
        return issued_count(self.batch)


def run(scenario, count, timeout):
    from django.db import connection
    from django.db.models import Count

    from piagam.tasks import enqueue_render

    env = dict(os.environ)
    worker = Celery(env, "worker", f"{scenario}-worker1").start()
    beat = Celery(env, "beat", f"{scenario}-beat").start()
    processes = {"worker": worker, "beat": beat}
    faults = []
    batch = create_batch(count)
    started = time.monotonic()
    watch = Watch(batch, count, started, processes)
    enqueue_render(list(batch.certificates.order_by("sequence").values_list("pk", flat=True)))

    def fault(name, action):
        done = issued_count(batch)
        action()
        at = time.monotonic()
        faults.append((name, at, done))
        say(f"  [{at - started:6.1f} s] {name} ({done} issued by then)")

    def kill_child():
        busy = processes["worker"].children()
        if busy:
            os.kill(busy[0], signal.SIGKILL)

    def kill_worker():
        processes["worker"].kill_all()
        say("  worker killed: starting a new one, as its supervisor would")
        processes["worker"] = Celery(env, "worker", f"{scenario}-worker2").start()

    def crash_postgres():
        PG.crash()
        connection.close()

    try:
        for share, (name, action) in zip(
            (4, 2),
            {
                "kill": [
                    ("SIGKILL a worker child", kill_child),
                    ("SIGKILL the whole worker", kill_worker),
                ],
                "redis": [("SIGKILL Redis, start again", REDIS.crash)] * 2,
                "postgres": [("SIGKILL PostgreSQL, start again", crash_postgres)] * 2,
            }[scenario],
            strict=True,
        ):
            watch.until(lambda n, share=share: n >= count // share, timeout)
            fault(name, action)
        done = watch.until(lambda n: n >= count, timeout)
        finished = time.monotonic()
    finally:
        processes["worker"].stop()
        processes["beat"].stop()
    connection.close()
    rows = list(batch.certificates.order_by("sequence"))
    statuses = dict(batch.certificates.values_list("status").annotate(n=Count("pk")).order_by())
    media = Path(os.environ["MEDIA_ROOT"]) / "piagam"
    on_disk = sorted(
        p.relative_to(media.parent).as_posix() for p in media.rglob("*") if p.is_file()
    )
    good = sum(
        1
        for c in rows
        if c.pdf
        and (media.parent / c.pdf.name).exists()
        and hashlib.sha256((media.parent / c.pdf.name).read_bytes()).hexdigest() == c.sha256
    )
    referenced = {c.pdf.name for c in rows if c.pdf}
    unplanned = [r for r in watch.restarts if not (scenario == "kill" and r[0] == "worker")]
    result = {
        "scenario": scenario,
        "issued": statuses.get("issued", 0),
        "statuses": statuses,
        "numbers unique": len({c.number for c in rows}) == len(rows),
        "gapless": [c.sequence for c in rows] == list(range(1, len(rows) + 1)),
        "pdfs matching their hash": good,
        "files on disk": len(on_disk),
        "files no certificate names": len([n for n in on_disk if n not in referenced]),
        "rendered more than once": sum(1 for c in rows if c.attempts > 1),
        "worker or beat exits the watchdog restarted": len(watch.restarts),
        "wall seconds": round(finished - started, 1),
        "seconds from the last fault to the last issued": round(finished - faults[-1][1], 1),
        "done": done,
    }
    return result, faults, rows, started, unplanned


def recovery_report(faults, rows, started):
    """For each fault: seconds until the certificates it interrupted were issued."""
    import datetime

    from django.utils import timezone

    now_wall, now_mono = timezone.now(), time.monotonic()
    lines = []
    retried = sorted(c.rendered_at for c in rows if c.attempts > 1 and c.rendered_at)
    for name, at, _n in faults:
        fault_wall = now_wall - datetime.timedelta(seconds=now_mono - at)
        after = [t for t in retried if t >= fault_wall]
        last = max(after).timestamp() - fault_wall.timestamp() if after else 0.0
        lines.append(f"  {name}: interrupted renders issued again within {last:.1f} s")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=552)
    parser.add_argument(
        "--scenario", choices=["kill", "redis", "postgres", "all", "both"], default="all"
    )
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args(argv)
    global PG, REDIS  # noqa: PLW0603 - the scenarios restart them
    WORK.mkdir(parents=True, exist_ok=True)
    ok = True
    all_three = ["kill", "redis", "postgres"]
    scenarios = all_three if args.scenario in ("all", "both") else [args.scenario]
    with Postgres() as PG, Redis() as REDIS:
        media = WORK / "media"
        shutil.rmtree(media, ignore_errors=True)
        env = {
            "DATABASE_URL": PG.url,
            "CELERY_BROKER_URL": REDIS.url,
            "MEDIA_ROOT": str(media),
            "VAR_DIR": str(WORK / "var"),
            "DJANGO_SETTINGS_MODULE": "ranham_portal.settings",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "text",
            "PIAGAM_SWEEP_SECONDS": "15",
        }
        setup(env)
        say(
            f"crash proof: {args.count} certificates, PostgreSQL :{PG.port}, Redis :{REDIS.port}"
            f" (append-only), worker -c 2, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
        )
        for scenario in scenarios:
            from piagam.models import Certificate

            Certificate.objects.all().delete()
            from piagam.models import NumberSequence

            NumberSequence.objects.all().delete()
            shutil.rmtree(media, ignore_errors=True)
            say(f"\n== {scenario}")
            result, faults, rows, started, unplanned = run(scenario, args.count, args.timeout)
            say(f"-- {scenario}: summary")
            for name, at, done in faults:
                say(f"  {name} at {at - started:.1f} s ({done} issued by then)")
            for line in recovery_report(faults, rows, started):
                say(line)
            for key, value in result.items():
                say(f"  {key}: {value}")
            passed = (
                result["issued"] == args.count
                and result["numbers unique"]
                and result["gapless"]
                and result["pdfs matching their hash"] == args.count
                and result["files on disk"] == args.count
                and result["files no certificate names"] == 0
                and not unplanned
            )
            say(f"  -> {'PASS' if passed else 'FAIL'}")
            ok = ok and passed
    return 0 if ok else 1


PG = REDIS = None

if __name__ == "__main__":
    sys.exit(main())
