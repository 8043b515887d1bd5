"""Notices under faults: every notice reaches the mail server exactly once.

    .venv/bin/python bench/notices_faults.py [--count 552] [--smtp-down 300] [--sweep-seconds 60]

Like bench/crash.py (whose PostgreSQL, Redis and Celery helpers it uses) it starts its own
throwaway PostgreSQL cluster and redis-server, never the machine's, plus a real SMTP server
(aiosmtpd, in this process) that records every message's Message-ID, and real Celery workers
(queues celery and notices, two processes). This process plays beat: it runs the minute's
sweeps (outbox.sweep, notifications' sweep_deliveries) every ``--sweep-seconds``.

- (a) ``kill``: one notice to the officers of each of COUNT regions (an evaluator's reminder,
  sent at once); a worker process is SIGKILLed at a quarter of the delivery, the whole
  worker at half (and a new one started).
- (b) ``smtp``: COUNT more notices while the mail server is down for ``--smtp-down``
  seconds; the deliveries fail and are retried with backoff until it is back.
- (c) ``beat``: beat stopped across 08.00 local: the morning round does not run at 08.00
  WIT, WITA or WIB, then runs at 03.00 UTC (10.00 WIB, 12.00 WIT) and again an hour later,
  with the time injected; every officer's digest (the deadline reminder of the next day)
  must go out once.

Afterwards every e-mail delivery of the send log must be sent and its Message-ID must have
reached the server exactly once, with nothing else there. Exits 1 on a loss or a duplicate.
"""

import argparse
import asyncio
import collections
import datetime
import logging
import os
import secrets
import signal
import sys
import threading
import time
from email.parser import BytesHeaderParser
from pathlib import Path

os.environ.setdefault("CRASH_DIR", "/tmp/ranham-notices-faults")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from crash import WORK, Celery, Postgres, Redis, free_port, setup  # noqa: E402

YEAR = 2025
DUE_ON = datetime.date(YEAR, 10, 10)
# Beat stopped from 22.00 UTC on the 8th (before 08.00 WIT on the 9th) to 03.00 UTC on the 9th.
BEAT_BEFORE = datetime.datetime(YEAR, 10, 8, 22, tzinfo=datetime.UTC)
BEAT_AFTER = [
    datetime.datetime(YEAR, 10, 9, 3, tzinfo=datetime.UTC),
    datetime.datetime(YEAR, 10, 9, 4, tzinfo=datetime.UTC),
]


class Sink:
    """A real SMTP server that keeps every Message-ID it accepted; it can be taken down."""

    def __init__(self, delay):
        self.port = free_port()
        self.delay = delay
        self.ids = collections.Counter()
        self.lock = threading.Lock()
        self.controller = None

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        # The server's time per message, spent before the message is taken: a sender killed
        # then has sent nothing (a kill after the final answer is what the Message-ID is for).
        if self.delay:
            await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        headers = BytesHeaderParser().parsebytes(envelope.content)
        with self.lock:
            self.ids[headers.get("Message-ID", "")] += 1
        return "250 OK"

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()
        self.controller = None

    def received(self):
        with self.lock:
            return sum(self.ids.values())


