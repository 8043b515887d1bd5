"""Benchmark of the portal's pages on PostgreSQL at a tenth and at full national scale.

For each scale it resets the database (migrate, load_reference_data, seed_scale, this year's
cycle for the report form, one issued piagam for the public pages), counts the queries of each
page in-process, times ``recompute_cycle`` for one national cycle, starts gunicorn (2 sync
workers, DEBUG=0) on 127.0.0.1 and loads it with ``wrk`` (4 connections), each page alternated
with ``/sehat/`` in the same round. Every page is measured three ways:

- warm: one session of the page's role, repeated (what a user reloading the page meets);
- first view: every request with a session not used before (a wrk script rotating among
  pre-created sessions), so nothing cached for one session helps;
- cold: the whole cache cleared before each of a few sequential requests.

Then, under a busy deadline day, the work pages again while officers save and submit reports
with evidence at the same time (bench/busy.py). It prints one table and exits 1 when a target
is missed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ranham_bench .venv/bin/python bench/run_all.py

The web processes share a Redis cache (BENCH_CACHE_URL, default redis://127.0.0.1:6379/12,
cleared at each scale), as docker-compose.yml configures production.

The database named in DATABASE_URL is dropped and created again; its name must contain
"bench" so that no other database can be wiped by mistake.
"""

import argparse
import os
import platform
import secrets
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ranham_bench"
BENCH_DIR = Path(os.environ.get("BENCH_DIR", ROOT / "var" / "bench"))
CYCLE_YEAR = 2025
EVALUATOR_KANWIL = "jatim"  # a Kanwil that has regions with data at both scales

# Targets at full scale (issue 13): ratio of requests per second to /sehat/ in the same round.
DASHBOARD_RATIO = 0.2
WORK_RATIO = 0.05
RESULTS_RATIO = 0.3  # issue 22: the public ranking under /hasil/
API_RATIO = 0.2  # issue 22: the API's list endpoints
WORK_P99_MS = 150
RECOMPUTE_SECONDS = 1.0
GROWTH = 2.0  # a page's warm p50 may grow at most this much from the first scale to the last
BUSY_FACTOR = 2.0  # under the deadline load the work pages stay within 2x of the figures
REBUILD_FACTOR = 2.0  # the first view after a recomputation, within 2x of a warm view


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    path: str
    role: str | None  # whose session requests it; None: anonymous; KEY: a national system
    kind: str  # DASHBOARD, WORK, PUBLIC, RESULTS or API: which targets apply


TRIVIAL = "trivial"
DASHBOARD, WORK, PUBLIC = "dashboard", "work", "public"
RESULTS, API = "results", "api"
KEY = "api-key"  # requests carry a national key (Authorization: Api-Key ...), no session

PAGES = [
    Page(TRIVIAL, "trivial view (no DB)", "/sehat/", None, ""),
    Page("overview", "national overview", "/evaluasi/nasional/?siklus={year}", "admin", DASHBOARD),
    Page("awards", "awards (national)", "/penghargaan/?siklus={year}", "admin", DASHBOARD),
    Page("ranking", "national ranking", "/evaluasi/peringkat/?siklus={year}", "admin", DASHBOARD),
    Page(
        "kanwil_ranking",
        "Kanwil ranking",
        "/evaluasi/peringkat/?siklus={year}",
        "evaluator",
        DASHBOARD,
    ),
    Page("queue", "Kanwil queue", "/evaluasi/antrean/?siklus={year}", "evaluator", WORK),
    Page("review", "review screen", "/evaluasi/laporan/{review}/reviu/", "evaluator", WORK),
    Page(
        "explain",
        "score explanation",
        "/evaluasi/nilai/{region}/{explain_period}/",
        "evaluator",
        WORK,
    ),
    Page("extensions", "extension requests (40)", "/laporan/perpanjangan/", "evaluator", WORK),
    Page("board", "readiness board (national)", "/akun/kesiapan/", "admin", WORK),
    Page("kanwil_board", "readiness board (Kanwil)", "/akun/kesiapan/", "evaluator", WORK),
    Page("officer", "officer home", "/laporan/", "officer", WORK),
    Page("form", "officer report form", "/laporan/periode/{form_period}/", "officer", WORK),
    Page("verify", "piagam by QR (public)", "/piagam/v/{token}/", None, PUBLIC),
    Page("lookup", "piagam by number (public)", "/piagam/cek/?nomor={number}", None, PUBLIC),
    Page("results", "public ranking /hasil/", "/hasil/{year}/", None, RESULTS),
    Page("api_regions", "API regions (1,000)", "/api/v1/regions/?page_size=1000", None, API),
    Page("api_results", "API results", "/api/v1/results/{year}/?page_size=1000", None, API),
    Page(
        "api_rates",
        "API rates (key)",
        "/api/v1/rates/?period={explain_period}&page_size=1000",
        KEY,
        API,
    ),
]


