"""Deadline rush: every region's officer logs in, fills the report, uploads three evidence
files of about 1 MB and submits, arriving as a deadline evening brings them.

    .venv/bin/python bench/rush.py [--officers 552] [--minutes 10] [--workers 2]
                                   [--proxy auto|on|off] [--search]

It resets a PostgreSQL database (its name must contain "bench"; default
postgres://postgres@127.0.0.1:5432/ranham_bench_rush), creates an open period with three
actions of one evidence item each and one officer per region, starts gunicorn with
gunicorn.conf.py and, when nginx is installed, the reverse proxy of deploy/nginx in front
(so uploads meet its body limit and timeouts). Officers arrive as a Poisson process (552 over
10 minutes by default; --rate sets officers per minute instead). Each officer: GET the login
page, POST the login, GET the report form, POST the entries with three files (draft), GET the
form again and POST "kirim". It prints throughput, p50/p95/p99 per step and errors by kind,
then checks in the database that every report was submitted once and every file is stored
once with the SHA-256 the officer sent. With --search it then runs short rushes at rising
rates (a new period each) and reports the arrival rate at which p95 passes 2 s.
"""

import argparse
import hashlib
import html.parser
import http.client
import io
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from server import nginx_binary, start_nginx  # noqa: E402 - bench/ is no package

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ranham_bench_rush"
BENCH_DIR = ROOT / "var" / "bench" / "rush"
MEDIA_ROOT = BENCH_DIR / "media"
PASSWORD = "Rush-Password-2025!"
STEPS = ["login_page", "login", "form", "upload", "form_again", "submit"]
FILE_BYTES = 1_000_000
P95_TARGET = 2.0


# --- setup ------------------------------------------------------------------------------------


def configure(database_url):
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    env = {
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(MEDIA_ROOT),
        "VAR_DIR": str(BENCH_DIR / "var"),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_SETTINGS_MODULE": "ranham_portal.settings",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "json",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    os.environ.update(env)
    import django

    django.setup()
    return {**os.environ, **env}


def reset(database_url, officers):
    import measure
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from accounts.models import Region, Role, User

    measure.check_database_name(database_url)
    measure.close_connections()
    measure._recreate_database(database_url)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_reference_data", stdout=io.StringIO())
    call_command("collectstatic", interactive=False, verbosity=0)
    shutil.rmtree(MEDIA_ROOT, ignore_errors=True)
    MEDIA_ROOT.mkdir(parents=True)
    regions = list(Region.objects.order_by("code")[:officers])
    if len(regions) < officers:
        raise SystemExit(f"only {len(regions)} regions in the reference data")
    hashed = make_password(PASSWORD)  # one hash for all: setup need not hash 552 times
    User.objects.bulk_create(
        [
            User(username=f"rush.{region.code}", role=Role.OFFICER, region=region, password=hashed)
            for region in regions
        ]
    )
    return regions


def open_period(regions, code):
    """A period due tomorrow, three actions of one evidence item, assigned to the regions."""
    import datetime

    from accounts.days import ministry_today
    from tests.support import build_period

    today = ministry_today()
    return build_period(
        regions,
        year=today.year,
        actions=3,
        items_per_action=1,
        code=code,
        due_on=today + datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=20),
    )


