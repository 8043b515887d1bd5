"""Benchmark of piagam rendering: every region's certificate through the real Celery pipeline.

In one run it resets a PostgreSQL database (migrate, load_reference_data), flushes a Redis
database used as the broker, issues one batch of certificates (one per region, numbered by
``allocate_number`` inside one transaction), renders a sample of them in this process with
plain WeasyPrint, then starts a real Celery worker (queue "pdf", prefork, two processes),
enqueues the batch with ``enqueue_render`` and waits until every certificate is issued. It
prints one table: time per certificate in the pipeline against the plain WeasyPrint loop,
wall time, and the worker processes' memory at the start and the end.

    .venv/bin/python bench/piagam.py [--count 552]

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ranham_bench_piagam) is dropped and
created again, so its name must contain "bench"; CELERY_BROKER_URL (default
redis://127.0.0.1:6379/15) is flushed. PDFs are written under var/bench/piagam/media.
"""

import argparse
import hashlib
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ranham_bench_piagam"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/15"
BENCH_DIR = ROOT / "var" / "bench" / "piagam"
MEDIA_ROOT = BENCH_DIR / "media"
WORKER_LOG = BENCH_DIR / "worker.log"
YEAR = 2025
ISSUER = "BENCH"
WARMUP_ISSUER = "WARMUP"  # its own number sequence, so the batch under test stays gapless
ISSUED_ON = date(YEAR, 12, 10)  # Hari HAM Sedunia
SIGNATORY = "Menteri Hak Asasi Manusia (contoh)"  # "(contoh)": every bench piagam is a specimen
WORKER_PROCESSES = 2
FULL_COUNT = 552
CATEGORY_SETS = (
    ["terbaik"],
    ["tercepat"],
    ["paling_responsif"],
    ["terbaik", "tercepat"],
    ["tercepat", "paling_responsif"],
    ["terbaik", "tercepat", "paling_responsif"],
)

# Targets.
RATIO_TARGET = 1.3  # median task time / median plain WeasyPrint time
WALL_TARGET_FULL = 60.0  # seconds for 552 certificates with two worker processes
RSS_GROWTH_MIB = 50.0  # per worker process, start to end
RSS_GROWTH_SHARE = 0.20  # of its start RSS


@dataclass
class ProcessMemory:
    """One worker child's resident memory, in KiB, as sampled while it lived."""

    pid: int
    start: int
    middle: int | None  # when half the batch was finished: is the growth early, or steady?
    end: int
    peak: int
    seen_at_start: bool


@dataclass
class Result:
    count: int
    regions: int = 0
    create_seconds: float = 0.0
    numbers: list = field(default_factory=list)
    bare_seconds: list = field(default_factory=list)
    renderer_seconds: list = field(default_factory=list)
    html_seconds: list = field(default_factory=list)
    bare_sizes: list = field(default_factory=list)
    ready_seconds: float = 0.0
    enqueue_seconds: float = 0.0
    wall_seconds: float | None = None  # None: not all finished before the timeout
    task_seconds: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    attempts_above_one: int = 0
    distinct_numbers: int = 0
    gapless: bool = False
    files_present: int = 0
    checksums_checked: int = 0
    checksums_ok: int = 0
    pipeline_sizes: list = field(default_factory=list)
    memory: list = field(default_factory=list)  # [ProcessMemory]
    recycle_lines: list = field(default_factory=list)
    load_average: tuple = ()