@dataclass
class Figures:
    """One page in one mode at one scale: medians over the rounds."""

    ratio: float = 0.0  # rps / rps of /sehat/ in the same round
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    bad: int = 0  # answers other than 2xx/3xx, and socket errors


@dataclass
class ScaleRun:
    fraction: float
    seed_seconds: float = 0.0
    rows: dict = field(default_factory=dict)
    queries: dict = field(default_factory=dict)  # page key -> (count, status)
    recompute_seconds: dict = field(default_factory=dict)  # "unchanged"/"changed" -> [s]
    warm: dict = field(default_factory=dict)  # page key -> Figures
    first: dict = field(default_factory=dict)  # page key -> Figures
    cold: dict = field(default_factory=dict)  # page key -> (p50 ms, max ms, statuses)
    busy: dict = field(default_factory=dict)  # page key -> Figures, under the deadline load
    busy_load: object = None  # busy.BusyResult
    load_average: tuple = ()  # 1-min load average before and after the load
    after_recompute: dict = field(default_factory=dict)  # page key -> AfterRecompute


# The pages whose figures a recomputation renews, and the cycle each shows (None: this
# year's, which the officer's home shows with the region's standing).
RECOMPUTED_PAGES = {"overview": CYCLE_YEAR, "awards": CYCLE_YEAR, "officer": None}


@dataclass
class AfterRecompute:
    """One page's view after a recomputation of its cycle, next to a warm one (medians, ms)."""

    warm_ms: float  # the same session again, nothing changed
    first_ms: float  # a session never used before, nothing changed
    rebuilt_ms: float  # the first view after a recomputation, the worker's rebuild done
    unbuilt_ms: float  # the same, with the version moved by the recomputation (no rebuild)
    rebuild_s: float  # the worker's rebuild
    statuses: str