# --- servers ----------------------------------------------------------------------------------


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_http(port, path, process, log, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server stopped; see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on {port} did not answer {path}; see {log}")


class Server:
    """gunicorn -c gunicorn.conf.py (one per node, each with its own VAR_DIR and MEDIA_ROOT),
    and nginx in front of them when asked (always with several nodes)."""

    def __init__(self, env, *, workers, proxy, nodes=1):
        self.env, self.workers, self.proxy, self.nodes = env, workers, proxy, nodes
        self.processes = []

    def __enter__(self):
        ports = []
        gunicorn = Path(sys.executable).with_name("gunicorn")
        for node in range(self.nodes):
            port = free_port()
            home = BENCH_DIR / f"node-{node}" if self.nodes > 1 else None
            log = BENCH_DIR / ("gunicorn.log" if home is None else f"gunicorn-{node}.log")
            env = {
                **self.env,
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "WEB_CONCURRENCY": str(self.workers),
            }
            if home is not None:
                env.update(VAR_DIR=str(home / "var"), MEDIA_ROOT=str(home / "media"))
                env["STATIC_ROOT"] = str(BENCH_DIR / "var" / "static")
            process = subprocess.Popen(
                [str(gunicorn), "-c", "gunicorn.conf.py", "ranham_portal.wsgi:application"],
                cwd=ROOT,
                env=env,
                stdout=open(log, "wb"),  # noqa: SIM115
                stderr=subprocess.STDOUT,
            )
            self.processes.append(process)
            wait_http(port, "/sehat/", process, log)
            ports.append(port)
        self.gunicorns = list(self.processes)
        self.port = ports[0]
        if self.proxy or self.nodes > 1:
            self.port = free_port()
            upstream = ports if self.nodes > 1 else ports[0]
            self.nginx = start_nginx(upstream, self.port, BENCH_DIR / "nginx")
            self.processes.append(self.nginx)
            wait_http(self.port, "/nginx-health", self.nginx, BENCH_DIR / "nginx")
        return self

    def __exit__(self, *exc):
        for process in reversed(self.processes):
            if process.poll() is None:
                stop = signal.SIGTERM if process in self.gunicorns else signal.SIGQUIT
                process.send_signal(stop)
                try:
                    process.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    process.kill()
        return False


def start_bucket():
    """A moto S3 server in this process (a dev dependency) and a fresh bucket in it."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    ).create_bucket(Bucket="rush")
    url = f"s3://rush?endpoint_url={endpoint}&region=us-east-1&access_key=bench&secret_key=bench"
    return server, url


# --- one officer ------------------------------------------------------------------------------


class FormParser(html.parser.HTMLParser):
    """The fields of the report form: inputs, textareas, selects and their current values."""

    def __init__(self):
        super().__init__()
        self.fields, self.files, self.selects, self.errors = {}, [], {}, 0
        self.textareas = set()
        self._textarea = self._select = None
        self.in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if (
            tag == "form"
            and attrs.get("method", "").lower() == "post"
            and attrs.get("enctype", "").startswith("multipart")
        ):
            self.in_form = True
        if "is-invalid" in (attrs.get("class") or ""):
            self.errors += 1
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind == "file":
                self.files.append(name)
            elif kind in ("hidden", "text", "number", "date"):
                self.fields[name] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.textareas.add(name)
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.selects[name] = []
        elif tag == "option" and self._select:
            self.selects[self._select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.in_form = False

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


_TEMPLATE = {}


def evidence_pdf(label):
    """A valid PDF of about 1 MB whose bytes differ per label. One PDF is built once with a
    placeholder of fixed length; each label only swaps in its own hex of the same length,
    so the cross-reference offsets stay right and 1,656 files take seconds, not minutes."""
    if not _TEMPLATE:
        from pypdf import PdfWriter

        writer = PdfWriter()
        writer.add_blank_page(width=595, height=842)
        writer.add_metadata({"/Title": "bukti", "/Subject": "0" * FILE_BYTES})
        buffer = io.BytesIO()
        writer.write(buffer)
        _TEMPLATE["bytes"] = buffer.getvalue()
    template = _TEMPLATE["bytes"]
    start = template.index(b"0" * FILE_BYTES)
    padding = random.Random(label).randbytes(FILE_BYTES // 2).hex().encode()
    return template[:start] + padding + template[start + FILE_BYTES :]


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for name, value in fields:
        body.write(
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, data) in files.items():
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        )
        body.write(data)
        body.write(b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


class StepFailed(Exception):
    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


@dataclass
class Officer:
    username: str
    period_pk: int
    port: int
    timeout: float
    timings: dict = field(default_factory=dict)
    sent: dict = field(default_factory=dict)  # file name -> sha256
    cookies: dict = field(default_factory=dict)
    error: str = ""
    arrived: float = 0.0
    payloads: list = field(default_factory=list)  # made before the rush: the client stays light

    def request(self, step, method, path, body=None, content_type=None, expect=(200,)):
        headers = {"Host": "127.0.0.1", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = content_type
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        if "csrftoken" in self.cookies and method == "POST":
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
            conn.close()
        except TimeoutError as error:
            raise StepFailed(f"{step}: timeout") from error
        except OSError as error:
            raise StepFailed(f"{step}: {error.__class__.__name__}") from error
        finally:
            self.timings[step] = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.status not in expect:
            raise StepFailed(f"{step}: HTTP {response.status}")
        return response, content.decode("utf-8", "replace")

    def run(self):
        _response, page = self.request("login_page", "GET", "/masuk/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urlencode(
            {"csrfmiddlewaretoken": token, "username": self.username, "password": PASSWORD}
        )
        response, _page = self.request(
            "login", "POST", "/masuk/", body, "application/x-www-form-urlencoded", expect=(302,)
        )
        form_path = f"/laporan/periode/{self.period_pk}/"
        form = self.parse(self.request("form", "GET", form_path)[1])
        fields = self.filled(form)
        files = {}
        for index, (name, data) in enumerate(zip(form.files, self.payloads, strict=False), 1):
            files[name] = (f"bukti-{index}.pdf", data)
            self.sent[name] = hashlib.sha256(data).hexdigest()
        if len(files) != 3:
            raise StepFailed(f"form: {len(files)} file fields")
        body, content_type = multipart([*fields, ("simpan", "1")], files)
        self.request("upload", "POST", form_path, body, content_type, expect=(302,))
        form = self.parse(self.request("form_again", "GET", form_path)[1])
        # "confirmed": what the browser adds once the officer accepts the dialog (confirm.js).
        body, content_type = multipart([*self.filled(form), ("kirim", "1"), ("confirmed", "1")], {})
        response, _page = self.request(
            "submit", "POST", form_path, body, content_type, expect=(302,)
        )
        if "/laporan/periode/" in (response.getheader("Location") or ""):
            raise StepFailed("submit: not accepted")

    @staticmethod
    def parse(page):
        parser = FormParser()
        parser.feed(page)
        return parser

    @staticmethod
    def filled(form):
        fields = []
        for name, value in form.fields.items():
            if name in form.textareas:
                value = value.strip() or "Capaian terlaksana sesuai rencana aksi daerah."
            fields.append((name, value))
        for name, options in form.selects.items():
            fields.append((name, "done" if "done" in options else options[-1]))
        return fields


# --- a rush -----------------------------------------------------------------------------------


@dataclass
class Rush:
    rate_per_minute: float
    officers: list
    seconds: float = 0.0
    late_starts: int = 0

    @property
    def finished(self):
        return [o for o in self.officers if not o.error]

    def errors(self):
        return Counter(o.error for o in self.officers if o.error)

    def step_times(self, step):
        return sorted(o.timings[step] for o in self.officers if step in o.timings)

    def all_times(self):
        return sorted(t for o in self.officers for t in o.timings.values())


def percentile(values, q):
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, int(round(q / 100 * (len(values) - 1)))))
    return values[index]


def run_rush(port, usernames, period_pk, rate_per_minute, timeout, seed=2025):
    """Officers arrive as a Poisson process at the given rate; each runs in its own thread."""
    rng = random.Random(seed)
    officers = [Officer(name, period_pk, port, timeout) for name in usernames]
    for officer in officers:
        officer.payloads = [evidence_pdf(f"{officer.username}-{period_pk}-{i}") for i in (1, 2, 3)]
    arrivals, at = [], 0.0
    for _ in officers:
        at += rng.expovariate(rate_per_minute / 60.0)
        arrivals.append(at)
    threads = []
    started = time.perf_counter()

    def work(officer):
        try:
            officer.run()
        except StepFailed as failure:
            officer.error = failure.kind
        except Exception as error:  # a bench must report, not die
            officer.error = f"client: {error.__class__.__name__}: {error}"[:120]

    for officer, arrival in zip(officers, arrivals, strict=True):
        delay = arrival - (time.perf_counter() - started)
        if delay > 0:
            time.sleep(delay)
        officer.arrived = time.perf_counter() - started
        thread = threading.Thread(target=work, args=(officer,), daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(timeout + 600)
    rush = Rush(rate_per_minute, officers)
    rush.seconds = time.perf_counter() - started
    return rush


def verify(period_pk, rush):
    """Every report submitted once; every file stored once with the hash the officer sent."""
    from django.db.models import Count

    from reporting.models import Evidence, Report

    reports = Report.objects.filter(period_id=period_pk)
    by_region = reports.values("region").annotate(n=Count("pk"))
    submitted = reports.exclude(first_submitted_at__isnull=True).count()
    duplicates = sum(1 for row in by_region if row["n"] > 1)
    evidence = Evidence.objects.filter(report__period_id=period_pk, removed_at__isnull=True)
    stored = defaultdict(list)
    wrong = missing = 0
    from accounts import storage

    for item in evidence.select_related("report__region"):
        stored[item.report.region.code].append(item)
        try:  # through the storage: local files or the bucket
            digest = storage.sha256_of(item.file.name)
        except FileNotFoundError:
            missing += 1
            continue
        if digest != item.sha256:
            wrong += 1
    sent_hashes = Counter(h for o in rush.officers for h in o.sent.values())
    stored_hashes = Counter(item.sha256 for items in stored.values() for item in items)
    finished_sent = Counter(h for o in rush.finished for h in o.sent.values())
    return {
        "officers finished": len(rush.finished),
        "reports submitted": submitted,
        "regions with two reports": duplicates,
        "evidence rows": sum(stored_hashes.values()),
        "files stored twice": sum(1 for n in stored_hashes.values() if n > 1),
        "files missing on disk": missing,
        "files with a wrong hash": wrong,
        "finished officers' files not stored": sum(
            1 for h in finished_sent if h not in stored_hashes
        ),
        "stored files nobody sent": sum(1 for h in stored_hashes if h not in sent_hashes),
    }


def print_rush(rush, title):
    total = len(rush.officers)
    requests = sum(len(o.timings) for o in rush.officers)
    print(f"\n== {title}: {total} officers at {rush.rate_per_minute:.1f}/min")
    print(
        f"wall {rush.seconds:.1f} s; {len(rush.finished)} submitted "
        f"({len(rush.finished) / max(rush.seconds, 1e-9) * 60:.1f} reports/min); "
        f"{requests} requests ({requests / max(rush.seconds, 1e-9):.2f} req/s); "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(f"{'step':<12}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for step in STEPS:
        times = rush.step_times(step)
        if times:
            print(
                f"{step:<12}{len(times):>6}{percentile(times, 50) * 1000:>10.0f}"
                f"{percentile(times, 95) * 1000:>10.0f}{percentile(times, 99) * 1000:>10.0f}"
                f"{times[-1] * 1000:>10.0f}"
            )
    times = rush.all_times()
    print(
        f"{'all':<12}{len(times):>6}{percentile(times, 50) * 1000:>10.0f}"
        f"{percentile(times, 95) * 1000:>10.0f}{percentile(times, 99) * 1000:>10.0f}"
        f"{(times[-1] if times else 0) * 1000:>10.0f}"
    )
    errors = rush.errors()
    print("errors by kind: " + (", ".join(f"{k} x{n}" for k, n in errors.items()) or "none"))


def search(port, usernames, regions, start_rate, timeout, limit_rounds):
    """Double the arrival rate until p95 passes 2 s (or errors appear), then halve the gap."""
    low, high, rate = None, None, start_rate
    rounds = 0
    while rounds < limit_rounds:
        rounds += 1
        period = open_period(regions, f"S{rounds}")
        rush = run_rush(port, usernames, period.pk, rate, timeout, seed=rounds)
        p95 = percentile(rush.all_times(), 95)
        bad = p95 > P95_TARGET or rush.errors()
        print(
            f"search round {rounds}: {rate:.0f}/min -> p95 {p95 * 1000:.0f} ms, "
            f"errors {sum(rush.errors().values())}, load {os.getloadavg()[0]:.2f}"
        )
        if bad:
            high = rate
        else:
            low = rate
        if high is None:
            rate *= 2
        elif low is None:
            rate /= 2
        elif high / low <= 1.3:
            break
        else:
            rate = (low + high) / 2
    return low, high


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officers", type=int, default=552)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, help="arrivals per minute (default officers/minutes)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--proxy", choices=["auto", "on", "off"], default="auto")
    parser.add_argument("--timeout", type=float, default=60.0, help="client timeout per request")
    parser.add_argument("--search", action="store_true", help="find the rate where p95 > 2 s")
    parser.add_argument("--search-officers", type=int, default=120)
    parser.add_argument("--search-rounds", type=int, default=6)
    parser.add_argument("--nodes", type=int, default=1, help="web nodes, each with its own disk")
    parser.add_argument("--bucket", action="store_true", help="files in a moto S3 bucket")
    args = parser.parse_args(argv)
    if args.nodes > 1 and not args.bucket:
        raise SystemExit("several nodes share no disk: add --bucket")
    bucket = None
    if args.bucket:
        bucket, os.environ["STORAGE_URL"] = start_bucket()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    proxy = {"on": True, "off": False, "auto": nginx_binary() is not None}[args.proxy]
    if proxy and not nginx_binary():
        raise SystemExit("nginx is not installed (apt-get install nginx-light), or use --proxy off")
    env = configure(database_url)
    print(
        f"rush: {args.officers} officers, {args.nodes} x gunicorn -w {args.workers}"
        f"{', files in an S3 bucket (moto)' if bucket else ''}"
        f"{' behind nginx' if proxy else ' (no proxy)'}, "
        f"PostgreSQL {database_url.rsplit('/', 1)[-1]},"
        f" {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
    )
    regions = reset(database_url, args.officers)
    period = open_period(regions, "RUSH")
    usernames = [f"rush.{region.code}" for region in regions]
    rate = args.rate or args.officers / args.minutes
    from django.db import connections

    connections.close_all()
    with Server(env, workers=args.workers, proxy=proxy, nodes=args.nodes) as server:
        rush = run_rush(server.port, usernames, period.pk, rate, args.timeout)
        print_rush(rush, "deadline rush")
        checks = verify(period.pk, rush)
        print("checks: " + "; ".join(f"{k} {v}" for k, v in checks.items()))
        ok = (
            not rush.errors()
            and checks["reports submitted"] == args.officers
            and not any(
                checks[k]
                for k in (
                    "regions with two reports",
                    "files stored twice",
                    "files missing on disk",
                    "files with a wrong hash",
                    "finished officers' files not stored",
                    "stored files nobody sent",
                )
            )
            and checks["evidence rows"] == 3 * args.officers
        )
        p95 = percentile(rush.all_times(), 95)
        print(
            f"targets: 0 errors, 0 lost, p95 < {P95_TARGET:.0f} s -> "
            f"{'met' if ok and p95 < P95_TARGET else 'NOT met'} (p95 {p95 * 1000:.0f} ms)"
        )
        if args.search:
            low, high = search(
                server.port,
                usernames[: args.search_officers],
                regions[: args.search_officers],
                max(rate, 30.0),
                args.timeout,
                args.search_rounds,
            )
            print(
                f"p95 passes {P95_TARGET:.0f} s between {low or 0:.0f} and "
                f"{high or float('inf'):.0f} arrivals/min"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
