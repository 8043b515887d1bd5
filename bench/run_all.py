"""Benchmark of the portal's main pages on PostgreSQL at a tenth and at full national scale.

For each scale it resets the database (migrate, load_reference_data, seed_scale), counts the
queries of each page in-process, times ``recompute_cycle`` for one cycle, starts gunicorn
(2 sync workers, DEBUG=0) on 127.0.0.1 and measures requests per second with a bounded load
generator on this machine, alternating the pages round by round. It prints one table.

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
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ranham_bench"
BENCH_DIR = Path(os.environ.get("BENCH_DIR", ROOT / "var" / "bench"))
CYCLE_YEAR = 2025
EVALUATOR_KANWIL = "jatim"  # a Kanwil that has regions with data at both scales


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    path: str
    role: str | None  # whose session requests it; None: anonymous


PAGES = [
    Page("trivial", "trivial view (no DB)", "/sehat/", None),
    Page(
        "ranking", "national ranking (admin)", f"/evaluasi/peringkat/?siklus={CYCLE_YEAR}", "admin"
    ),
    Page("queue", "Kanwil queue (evaluator)", "/evaluasi/antrean/", "evaluator"),
    Page("officer", "officer home (officer)", "/laporan/", "officer"),
]


@dataclass
class ScaleRun:
    fraction: float
    seed_seconds: float = 0.0
    rows: dict = field(default_factory=dict)
    queries: dict = field(default_factory=dict)  # page key -> (count, status)
    recompute_seconds: list = field(default_factory=list)
    requests: dict = field(default_factory=dict)  # page key -> requests per round
    rounds: dict = field(default_factory=dict)  # page key -> [LoadResult]
    load_average: tuple = ()  # of the machine just before and just after the load


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
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--seconds", type=float, default=2.0, help="about how long one page's round lasts"
    )
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    base_env = configure(database_url, secrets.token_urlsafe(64))

    import measure  # needs Django set up
    from server import Gunicorn, production_env

    measure.check_database_name(database_url)
    print(f"Static files for DEBUG=0 (collectstatic into {BENCH_DIR / 'static'}) ...", flush=True)
    measure.collect_static()
    runs = []
    for fraction in [float(part) for part in args.scales.split(",")]:
        run = ScaleRun(fraction=fraction)
        print(f"\n== scale {fraction:g}: reset database and seed_scale", flush=True)
        run.seed_seconds, run.rows = measure.reset_and_seed(database_url, fraction, args.cycles)
        from django.core.cache import cache

        cache.clear()  # nothing cached from the previous scale
        print(f"   seeded in {run.seed_seconds:.1f} s: {run.rows}", flush=True)
        users = measure.bench_users(EVALUATOR_KANWIL)
        run.queries = measure.count_queries(PAGES, users)
        run.recompute_seconds = measure.time_recompute(CYCLE_YEAR, times=3)
        cookies = measure.session_cookies(users)
        measure.close_connections()
        env = production_env(base_env)
        log_path = BENCH_DIR / f"gunicorn-{fraction:g}.log"
        before = os.getloadavg()[0]
        with Gunicorn(env, workers=2, log_path=log_path) as server:
            print(f"   gunicorn -w 2 on 127.0.0.1:{server.port}; load ...", flush=True)
            run.requests, run.rounds = measure.load_pages(
                server.port,
                PAGES,
                cookies,
                rounds=args.rounds,
                concurrency=args.concurrency,
                seconds=args.seconds,
            )
        run.load_average = (before, os.getloadavg()[0])
        runs.append(run)
    print_report(runs, args, database_url)
    return 0 if targets_met(runs) else 1


def median_rps(run, key):
    return statistics.median(result.rps for result in run.rounds[key])


def statuses(run, key):
    total = {}
    for result in run.rounds[key]:
        for status, count in result.statuses.items():
            total[status] = total.get(status, 0) + count
    return ",".join(f"{status}x{count}" for status, count in sorted(total.items()))


def target_checks(runs):
    """[(description, passed)] for the three targets."""
    checks = []
    if len(runs) >= 2:
        for page in PAGES:
            counts = [run.queries[page.key][0] for run in runs]
            checks.append(
                (f"queries of {page.key} equal at every scale ({counts})", len(set(counts)) == 1)
            )
    for run in runs:
        status = run.queries["ranking"][1]
        ratio = median_rps(run, "ranking") / median_rps(run, "trivial")
        note = "" if status == 200 else f", but it answered {status}"
        checks.append(
            (
                f"scale {run.fraction:g}: national ranking rps >= 0.25 x trivial "
                f"({ratio:.2f}{note})",
                status == 200 and ratio >= 0.25,
            )
        )
    full = runs[-1]
    best = min(full.recompute_seconds)
    checks.append(
        (
            f"scale {full.fraction:g}: recompute_cycle({CYCLE_YEAR}) < 2 s "
            f"(median {statistics.median(full.recompute_seconds):.2f} s, best {best:.2f} s)",
            statistics.median(full.recompute_seconds) < 2,
        )
    )
    return checks


def targets_met(runs):
    return all(passed for _text, passed in target_checks(runs))


def print_report(runs, args, database_url):
    from django.db import connection

    safe_url = database_url.split("@")[-1]
    print("\n" + "=" * 100)
    print("RANHAM portal benchmark")
    print(
        f"PostgreSQL {connection.pg_version // 10000} at {safe_url}; gunicorn ranham_portal.wsgi "
        f"-w 2 (sync workers), DEBUG=0; {os.cpu_count()} CPU cores, Python "
        f"{platform.python_version()}"
    )
    print(
        f"Load: stdlib asyncio client on 127.0.0.1, {args.concurrency} connections, a fixed "
        f"number of requests per page (about {args.seconds:g} s), {args.rounds} rounds "
        "alternating the pages; rps = median of the rounds. gunicorn sync workers close the "
        "connection after each response, so every request opens a new one (all pages alike)."
    )
    print("Client and server share the machine's cores: absolute rps are low, ratios comparable.")
    for run in runs:
        print(
            f"\nScale {run.fraction:g}: seed_scale {run.seed_seconds:.1f} s; "
            + ", ".join(f"{name} {count}" for name, count in run.rows.items())
            + f"; 1-min load average {run.load_average[0]:.1f} before the load, "
            f"{run.load_average[1]:.1f} after"
        )
    header = f"{'page':<28}{'path':<34}"
    for run in runs:
        header += f"| {'q@' + format(run.fraction, 'g'):>6} {'rps':>8} {'x triv':>7} {'p50 ms':>7} "
    print("\n" + header)
    print("-" * len(header))
    for page in PAGES:
        line = f"{page.label:<28}{page.path:<34}"
        for run in runs:
            count, status = run.queries[page.key]
            rps = median_rps(run, page.key)
            ratio = rps / median_rps(run, "trivial")
            p50 = statistics.median(r.p50_ms for r in run.rounds[page.key])
            marker = "" if status == 200 else f"!{status}"
            line += f"| {str(count) + marker:>6} {rps:>8.1f} {ratio:>7.2f} {p50:>7.1f} "
        print(line)
    print("\nHTTP statuses over all rounds (status x count; 0 = connection error):")
    for page in PAGES:
        cells = [f"{run.fraction:g}: {statuses(run, page.key)}" for run in runs]
        print(f"  {page.key:<8} " + "   ".join(cells))
    print("\nRounds (rps per round, requests per round):")
    for run in runs:
        for page in PAGES:
            values = " ".join(f"{r.rps:.0f}" for r in run.rounds[page.key])
            print(f"  {run.fraction:g} {page.key:<8} n={run.requests[page.key]:<5} {values}")
    print(f"\nrecompute_cycle({CYCLE_YEAR}), seconds per run:")
    for run in runs:
        values = ", ".join(f"{s:.2f}" for s in run.recompute_seconds)
        print(f"  scale {run.fraction:g}: {values}")
    print("\nTargets:")
    for text, passed in target_checks(runs):
        print(f"  [{'PASS' if passed else 'FAIL'}] {text}")
    print("=" * 100)


if __name__ == "__main__":
    sys.exit(main())