def configure(database_url, secret_key):
    """Settings for this process: production ones, plus the test client's host."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    base = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret_key,
        "STATIC_ROOT": str(BENCH_DIR / "static"),
        "MEDIA_ROOT": str(BENCH_DIR / "media"),
        # As in production (docker-compose.yml): a Redis cache shared by the web processes.
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/12"),
        # The public lookup is throttled per address; the load comes from one address.
        "PIAGAM_LOOKUP_LIMIT": "100000000",
        "API_PUBLIC_RATE": "100000000/minute",
        "API_KEY_RATE": "100000000/minute",
        "DJANGO_SETTINGS_MODULE": "ranham_portal.settings",
    }
    os.environ.update(base)
    os.environ.update(
        {
            "DEBUG": "0",
            "DEMO": "1",  # seed_scale lives in the demo app
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return base


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="0.1,1", help="fractions of the regions, in order")
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=3.0, help="one wrk run's duration")
    parser.add_argument("--cold", type=int, default=10, help="cold requests per page")
    parser.add_argument("--officers", type=int, default=100, help="officers in the busy run")
    parser.add_argument(
        "--upload-workers",
        type=int,
        default=1,
        help="gunicorn workers of the uploads pool that serves the busy officers' POSTs",
    )
    parser.add_argument("--pages", default="", help="only these page keys (comma-separated)")
    parser.add_argument(
        "--reuse-seed",
        action="store_true",
        help="keep a copy of each seeded scale and start from it when scale, day and sources match",
    )
    parser.add_argument(
        "--recomputes",
        type=int,
        default=3,
        help="recomputations per page and way for the first view after a recomputation",
    )
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    base_env = configure(database_url, secrets.token_urlsafe(64))

    import busy  # needs Django set up
    import measure
    from server import Gunicorn, nginx_binary, production_env

    pages = [
        p for p in PAGES if not args.pages or p.key in args.pages.split(",") or p.key == TRIVIAL
    ]
    measure.check_database_name(database_url)
    print(f"Static files for DEBUG=0 (collectstatic into {BENCH_DIR / 'static'}) ...", flush=True)
    measure.collect_static()
    runs = []
    for fraction in [float(part) for part in args.scales.split(",")]:
        run = ScaleRun(fraction=fraction)
        print(f"\n== scale {fraction:g}: reset database and seed_scale", flush=True)
        run.seed_seconds, run.rows = measure.reset_and_seed(
            database_url, fraction, args.cycles, reuse=args.reuse_seed
        )
        from django.core.cache import cache

        cache.clear()  # nothing cached from the previous scale
        print(f"   seeded in {run.seed_seconds:.1f} s: {run.rows}", flush=True)
        users = measure.bench_users(EVALUATOR_KANWIL)
        values = measure.page_paths(users, CYCLE_YEAR)
        run.queries = measure.count_queries(pages, users, values)
        print(f"   queries: {run.queries}", flush=True)
        run.recompute_seconds = measure.time_recompute(CYCLE_YEAR, times=3)
        print(f"   recompute_cycle: {run.recompute_seconds}", flush=True)
        cookies = measure.session_cookies(users)
        cookies[KEY] = {"header": f"Authorization: Api-Key {values['api_key']}"}
        officers = busy.prepare(args.officers * 3)
        measure.close_connections()
        env = production_env(base_env)
        log_path = BENCH_DIR / f"gunicorn-{fraction:g}.log"
        before = os.getloadavg()[0]
        with Gunicorn(env, workers=2, log_path=log_path) as server:
            base = f"http://127.0.0.1:{server.port}"
            print(f"   gunicorn -w 2 on {base}; wrk ...", flush=True)
            measure_scale(run, pages, base, users, cookies, values, args)
            run.after_recompute = measure_after_recompute(pages, base, users, cookies, values, args)
            print("   busy deadline day ...", flush=True)
            if not nginx_binary():
                raise SystemExit("The busy run needs nginx: apt-get install nginx-light")
            uploads_log = BENCH_DIR / f"gunicorn-uploads-{fraction:g}.log"
            with Gunicorn(env, workers=args.upload_workers, log_path=uploads_log) as uploads:
                run.busy, run.busy_load = measure_busy(
                    pages, base, cookies, values, officers, args, server.port, uploads.port
                )
        run.load_average = (before, os.getloadavg()[0])
        measure.close_connections()
        runs.append(run)
    print_report(runs, args, database_url, pages)
    return 0 if targets_met(runs, pages) else 1


def _url(base, page, values):
    return base + page.path.format(**values)


def _median_figures(pairs):
    """Figures from [(page WrkResult, trivial WrkResult)] of the rounds."""
    return Figures(
        ratio=statistics.median(p.rps / t.rps if t.rps else 0.0 for p, t in pairs),
        rps=statistics.median(p.rps for p, _t in pairs),
        p50_ms=statistics.median(p.p50_ms for p, _t in pairs),
        p99_ms=statistics.median(p.p99_ms for p, _t in pairs),
        bad=sum(p.non2xx + p.socket_errors for p, _t in pairs),
    )


def measure_scale(run, pages, base, users, cookies, values, args):
    import measure
    import wrkload

    def trivial():
        return wrkload.run(
            _url(base, PAGES[0], values), seconds=args.seconds, connections=args.connections
        )

    measured = [page for page in pages if page.key != TRIVIAL]
    warm = {page.key: [] for page in pages}
    first = {page.key: [] for page in measured}
    for page in pages:  # warm up every page once (templates, caches)
        wrkload.run(
            _url(base, page, values),
            seconds=1,
            connections=1,
            threads=1,
            cookie=cookies[page.role].get("sessionid"),
            header=cookies[page.role].get("header"),
        )
    for number in range(args.rounds):
        # Rotate the order so that no page always follows the same one.
        order = measured[number % len(measured) :] + measured[: number % len(measured)]
        for page in order:
            triv = trivial()
            warm[TRIVIAL].append((triv, triv))
            result = wrkload.run(
                _url(base, page, values),
                seconds=args.seconds,
                connections=args.connections,
                cookie=cookies[page.role].get("sessionid"),
                header=cookies[page.role].get("header"),
            )
            warm[page.key].append((result, triv))
        print(f"   warm round {number + 1}/{args.rounds} done", flush=True)
    run.warm = {key: _median_figures(pairs) for key, pairs in warm.items()}
    for page in measured:
        if page.role in (None, KEY):
            continue  # no session: the first view is the warm one
        # Enough new sessions for the run: the warm rate times the duration, with room.
        count = max(50, min(5000, round(run.warm[page.key].rps * args.seconds * 1.5)))
        keys = measure.session_pool(users[page.role], count)
        measure.close_connections()
        with tempfile.NamedTemporaryFile("w", suffix=".sessions", delete=False) as handle:
            handle.write("\n".join(keys) + "\n")
        triv = trivial()
        result = wrkload.run(
            _url(base, page, values),
            seconds=args.seconds * 2,
            connections=args.connections,
            sessions_file=handle.name,
        )
        os.unlink(handle.name)
        first[page.key].append((result, triv))
    run.first = {key: _median_figures(pairs) for key, pairs in first.items() if pairs}
    for page in measured:
        seconds, statuses = measure.cold_times(
            _url(base, page, values),
            cookies[page.role].get("sessionid"),
            args.cold,
            header=cookies[page.role].get("header"),
        )
        run.cold[page.key] = (
            statistics.median(seconds) * 1000,
            max(seconds) * 1000,
            ",".join(str(s) for s in sorted(statuses)),
        )
    measure.close_connections()
    print("   first views and cold caches done", flush=True)


def measure_after_recompute(pages, base, users, cookies, values, args):
    """The first view of the overview, the awards and the officer's home after their cycle's
    scores were recomputed, next to a warm view and a first view with nothing changed.

    Each time the page was viewed just before in the same session (its whole page cached),
    then the cycle recomputed; the worker's rebuild is run here, as the worker would, before
    the version moves. For comparison, the way it was before the rebuild: the version moved
    with the recomputation, so that the first viewer computes the figures.
    """
    import measure

    from accounts.days import ministry_today
    from reporting.models import ReportingCycle

    measure.run_rebuilds()  # those the recompute timing left
    results = {}
    for page in pages:
        if page.key not in RECOMPUTED_PAGES:
            continue
        year = RECOMPUTED_PAGES[page.key] or ministry_today().year
        if not ReportingCycle.objects.filter(year=year).exists():
            year = CYCLE_YEAR
        url, cookie = _url(base, page, values), cookies[page.role]["sessionid"]
        statuses = set()

        def view(session=cookie, url=url, statuses=statuses):
            seconds, status = measure.request_seconds(url, session)
            statuses.add(status)
            return seconds * 1000

        view()
        warm = [view() for _ in range(max(5, args.recomputes))]
        fresh = measure.session_pool(users[page.role], max(5, args.recomputes))
        first = [view(session) for session in fresh]
        rebuilt, unbuilt, rebuild_seconds = [], [], []
        for _ in range(args.recomputes):
            view()
            rebuild_seconds.append(measure.recompute_and_serve(year, rebuild=True))
            rebuilt.append(view())
            view()
            measure.recompute_and_serve(year, rebuild=False)
            unbuilt.append(view())
        measure.close_connections()
        results[page.key] = AfterRecompute(
            warm_ms=statistics.median(warm),
            first_ms=statistics.median(first),
            rebuilt_ms=statistics.median(rebuilt),
            unbuilt_ms=statistics.median(unbuilt),
            rebuild_s=statistics.median(rebuild_seconds),
            statuses=",".join(str(s) for s in sorted(statuses)),
        )
    print("   first views after a recomputation done", flush=True)
    return results


def after_recompute_checks(runs):
    """[(description, passed)]: at the last scale, each first view after a recomputation
    within REBUILD_FACTOR of a warm view."""
    full = runs[-1]
    return [
        (
            f"scale {full.fraction:g}: {key} first view after a recomputation within "
            f"{REBUILD_FACTOR:g}x of a warm view ({row.rebuilt_ms:.1f} ms, warm "
            f"{row.warm_ms:.1f} ms)",
            row.statuses == "200" and row.rebuilt_ms <= REBUILD_FACTOR * row.warm_ms,
        )
        for key, row in full.after_recompute.items()
    ]


def print_after_recompute(runs, args):
    print(
        f"\nFirst view after a recomputation of the page's cycle (sequential requests, medians "
        f"of {args.recomputes}; ms):"
    )
    header = (
        f"  {'scale':<6}{'page':<12}{'warm':>8}{'new session':>13}{'after, rebuilt':>16}"
        f"{'x warm':>8}{'after, not rebuilt':>20}{'x warm':>8}{'rebuild s':>11}"
    )
    print(header)
    for run in runs:
        for key, row in run.after_recompute.items():
            print(
                f"  {run.fraction:<6g}{key:<12}{row.warm_ms:>8.1f}{row.first_ms:>13.1f}"
                f"{row.rebuilt_ms:>16.1f}{row.rebuilt_ms / row.warm_ms:>8.2f}"
                f"{row.unbuilt_ms:>20.1f}{row.unbuilt_ms / row.warm_ms:>8.2f}"
                f"{row.rebuild_s:>11.2f}" + ("" if row.statuses == "200" else f"  !{row.statuses}")
            )


def measure_busy(pages, base, cookies, values, officers, args, web_port, upload_port):
    """The work pages (and /sehat/) while officers save and submit reports with evidence.

    The officers' POSTs go through nginx with the production proxy configuration
    (deploy/nginx), which sends them to the uploads pool; wrk requests the pages from the web
    pool directly, as in the other columns.
    """
    import busy
    import wrkload
    from server import free_port, start_nginx

    work = [page for page in pages if page.kind == WORK]
    results = {}
    # Long enough runs that answers slowed by the load still land within them.
    seconds = max(args.seconds, 5)
    proxy_port = free_port()
    proxy = start_nginx(web_port, proxy_port, BENCH_DIR / "nginx", upload_port=upload_port)
    proxy_base = f"http://127.0.0.1:{proxy_port}"
    try:
        _wait_for(proxy_base + "/nginx-health", proxy)
        with busy.Deadline(proxy_base, officers, concurrency=args.officers) as deadline:
            for page in work:
                triv = wrkload.run(
                    _url(base, PAGES[0], values), seconds=seconds, connections=args.connections
                )
                result = wrkload.run(
                    _url(base, page, values),
                    seconds=seconds,
                    connections=args.connections,
                    cookie=cookies[page.role].get("sessionid"),
                    header=cookies[page.role].get("header"),
                )
                results[page.key] = _median_figures([(result, triv)])
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
    return results, deadline.result


def _wait_for(url, process, timeout=30):
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx stopped; see {BENCH_DIR / 'nginx'}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def target_checks(runs, pages):
    """[(description, passed)] for the targets; the ratios and p99 at the last scale."""
    checks = []
    full = runs[-1]
    measured = [page for page in pages if page.key != TRIVIAL]
    if len(runs) >= 2:
        for page in pages:
            counts = [run.queries[page.key][0] for run in runs]
            checks.append(
                (f"queries of {page.key} equal at every scale ({counts})", len(set(counts)) == 1)
            )
        first = runs[0]
        for page in measured:
            before, after = first.warm[page.key].p50_ms, full.warm[page.key].p50_ms
            growth = after / before if before else float("inf")
            checks.append(
                (
                    f"{page.key}: p50 {before:.1f} ms at {first.fraction:g} -> {after:.1f} ms at "
                    f"{full.fraction:g} (x{growth:.2f}, at most x{GROWTH:g})",
                    growth <= GROWTH,
                )
            )
    for page in measured:
        count, status = full.queries[page.key]
        figures = full.warm[page.key]
        ok = status == 200 and figures.bad == 0
        note = "" if ok else f", but it answered {status} ({figures.bad} bad answers under load)"
        if page.kind == DASHBOARD:
            checks.append(
                (
                    f"scale {full.fraction:g}: {page.key} >= {DASHBOARD_RATIO} x /sehat/ "
                    f"({figures.ratio:.3f}{note})",
                    ok and figures.ratio >= DASHBOARD_RATIO,
                )
            )
        elif page.kind == WORK:
            checks.append(
                (
                    f"scale {full.fraction:g}: {page.key} >= {WORK_RATIO} x /sehat/ and p99 < "
                    f"{WORK_P99_MS} ms ({figures.ratio:.3f}, p99 {figures.p99_ms:.0f} ms{note})",
                    ok and figures.ratio >= WORK_RATIO and figures.p99_ms < WORK_P99_MS,
                )
            )
            busy = full.busy.get(page.key)
            if busy is not None:
                checks.append(
                    (
                        f"scale {full.fraction:g}: {page.key} under the deadline load within "
                        f"{BUSY_FACTOR:g}x (ratio {busy.ratio:.3f} >= {WORK_RATIO / BUSY_FACTOR:g}"
                        f", p99 {busy.p99_ms:.0f} ms < {WORK_P99_MS * BUSY_FACTOR:g} ms)",
                        busy.bad == 0
                        and busy.ratio >= WORK_RATIO / BUSY_FACTOR
                        and busy.p99_ms < WORK_P99_MS * BUSY_FACTOR,
                    )
                )
        elif page.kind in (RESULTS, API):
            target = RESULTS_RATIO if page.kind == RESULTS else API_RATIO
            checks.append(
                (
                    f"scale {full.fraction:g}: {page.key} >= {target} x /sehat/ "
                    f"({figures.ratio:.3f}{note})",
                    ok and figures.ratio >= target,
                )
            )
        else:
            checks.append((f"scale {full.fraction:g}: {page.key} answers 200{note}", ok))
    if full.busy_load is not None:
        checks.append(
            (
                f"scale {full.fraction:g}: deadline load: every save and submission answered "
                f"({full.busy_load.summary()})",
                full.busy_load.failed == 0 and full.busy_load.submitted > 0,
            )
        )
    for kind, seconds in full.recompute_seconds.items():
        median = statistics.median(seconds)
        checks.append(
            (
                f"scale {full.fraction:g}: recompute_cycle({CYCLE_YEAR}), {kind}, < "
                f"{RECOMPUTE_SECONDS:g} s (median {median:.2f} s, best {min(seconds):.2f} s)",
                median < RECOMPUTE_SECONDS,
            )
        )
    return checks


def targets_met(runs, pages):
    checks = target_checks(runs, pages) + after_recompute_checks(runs)
    return all(passed for _text, passed in checks)


def print_report(runs, args, database_url, pages):
    from django.db import connection

    safe_url = database_url.split("@")[-1]
    print("\n" + "=" * 110)
    print("RANHAM portal benchmark")
    print(
        f"PostgreSQL {connection.pg_version // 10000} at {safe_url}; gunicorn ranham_portal.wsgi "
        f"-w 2 (sync workers), DEBUG=0, Redis cache; {os.cpu_count()} CPU cores, Python "
        f"{platform.python_version()}"
    )
    print(
        f"Load: wrk -t2 -c{args.connections} -d{args.seconds:g}s on 127.0.0.1, each page "
        f"alternated with /sehat/ in the same round, {args.rounds} rounds; figures are medians "
        "of the rounds. x sehat = the page's requests per second / /sehat/'s."
    )
    print("Client and server share the machine's cores: absolute rps are low, ratios comparable.")
    for run in runs:
        print(
            f"\nScale {run.fraction:g}: seed_scale {run.seed_seconds:.1f} s; "
            + ", ".join(f"{name} {count}" for name, count in run.rows.items())
            + f"; 1-min load average {run.load_average[0]:.1f} before the load, "
            f"{run.load_average[1]:.1f} after"
        )
    for run in runs:
        print(f"\n-- scale {run.fraction:g}")
        header = (
            f"{'page':<28}{'role':<10}{'queries':>8} | {'warm rps':>8} {'x sehat':>8} "
            f"{'p50 ms':>7} {'p99 ms':>7} | {'first x':>8} {'p50 ms':>7} {'p99 ms':>7} | "
            f"{'cold p50':>8} {'max ms':>7} | {'busy x':>7} {'p99 ms':>7}"
        )
        print(header)
        print("-" * len(header))
        for page in pages:
            count, status = run.queries[page.key]
            warm = run.warm[page.key]
            marker = "" if status == 200 else f"!{status}"
            line = (
                f"{page.label:<28}{page.role or '-':<10}{str(count) + marker:>8} | "
                f"{warm.rps:>8.1f} {warm.ratio:>8.3f} {warm.p50_ms:>7.1f} {warm.p99_ms:>7.1f} | "
            )
            first = run.first.get(page.key)
            line += (
                f"{first.ratio:>8.3f} {first.p50_ms:>7.1f} {first.p99_ms:>7.1f} | "
                if first
                else f"{'-':>8} {'-':>7} {'-':>7} | "
            )
            cold = run.cold.get(page.key)
            line += f"{cold[0]:>8.1f} {cold[1]:>7.1f} | " if cold else f"{'-':>8} {'-':>7} | "
            busy = run.busy.get(page.key)
            line += f"{busy.ratio:>7.3f} {busy.p99_ms:>7.1f}" if busy else f"{'-':>7} {'-':>7}"
            bad = warm.bad + (first.bad if first else 0)
            if bad:
                line += f"  ({bad} non-2xx/3xx or socket errors)"
            print(line)
        if run.busy_load is not None:
            print(
                f"Deadline load during the busy column: {run.busy_load.summary()}; the POSTs "
                f"through nginx (deploy/nginx) to an uploads pool of {args.upload_workers} "
                "gunicorn worker(s), the pages from the web pool"
            )
    print("\nPage time (warm p50 ms) by scale:")
    for page in pages:
        cells = "  ".join(f"{run.fraction:g}: {run.warm[page.key].p50_ms:7.1f}" for run in runs)
        print(f"  {page.key:<16}{cells}")
    print(f"\nrecompute_cycle({CYCLE_YEAR}), seconds per run:")
    for run in runs:
        for kind, seconds in run.recompute_seconds.items():
            values = ", ".join(f"{s:.2f}" for s in seconds)
            print(f"  scale {run.fraction:g}, {kind}: {values}")
    print_after_recompute(runs, args)
    print("\nTargets:")
    for text, passed in target_checks(runs, pages) + after_recompute_checks(runs):
        print(f"  [{'PASS' if passed else 'FAIL'}] {text}")
    print("=" * 110)


if __name__ == "__main__":
    sys.exit(main())
