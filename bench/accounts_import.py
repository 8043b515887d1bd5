"""Benchmark of the accounts import at national scale: preview and commit of a generated file.

It resets a PostgreSQL database (migrate, load_reference_data), seeds the 20 illustrative
Kanwil with one officer per region and one evaluator per Kanwil already there (demo.scale),
then, a few times, previews and commits a generated national accounts file
(demo.accounts_sheet: evaluators per Kanwil, officers across the 552 regions) through the
services the import page calls (accounts.imports), each run with new addresses so that every
row is a new, invited account. The commit's time includes its after-commit work (one outbox
task per invitation handed to the broker). It prints the median, and exits non-zero when a
target is missed (preview < 10 s, commit < 30 s).

    .venv/bin/python bench/accounts_import.py [--rows 1200] [--runs 3]

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ranham_bench_accounts) is dropped
and created again, so its name must contain "bench"; CELERY_BROKER_URL (default
redis://127.0.0.1:6379/14) is flushed before and after.
"""

import argparse
import io
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ranham_bench_accounts"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/14"
PREVIEW_TARGET = 10.0
COMMIT_TARGET = 30.0


def configure(database_url, broker_url):
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_SETTINGS_MODULE": "ranham_portal.settings",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()


def reset(database_url, broker_url):
    import measure
    import redis
    from django.core.management import call_command

    measure.check_database_name(database_url)
    measure.close_connections()
    measure._recreate_database(database_url)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_reference_data", stdout=io.StringIO())
    redis.Redis.from_url(broker_url).flushdb()


def seed():
    from django.contrib.auth.hashers import make_password

    from accounts.models import Role, User
    from demo.scale import ensure_kanwils, ensure_people, select_regions

    kanwils = ensure_kanwils()
    ensure_people(select_regions(), kanwils)
    admin = User.objects.create(
        username="bench.admin", role=Role.ADMIN, is_staff=True, password=make_password(None)
    )
    return admin, len(kanwils)


def one_run(admin, rows, run):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts import imports
    from demo.accounts_sheet import national_rows, workbook_bytes

    data = workbook_bytes(national_rows(rows, domain=f"run{run}.bench.invalid"))
    upload = SimpleUploadedFile("akun-nasional.xlsx", data)
    started = time.perf_counter()
    record = imports.preview(upload, by=admin)
    preview = time.perf_counter() - started
    if record.counts["create"] != rows:
        raise SystemExit(f"expected {rows} new accounts, the preview found {record.counts}")
    started = time.perf_counter()
    outcome = imports.commit(record, by=admin)
    commit = time.perf_counter() - started
    if not outcome.committed:
        raise SystemExit(f"the commit refused: {outcome.account_import.counts}")
    started = time.perf_counter()
    again = imports.preview(SimpleUploadedFile("akun-nasional.xlsx", data), by=admin)
    repeat = time.perf_counter() - started
    if again.counts["unchanged"] != rows:
        raise SystemExit(f"importing again would change something: {again.counts}")
    return preview, commit, repeat, len(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1200)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    broker_url = os.environ.get("CELERY_BROKER_URL", DEFAULT_BROKER_URL)
    configure(database_url, broker_url)
    reset(database_url, broker_url)
    admin, kanwils = seed()

    import redis

    from accounts.models import User

    results = []
    try:
        for run in range(1, options.runs + 1):
            results.append(one_run(admin, options.rows, run))
    finally:
        redis.Redis.from_url(broker_url).flushdb()
    preview = statistics.median(r[0] for r in results)
    commit = statistics.median(r[1] for r in results)
    repeat = statistics.median(r[2] for r in results)
    print("Accounts import at national scale (accounts.imports)")
    print(
        f"  Kanwil {kanwils}, accounts before the first run "
        f"{User.objects.count() - options.rows * options.runs}, "
        f"file {options.rows} rows ({results[0][3] / 1024:.0f} KiB XLSX), {options.runs} runs"
    )
    print(f"  preview (median)      {preview:>6.2f} s  (target < {PREVIEW_TARGET:.0f} s)")
    print(f"  commit (median)       {commit:>6.2f} s  (target < {COMMIT_TARGET:.0f} s)")
    print(f"  same file again       {repeat:>6.2f} s  (preview: every row unchanged)")
    print("  runs: " + "; ".join(f"{p:.2f} / {c:.2f} s" for p, c, *_ in results))
    if preview > PREVIEW_TARGET or commit > COMMIT_TARGET:
        raise SystemExit("too slow: a target was missed")


if __name__ == "__main__":
    main()