def configure(database_url, broker_url):
    """Production settings for this process and the worker; returns the worker's environment."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    env = {
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "MEDIA_ROOT": str(MEDIA_ROOT),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_SETTINGS_MODULE": "ranham_portal.settings",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return {**os.environ, **env, "LOG_LEVEL": "INFO"}  # the worker logs "ready" and recycling


def reset(database_url, broker_url):
    import io

    import measure  # needs Django set up
    import redis
    from django.core.management import call_command

    measure.check_database_name(database_url)
    measure.close_connections()
    measure._recreate_database(database_url)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_reference_data", stdout=io.StringIO())
    redis.Redis.from_url(broker_url).flushdb()
    shutil.rmtree(MEDIA_ROOT, ignore_errors=True)
    MEDIA_ROOT.mkdir(parents=True)


def create_batch(cycle, user, regions, issuer):
    """One batch, numbered as ``issue_batch`` numbers it: allocate_number in one transaction."""
    from django.db import transaction

    from piagam.models import Certificate, CertificateBatch
    from piagam.services import (
        MINISTER_TITLE,
        MINISTRY_NAME,
        allocate_number,
        certificate_number,
    )

    scores = random.Random(YEAR)
    with transaction.atomic():
        batch = CertificateBatch.objects.create(
            cycle=cycle, kanwil=None, place="Jakarta", issued_on=ISSUED_ON, created_by=user
        )
        for index, region in enumerate(regions):
            sequence = allocate_number(issuer, YEAR)
            Certificate.objects.create(
                batch=batch,
                cycle=cycle,
                kanwil=None,
                region=region,
                issuer_code=issuer,
                year=YEAR,
                sequence=sequence,
                number=certificate_number(sequence, issuer, YEAR),
                categories=CATEGORY_SETS[index % len(CATEGORY_SETS)],
                score=Decimal(scores.randint(8000, 10000)) / 100,
                recipient=region.government_name,
                issuer_name=MINISTRY_NAME,
                place=region.short_name,
                issued_on=ISSUED_ON,
                signatory_name=SIGNATORY,
                signatory_nip="",
                signatory_title=MINISTER_TITLE,
                specimen=True,
                token=secrets.token_urlsafe(24),
            )
    return batch


def time_in_process(certificates, result, warmups=2):
    """Per certificate, alternately: plain WeasyPrint, and the workers' own renderer."""
    import weasyprint

    from piagam.pdf import (
        PDF_VARIANT,
        get_renderer,
        piagam_base_url,
        render_piagam_html,
        stylesheet_path,
    )
    from piagam.rendering import piagam_content

    def bare(html):
        # What a plain WeasyPrint caller writes: the stylesheet parsed for every document, a
        # new FontConfiguration inside write_pdf, WeasyPrint's default URL fetcher.
        return weasyprint.HTML(string=html, base_url=piagam_base_url()).write_pdf(
            stylesheets=[weasyprint.CSS(filename=stylesheet_path())], pdf_variant=PDF_VARIANT
        )

    renderer = get_renderer()
    for position, certificate in enumerate(certificates):
        started = time.perf_counter()
        html = render_piagam_html(piagam_content(certificate))
        html_seconds = time.perf_counter() - started
        started = time.perf_counter()
        pdf = bare(html)
        bare_seconds = time.perf_counter() - started
        started = time.perf_counter()
        renderer.html_to_pdf(html)
        renderer_seconds = time.perf_counter() - started
        if position >= warmups:
            result.html_seconds.append(html_seconds)
            result.bare_seconds.append(bare_seconds)
            result.renderer_seconds.append(renderer_seconds)
            result.bare_sizes.append(len(pdf))


def children_of(pid):
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return sorted(set(children))


def rss_kib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