class Worker(Celery):
    """crash.Celery with the queues that carry notices."""

    def start(self):
        import subprocess

        celery = str(Path(sys.executable).with_name("celery"))
        self.log = WORK / f"{self.name}.log"
        self.process = subprocess.Popen(
            [
                celery,
                "-A",
                "ranham_portal",
                "worker",
                "-Q",
                "celery,notices",
                "--concurrency=2",
                "--pool=prefork",
                "-n",
                f"{self.name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=Path(__file__).resolve().parent.parent,
            env=self.env,
            start_new_session=True,
            stdout=open(self.log, "ab"),  # noqa: SIM115 - the process keeps it
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while b"ready." not in self.log.read_bytes():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit(f"worker {self.name} did not start: see {self.log}")
            time.sleep(0.2)
        return self


def seed(count):
    """COUNT regions, one officer each with a confirmed address, and a period due on DUE_ON."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import Region, Role, User
    from reporting.models import (
        Action,
        ActionMeasure,
        Assignment,
        EvidenceRequirement,
        Period,
        ReportingCycle,
    )

    # Spread over the zones: every n-th region, so that WIB, WITA and WIT all take part.
    regions = list(Region.objects.order_by("code"))
    step = max(1, len(regions) // count)
    regions = regions[::step][:count]
    password = make_password(None)
    confirmed = timezone.now()
    User.objects.bulk_create(
        [
            User(
                username=f"petugas.{r.code}",
                email=f"petugas.{r.code}@bench.invalid",
                # Only a confirmed address is sent anything (notifications.services).
                email_confirmed_at=confirmed,
                role=Role.OFFICER,
                region=r,
                password=password,
            )
            for r in regions
        ]
    )
    cycle = ReportingCycle.objects.create(year=YEAR)
    period = Period.objects.create(
        cycle=cycle,
        order=3,
        code="TW3",
        name="Triwulan III",
        starts_on=datetime.date(YEAR, 7, 1),
        ends_on=datetime.date(YEAR, 9, 30),
        opens_on=datetime.date(YEAR, 7, 1),
        due_on=DUE_ON,
        closes_on=datetime.date(YEAR, 10, 31),
    )
    action = Action.objects.create(
        cycle=cycle, number=1, title="Aksi contoh", target_group="anak", success_criterion="-"
    )
    measure = ActionMeasure.objects.create(action=action, period=period, measure="-")
    EvidenceRequirement.objects.create(measure=measure, name="Dokumen contoh")
    Assignment.objects.bulk_create([Assignment(action=action, region=r) for r in regions])
    zones = collections.Counter(r.time_zone for r in regions)
    return period, zones


def notify_everyone(period, occasion):
    """One immediate notice per officer (an evaluator's reminder), in one transaction."""
    from django.db import transaction

    from accounts.models import Role, User
    from notifications.models import Kind, SendLog
    from notifications.services import notify

    officers = list(User.objects.filter(role=Role.OFFICER).select_related("region"))

    def compose(user):
        return (f"Pengingat {occasion}", "Segera kirim laporan.", "/laporan/")

    with transaction.atomic():
        made = len(notify(officers, Kind.REMINDER, period, compose, occasion=occasion))
    queued = SendLog.objects.filter(kind=Kind.REMINDER, occasion=occasion).count()
    if queued != made:
        # A run that sends nothing would only wait for its timeout: say why at once.
        raise SystemExit(f"{made} notices made but {queued} deliveries queued: no fault to prove")
    return made


class Run:
    """The polling loop: counts as it goes and runs the sweeps as beat would."""

    def __init__(self, sink, sweep_seconds):
        self.sink = sink
        self.sweep_seconds = sweep_seconds
        self.last_sweep = time.monotonic()
        self.started = time.monotonic()

    def sent(self, kind=None):
        from notifications.models import SendLog, SendStatus

        rows = SendLog.objects.filter(status=SendStatus.SENT)
        return rows.filter(kind=kind).count() if kind else rows.count()

    def tick(self):
        from notifications.delivery import sweep_deliveries
        from outbox.tasks import sweep

        if time.monotonic() - self.last_sweep >= self.sweep_seconds:
            self.last_sweep = time.monotonic()
            queued = sweep(), sweep_deliveries()
            self.say(f"sweep: {queued[0]} entries, {queued[1]} deliveries queued again")

    def say(self, text):
        from notifications.models import SendLog, SendStatus

        counts = collections.Counter(SendLog.objects.values_list("status", flat=True))
        print(
            f"  [{time.monotonic() - self.started:6.1f} s] {text} | sink {self.sink.received()}"
            f" | sent {counts[SendStatus.SENT]}, sending {counts[SendStatus.SENDING]},"
            f" retrying {counts[SendStatus.RETRYING]}, pending {counts[SendStatus.PENDING]},"
            f" failed {counts[SendStatus.FAILED]}",
            flush=True,
        )

    def wait(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        last_said = 0.0
        while time.monotonic() < deadline:
            if predicate():
                return True
            self.tick()
            if time.monotonic() - last_said > 10:
                self.say(f"waiting for {what}")
                last_said = time.monotonic()
            time.sleep(0.05)
        self.say(f"TIMEOUT waiting for {what}")
        return False


def scenario_kill(run, env, worker, period, count, timeout):
    from notifications.models import Kind

    print(f"\n== (a) a worker SIGKILLed in the middle of a {count}-region delivery", flush=True)
    started = time.monotonic()
    made = notify_everyone(period, "kill")
    run.say(f"{made} notices made, deliveries queued")
    run.wait(lambda: run.sent(Kind.REMINDER) >= count // 4, timeout, "a quarter sent")
    children = worker.children()
    if children:
        os.kill(children[0], signal.SIGKILL)
    run.say(f"SIGKILL worker process {children[:1]}")
    run.wait(lambda: run.sent(Kind.REMINDER) >= count // 2, timeout, "half sent")
    worker.kill_all()
    run.say("SIGKILL the whole worker; starting another")
    worker = Worker(env, "worker", "notices2").start()
    ok = run.wait(lambda: run.sent(Kind.REMINDER) >= count, timeout, "all sent")
    run.say(f"(a) done in {time.monotonic() - started:.1f} s")
    return worker, ok


def scenario_smtp(run, period, count, down, timeout):
    from notifications.models import Kind

    print(f"\n== (b) the mail server down for {down:.0f} s", flush=True)
    before = run.sent(Kind.REMINDER)
    started = time.monotonic()
    run.sink.stop()
    made = notify_everyone(period, "smtp")
    run.say(f"mail server stopped; {made} notices made")
    run.wait(lambda: time.monotonic() - started >= down, down + 5, "the outage to end")
    run.sink.start()
    run.say("mail server back")
    ok = run.wait(lambda: run.sent(Kind.REMINDER) >= before + count, timeout, "all sent")
    run.say(f"(b) done in {time.monotonic() - started:.1f} s")
    return ok


def scenario_beat(run, count, timeout):
    from django.db import transaction

    from notifications.jobs import run_morning
    from notifications.models import MorningRound

    print("\n== (c) beat stopped across 08.00 local (WIT, WITA, WIB)", flush=True)
    started = time.monotonic()
    with transaction.atomic():
        early = run_morning(BEAT_BEFORE)
    run.say(f"round at {BEAT_BEFORE:%H.%M} UTC (before 08.00 everywhere): {early}")
    run.say("beat stopped: no round at 23.00, 00.00, 01.00 UTC (08.00 WIT, WITA, WIB)")
    rounds = []
    for moment in BEAT_AFTER:
        with transaction.atomic():
            rounds.append(run_morning(moment))
        run.say(f"round at {moment:%H.%M} UTC: {rounds[-1]}")
    ok = run.wait(lambda: run.sent("digest") >= count, timeout, "every digest sent")
    days = sorted({str(day) for day in MorningRound.objects.values_list("day", flat=True)})
    run.say(f"(c) done in {time.monotonic() - started:.1f} s; rounds recorded for {days}")
    return ok and rounds[-1] == {}


def check(sink):
    """Every e-mail delivery sent and its Message-ID at the server, nothing else there.

    A second copy is a failure unless it is the resend of a delivery whose worker was killed
    after the server took the message and before the row recorded it (at least once: the
    copy carries the same Message-ID, so the mailbox recognises it): such a row has had more
    than one attempt. A copy of a delivery sent at its first attempt is a duplicate.
    """
    from notifications.delivery import message_id
    from notifications.models import Channel, SendLog, SendStatus

    rows = list(SendLog.objects.filter(channel__in=[Channel.EMAIL, Channel.DIGEST]))
    expected = {message_id(row): row for row in rows}
    unsent = [row.pk for row in rows if row.status != SendStatus.SENT]
    missing = [mid for mid in expected if sink.ids[mid] == 0]
    copies = {mid: n for mid, n in sink.ids.items() if n > 1 and mid in expected}
    resent = [mid for mid in copies if expected[mid].attempts > 1]
    duplicated = [mid for mid in copies if expected[mid].attempts == 1]
    unknown = [mid for mid in sink.ids if mid not in expected]
    attempts = collections.Counter(row.attempts for row in rows)
    return {
        "deliveries in the send log": len(rows),
        "by kind": dict(collections.Counter(row.kind for row in rows)),
        "messages at the server": sum(sink.ids.values()),
        "distinct Message-IDs at the server": len(sink.ids),
        "not sent": len(unsent),
        "lost (Message-ID never at the server)": len(missing),
        "duplicates (a second copy of a delivery sent at its first attempt)": len(duplicated),
        "unknown Message-IDs": len(unknown),
        "recognisable resends (killed between the server's answer and the record)": len(resent),
        "attempts per delivery": dict(sorted(attempts.items())),
    }, not (unsent or missing or duplicated or unknown)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=552)
    parser.add_argument("--smtp-down", type=float, default=300.0, help="seconds (default 300)")
    parser.add_argument("--smtp-delay", type=float, default=0.02, help="seconds per message")
    parser.add_argument("--sweep-seconds", type=float, default=60.0)
    parser.add_argument("--timeout", type=float, default=1500.0, help="per scenario")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    sink = Sink(args.smtp_delay)
    sink.start()
    with Postgres() as pg, Redis() as redis:
        env = {
            **os.environ,
            "DATABASE_URL": pg.url,
            "CELERY_BROKER_URL": redis.url,
            "VAR_DIR": str(WORK / "var"),
            "MEDIA_ROOT": str(WORK / "media"),
            "DJANGO_SETTINGS_MODULE": "ranham_portal.settings",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "text",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink.port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_TIMEOUT": "5",
            "DEFAULT_FROM_EMAIL": "Portal Aksi HAM <noreply@bench.invalid>",
            "NOTIFY_GATEWAY_URL": "",
        }
        setup(env)
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per command
        period, zones = seed(args.count)
        print(
            f"notices under faults: {args.count} officers ({dict(zones)}), PostgreSQL :{pg.port},"
            f" Redis :{redis.port}, SMTP :{sink.port}, worker -c 2 (celery, notices),"
            f" sweeps every {args.sweep_seconds:.0f} s, {os.cpu_count()} CPUs,"
            f" load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        run = Run(sink, args.sweep_seconds)
        worker = Worker(env, "worker", "notices1").start()
        results = {}
        try:
            worker, results["kill"] = scenario_kill(
                run, env, worker, period, args.count, args.timeout
            )
            results["smtp"] = scenario_smtp(run, period, args.count, args.smtp_down, args.timeout)
            results["beat"] = scenario_beat(run, args.count, args.timeout)
            # Anything a fault left (a row held by a killed worker) is swept once its lease ends.
            run.wait(lambda: check(sink)[1], args.timeout, "every delivery settled")
        finally:
            worker.stop()
        summary, passed = check(sink)
        print("\n== summary")
        for name, ok in results.items():
            print(f"  scenario {name}: {'finished' if ok else 'DID NOT FINISH'}")
        for key, value in summary.items():
            print(f"  {key}: {value}")
        passed = passed and all(results.values())
        print(f"  -> {'PASS' if passed else 'FAIL'}")
    sink.stop()
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