class Worker:
    """``celery -A ranham_portal worker -Q pdf`` with two prefork processes, in its own group."""

    def __init__(self, env, *, processes):
        self.env, self.processes = env, processes
        self.process = None
        self.hostname = f"bench@{socket.gethostname()}"
        self.samples = {}  # pid -> [KiB, ...]
        self.middle = None  # {pid: KiB} when half the batch was finished

    def __enter__(self):
        celery = Path(sys.executable).with_name("celery")
        self.log = open(WORKER_LOG, "wb")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(
            [
                str(celery),
                "-A",
                "ranham_portal",
                "worker",
                "-Q",
                "pdf",
                f"--concurrency={self.processes}",
                "--pool=prefork",
                "-n",
                self.hostname,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its children can be killed with it if it hangs
        )
        return self

    def wait_until_ready(self, timeout=120):
        from ranham_portal.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker stopped; see {WORKER_LOG}")
            answered = app.control.ping(destination=[self.hostname], timeout=1.0)
            if answered and len(self.children()) == self.processes:
                return
            time.sleep(0.2)
        raise RuntimeError(f"the worker did not answer a ping; see {WORKER_LOG}")

    def children(self):
        return children_of(self.process.pid)

    def sample(self):
        """Current RSS of each child, in KiB; also kept for the peak."""
        current = {}
        for pid in self.children():
            kib = rss_kib(pid)
            if kib is not None:
                current[pid] = kib
                self.samples.setdefault(pid, []).append(kib)
        return current

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
        return False


def wait_for_batch(batch, expected, timeout, worker=None):
    """Poll until no certificate of the batch is pending or rendering; True if in time."""
    from django.db.models import Count

    from piagam.models import CertificateStatus

    unfinished = {CertificateStatus.PENDING, CertificateStatus.RENDERING}
    deadline = time.monotonic() + timeout
    while True:
        counts = dict(batch.certificates.values_list("status").annotate(n=Count("pk")).order_by())
        if sum(counts.values()) == expected and not unfinished & counts.keys():
            return True
        if time.monotonic() > deadline:
            return False
        if worker is not None:
            if worker.process.poll() is not None:
                raise RuntimeError(f"the worker stopped; see {WORKER_LOG}")
            current = worker.sample()
            done = sum(n for status, n in counts.items() if status not in unfinished)
            if worker.middle is None and done >= expected / 2:
                worker.middle = current
        time.sleep(0.2)


def run_pipeline(env, batch, warmup_batch, result):
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from piagam.tasks import enqueue_render

    started = time.perf_counter()
    with Worker(env, processes=WORKER_PROCESSES) as worker:
        worker.wait_until_ready()
        result.ready_seconds = time.perf_counter() - started
        enqueue_render(list(warmup_batch.certificates.values_list("pk", flat=True)))
        if not wait_for_batch(warmup_batch, 2, timeout=120):
            raise RuntimeError(f"the warm-up certificates were not rendered; see {WORKER_LOG}")
        start_rss = worker.sample()

        ids = list(batch.certificates.order_by("sequence").values_list("pk", flat=True))
        timeout = max(120.0, 2.0 * len(ids))
        enqueued_at = timezone.now()
        started = time.perf_counter()
        enqueue_render(ids)
        result.enqueue_seconds = time.perf_counter() - started
        finished = wait_for_batch(batch, len(ids), timeout, worker=worker)
        end_rss = worker.sample()
        if finished:
            last = batch.certificates.aggregate(last=Max("rendered_at"))["last"]
            result.wall_seconds = (last - enqueued_at).total_seconds()
        for pid in sorted(set(start_rss) | set(end_rss)):
            kib = worker.samples[pid]
            result.memory.append(
                ProcessMemory(
                    pid=pid,
                    start=start_rss.get(pid, kib[0]),
                    middle=(worker.middle or {}).get(pid),
                    end=end_rss.get(pid, kib[-1]),
                    peak=max(kib),
                    seen_at_start=pid in start_rss,
                )
            )
        # Pids seen only in between: processes that came and went during the run.
        for pid in sorted(set(worker.samples) - set(start_rss) - set(end_rss)):
            kib = worker.samples[pid]
            middle = (worker.middle or {}).get(pid)
            result.memory.append(ProcessMemory(pid, kib[0], middle, kib[-1], max(kib), False))
        # Read before the shutdown, which logs every process's exit.
        result.recycle_lines = [
            line
            for line in WORKER_LOG.read_text(errors="replace").splitlines()
            if any(word in line for word in ("memory limit", "exited with", "WorkerLost"))
        ]
    connection.close()  # the worker's shutdown may have taken long; start a fresh connection


def verify(batch, result):
    from django.core.files.storage import default_storage
    from django.db.models import Count

    certificates = list(batch.certificates.order_by("sequence"))
    result.statuses = dict(
        batch.certificates.values_list("status").annotate(n=Count("pk")).order_by()
    )
    result.attempts_above_one = sum(1 for c in certificates if c.attempts > 1)
    result.distinct_numbers = len({c.number for c in certificates})
    result.gapless = [c.sequence for c in certificates] == list(range(1, result.count + 1))
    result.numbers = [certificates[0].number, certificates[-1].number] if certificates else []
    for certificate in certificates:
        if certificate.rendered_at and certificate.claimed_at:
            result.task_seconds.append(
                (certificate.rendered_at - certificate.claimed_at).total_seconds()
            )
        if certificate.pdf and default_storage.exists(certificate.pdf.name):
            result.files_present += 1
            # Every file, not a sample: reading 552 small PDFs takes well under a second.
            data = Path(default_storage.path(certificate.pdf.name)).read_bytes()
            result.pipeline_sizes.append(len(data))
            result.checksums_checked += 1
            if data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == certificate.sha256:
                result.checksums_ok += 1


def wall_target(count):
    return WALL_TARGET_FULL * count / FULL_COUNT


def memory_ok(memory):
    growth_mib = (memory.end - memory.start) / 1024
    return (
        memory.seen_at_start
        and growth_mib < RSS_GROWTH_MIB
        and growth_mib < RSS_GROWTH_SHARE * memory.start / 1024
    )


def target_checks(result):
    """[(description, passed)]."""
    from piagam.models import CertificateStatus

    n = result.count
    issued = result.statuses.get(CertificateStatus.ISSUED, 0)
    failed = result.statuses.get(CertificateStatus.FAILED, 0)
    checks = [
        (f"{issued}/{n} issued, {failed} failed", issued == n and failed == 0),
        (
            f"{result.distinct_numbers}/{n} distinct numbers, sequence 1..{n} gapless",
            result.distinct_numbers == n and result.gapless,
        ),
        (
            f"{result.files_present}/{n} PDF files present, {result.checksums_ok}/"
            f"{result.checksums_checked} checked against their sha256",
            result.files_present == n and result.checksums_ok == result.checksums_checked == n,
        ),
    ]
    task = statistics.median(result.task_seconds) if result.task_seconds else float("inf")
    bare = statistics.median(result.bare_seconds)
    checks.append(
        (
            f"median task time / median plain WeasyPrint = {task / bare:.2f} "
            f"(target <= {RATIO_TARGET})",
            task / bare <= RATIO_TARGET,
        )
    )
    target = wall_target(n)
    wall = "not finished" if result.wall_seconds is None else f"{result.wall_seconds:.1f} s"
    checks.append(
        (
            f"wall time for {n} with {WORKER_PROCESSES} worker processes {wall} "
            f"(target < {target:.1f} s, i.e. 60 s for {FULL_COUNT})",
            result.wall_seconds is not None and result.wall_seconds < target,
        )
    )
    for memory in result.memory:
        growth = (memory.end - memory.start) / 1024
        checks.append(
            (
                f"worker process {memory.pid}: RSS {memory.start / 1024:.1f} -> "
                f"{memory.end / 1024:.1f} MiB (growth {growth:+.1f} MiB); flat means growth "
                f"< {RSS_GROWTH_MIB:g} MiB and < {RSS_GROWTH_SHARE:.0%} of its start RSS, and the "
                "same process at start and end",
                memory_ok(memory),
            )
        )
    if len(result.memory) != WORKER_PROCESSES:
        checks.append(
            (
                f"{len(result.memory)} worker processes seen during the run, expected "
                f"{WORKER_PROCESSES} (a process was replaced)",
                False,
            )
        )
    return checks


def print_report(result, database_url, broker_url, total_seconds):
    import celery
    import weasyprint
    from django.conf import settings
    from django.db import connection

    def ms(values):
        return f"{statistics.median(values) * 1000:8.1f}" if values else "     n/a"

    def spread(values):
        if len(values) < 2:
            return ""
        ordered = sorted(values)
        p90 = ordered[int(0.9 * (len(ordered) - 1))]
        return f"min {ordered[0] * 1000:.0f}, p90 {p90 * 1000:.0f}, max {ordered[-1] * 1000:.0f}"

    n = result.count
    bare = statistics.median(result.bare_seconds)
    task = statistics.median(result.task_seconds) if result.task_seconds else None
    print("\n" + "=" * 100)
    print("RANHAM piagam benchmark")
    print(
        f"PostgreSQL {connection.pg_version // 10000} at {database_url.split('@')[-1]}; broker "
        f"{broker_url.split('@')[-1]}; {os.cpu_count()} CPU cores; Python "
        f"{platform.python_version()}, WeasyPrint {weasyprint.__version__}, Celery "
        f"{celery.__version__}; DEBUG=0"
    )
    print(
        f"{n} certificates ({result.regions} regions loaded), numbers {result.numbers[0]} .. "
        f"{result.numbers[-1]}, created with allocate_number in one transaction in "
        f"{result.create_seconds:.1f} s; PDF/A-3b, unsigned (no PIAGAM_SIGNING_PKCS12)"
    )
    print(
        f"Worker: celery -A ranham_portal worker -Q pdf --concurrency={WORKER_PROCESSES} "
        f"--pool=prefork; acks_late, prefetch multiplier "
        f"{settings.CELERY_WORKER_PREFETCH_MULTIPLIER}, max tasks per child "
        f"{settings.CELERY_WORKER_MAX_TASKS_PER_CHILD}, max memory per child "
        f"{settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD} KiB; ready (ping answered) "
        f"{result.ready_seconds:.1f} s after start; 2 warm-up certificates before the RSS at start"
    )
    print(
        f"Plain loop: in this process, before the worker started, {len(result.bare_seconds)} of "
        "the same certificates (after 2 warm-ups), each timed as\n"
        "    weasyprint.HTML(string=html, base_url=piagam_base_url()).write_pdf(\n"
        "        stylesheets=[weasyprint.CSS(filename=stylesheet_path())], "
        "pdf_variant='pdf/a-3b')\n"
        "  i.e. the CSS parsed and a new FontConfiguration for every document, WeasyPrint's "
        "default\n  URL fetcher; the HTML (template and QR code) is built before the timing."
    )
    print(
        "Pipeline: the task claims its row, loads it, builds the HTML and QR code, renders with\n"
        "  piagam.pdf.get_renderer() (one FontConfiguration, the parsed CSS and a "
        "static-only\n  URL fetcher kept per process), writes the file and its sha256; task "
        "time = rendered_at - claimed_at."
    )
    print("\nTime per certificate                                          median ms   spread ms")
    print("-" * 100)
    rows = [
        ("plain WeasyPrint loop (write_pdf only)", result.bare_seconds),
        ("pipeline's renderer in this process (html_to_pdf only)", result.renderer_seconds),
        ("building the HTML: template + QR code (in this process)", result.html_seconds),
        ("pipeline task: rendered_at - claimed_at", result.task_seconds),
    ]
    for label, values in rows:
        print(f"  {label:<58}{ms(values)}   {spread(values)}")
    if result.wall_seconds is not None:
        effective = result.wall_seconds * WORKER_PROCESSES / n
        print(f"  {'pipeline effective: wall x 2 / ' + str(n):<58}{effective * 1000:8.1f}")
    if task is not None:
        print(f"\n  ratio median task / median plain loop: {task / bare:.2f}")
        print(
            "  ratio median task / median of the pipeline's renderer: "
            f"{task / statistics.median(result.renderer_seconds):.2f}"
        )
    if result.wall_seconds is not None:
        print(
            f"  ratio effective (wall x 2 / {n}) / median plain loop: "
            f"{result.wall_seconds * WORKER_PROCESSES / n / bare:.2f}"
        )
        print(
            f"\nWall time, enqueue of the first to rendered_at of the last: "
            f"{result.wall_seconds:.1f} s for {n} ({n / result.wall_seconds:.1f} per second); "
            f"enqueueing took {result.enqueue_seconds:.2f} s"
        )
    else:
        print(f"\nWall time: not finished before the timeout; statuses {result.statuses}")
    print(
        f"PDF size: pipeline median {statistics.median(result.pipeline_sizes or [0]) / 1024:.1f}"
        f" KiB, plain loop median {statistics.median(result.bare_sizes) / 1024:.1f} KiB; "
        f"certificates rendered more than once: {result.attempts_above_one}"
    )
    print(
        "\nWorker processes (RSS, MiB; half = when half the batch was finished)\n"
        "                      start     half      end   growth     peak"
    )
    for memory in result.memory:
        note = "" if memory.seen_at_start else "  (not there at start)"
        middle = "      n/a" if memory.middle is None else f"{memory.middle / 1024:9.1f}"
        print(
            f"  pid {memory.pid:<14}{memory.start / 1024:9.1f}{middle}{memory.end / 1024:9.1f}"
            f"{(memory.end - memory.start) / 1024:+9.1f}{memory.peak / 1024:9.1f}{note}"
        )
    for line in result.recycle_lines:
        print(f"  worker log: {line.strip()}")
    print(
        f"1-min load average {result.load_average[0]:.1f} before, {result.load_average[1]:.1f} "
        f"after the pipeline; whole run {total_seconds:.0f} s"
    )
    print("\nTargets:")
    for text, passed in target_checks(result):
        print(f"  [{'PASS' if passed else 'FAIL'}] {text}")
    print("=" * 100)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=FULL_COUNT, help="certificates (regions)")
    parser.add_argument(
        "--sample", type=int, default=60, help="certificates in the plain WeasyPrint loop"
    )
    args = parser.parse_args(argv)
    run_started = time.perf_counter()
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    broker_url = os.environ.get("CELERY_BROKER_URL", DEFAULT_BROKER_URL)
    env = configure(database_url, broker_url)

    from accounts.models import Region, Role, User
    from reporting.models import ReportingCycle

    print(f"Reset {database_url.split('@')[-1]} and flush {broker_url} ...", flush=True)
    reset(database_url, broker_url)
    regions = list(Region.objects.order_by("code"))
    if not 1 <= args.count <= len(regions):
        raise SystemExit(f"--count must be between 1 and {len(regions)}")
    result = Result(count=args.count, regions=len(regions))
    cycle = ReportingCycle.objects.create(year=YEAR, name=f"RANHAM {YEAR} (bench)")
    user = User.objects.create(
        username="bench.piagam", first_name="Bench", last_name="piagam (contoh)", role=Role.ADMIN
    )
    started = time.perf_counter()
    batch = create_batch(cycle, user, regions[: args.count], ISSUER)
    result.create_seconds = time.perf_counter() - started
    warmup_batch = create_batch(cycle, user, regions[:2], WARMUP_ISSUER)
    print(f"{args.count} certificates created in {result.create_seconds:.1f} s", flush=True)

    certificates = list(batch.certificates.order_by("sequence"))
    sample = min(args.sample, len(certificates))
    step = len(certificates) / sample
    chosen = [certificates[int(i * step)] for i in range(sample)]
    print(f"Plain WeasyPrint loop on {sample} (+2 warm-up) ...", flush=True)
    time_in_process(certificates[-2:] + chosen, result)

    print(f"Worker with {WORKER_PROCESSES} processes; log {WORKER_LOG} ...", flush=True)
    before = os.getloadavg()[0]
    run_pipeline(env, batch, warmup_batch, result)
    result.load_average = (before, os.getloadavg()[0])
    verify(batch, result)
    print_report(result, database_url, broker_url, time.perf_counter() - run_started)
    return 0 if all(passed for _text, passed in target_checks(result)) else 1


if __name__ == "__main__":
    sys.exit(main())
