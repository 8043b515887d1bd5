"""The standard cast of STYLE.md and the reference data every test stands on."""

import functools

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from accounts.models import Kanwil, KanwilProvince, Region, Role, User
from accounts.services import load_regions
from demo.story import ensure_demo_kanwil

PASSWORD = "Rahasia-Uji-2025"


# The test databases are thrown away: commits need not wait for the disk (a transactional
# test commits often, and flushes every table at its end).
FAST_COMMITS = "-c synchronous_commit=off"


def pytest_configure(config):
    from django.conf import settings as django_settings

    database = django_settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} {FAST_COMMITS}".strip()
    _broker_prefix_per_process()


# Modules that take a minute or more (a seeded demo, a browser walking every page), handed to
# the test processes first, longest first: none is left running alone at the end while the
# other process waits. The order of every other module, and of the tests within each, stays
# pytest-randomly's.
LONG_MODULES = (
    "tests/e2e/test_crawler.py",
    "tests/e2e/test_phone_and_axe.py",
    "tests/demo/test_seed_demo.py",
    "tests/test_times_on_pages.py",
    "tests/security/test_malformed_input.py",
    "tests/test_backup.py",
    "tests/piagam/test_certificate_views.py",
    "tests/test_deployment.py",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    rank = {path: index for index, path in enumerate(LONG_MODULES)}
    items.sort(key=lambda item: rank.get(item.nodeid.partition("::")[0], len(rank)))


def _broker_prefix_per_process():
    # Test processes running at once (pytest-xdist's, or two runs on one machine) share the
    # broker's Redis database: each keeps its queues under a prefix of its own, so that a task
    # one publishes never reaches another's worker (which reads another test database).
    import os

    from django.conf import settings

    if not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        return
    from ranham_portal.celery import app

    prefix = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}:"
    os.environ["CELERY_BROKER_KEY_PREFIX"] = prefix
    options = {**(app.conf.broker_transport_options or {}), "global_keyprefix": prefix}
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
    app.conf.broker_transport_options = options


@pytest.fixture(autouse=True)
def empty_cache():
    # Cached pages carry the version of the scores they show; tests that write Score rows
    # directly, without a recomputation, must not meet another test's cached page.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def round_trips(monkeypatch):
    """The calls made to the cache, by name (not the test cache's own calls within them: its
    get_many asks get for each key, where Redis answers in one round trip)."""
    from django.core.cache import cache

    calls, depth = [], [0]
    for name in ("get", "get_many", "set", "add"):
        real = getattr(cache, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            if not depth[0]:
                calls.append(_name)
            depth[0] += 1
            try:
                return _real(*args, **kwargs)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(cache, name, spy)
    return calls


@pytest.fixture(autouse=True)
def indonesian_by_default():
    # A request in English leaves its language active in the thread; every test starts in the
    # portal's default language, as a new request does.
    from django.utils import translation

    translation.activate("id")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def outbox_runs_after_commit(monkeypatch):
    # An outbox entry is carried out right after its commit, in the test's own process, as a
    # worker would a moment later: a test sees a change's side effects (notices, scores)
    # without a broker once the commit callbacks run. tests/outbox replaces this with a
    # recorder of what reached the broker; the real-worker tests publish from the worker.
    from outbox import tasks

    monkeypatch.setattr(
        tasks.run_entry, "apply_async", lambda args, **options: tasks.run_entry(*args)
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Regions are read-only reference data: load them once, committed, for the whole run.
    with django_db_blocker.unblock():
        load_regions()


@pytest.fixture
def regions(db):
    # A transactional test flushes the tables when it ends; the next one loads them again.
    if not Region.objects.filter(code="64.71").exists():
        load_regions()
    return Region.objects


@pytest.fixture
def balikpapan(regions):
    return regions.get(code="64.71")


@pytest.fixture
def samarinda(regions):
    return regions.get(code="64.72")


@pytest.fixture
def surabaya(regions):
    return regions.get(code="35.78")


@pytest.fixture
def kanwil_kaltim(regions):
    return ensure_demo_kanwil()


@pytest.fixture
def kanwil_jatim(regions):
    kanwil = Kanwil.objects.create(
        code="jatim",
        name="Kantor Wilayah Kementerian HAM Jawa Timur",
        city="Surabaya",
        head_name="Kepala Kantor Wilayah (contoh)",
        head_title="Kepala Kantor Wilayah Kementerian HAM Jawa Timur",
    )
    KanwilProvince.objects.create(kanwil=kanwil, province=regions.get(code="35"))
    return kanwil


def password_hash():
    """PASSWORD hashed with the hasher in force now (the portal's Argon2, about 70 ms a hash
    here, or the one a test sets), once per process and hasher: every test user gets a real
    hash of it without paying that per user, whatever ran before."""
    from django.conf import settings

    return _password_hash(tuple(settings.PASSWORD_HASHERS))


@functools.cache
def _password_hash(hashers):
    return make_password(PASSWORD)


def make_user(username, **fields):
    user = User(username=username, password=password_hash(), **fields)
    user.save()
    return user


@pytest.fixture
def officer_balikpapan(balikpapan):
    return make_user(
        "petugas.bpn",
        role=Role.OFFICER,
        region=balikpapan,
        first_name="Petugas",
        last_name="Balikpapan",
    )


@pytest.fixture
def officer_samarinda(samarinda):
    return make_user(
        "petugas.smd",
        role=Role.OFFICER,
        region=samarinda,
        first_name="Petugas",
        last_name="Samarinda",
    )


@pytest.fixture
def evaluator_kaltim(kanwil_kaltim):
    return make_user(
        "verif.kaltim",
        role=Role.EVALUATOR,
        kanwil=kanwil_kaltim,
        first_name="Verifikator",
        last_name="Kaltim",
    )


@pytest.fixture
def evaluator_other(kanwil_jatim):
    return make_user(
        "verif.jatim",
        role=Role.EVALUATOR,
        kanwil=kanwil_jatim,
        first_name="Verifikator",
        last_name="Jatim",
    )


@pytest.fixture
def admin_user(regions):
    return make_user(
        "admin.pusat",
        role=Role.ADMIN,
        is_staff=True,
        is_superuser=True,
        first_name="Admin",
        last_name="Pusat",
    )


@pytest.fixture
def anonymous():
    return AnonymousUser()


CAST = [
    "officer_balikpapan",
    "officer_samarinda",
    "evaluator_kaltim",
    "evaluator_other",
    "admin_user",
    "anonymous",
]


@pytest.fixture
def cast_member(request):
    """Resolve a cast name given by parametrize into the user it names."""
    return request.getfixturevalue(request.param)


def second_factor_device(user):
    """The authenticator a test admin "has": confirmed, with a key the tests can read."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Aplikasi uji", defaults={"confirmed": True}
    )
    return device


_django_force_login = Client.force_login


def force_login_past_the_second_factor(client, user, backend=None):
    """``Client.force_login`` as an admin who also gave the code from the phone: the session is
    verified with the admin's test authenticator (tests/accounts/test_two_factor.py and the
    browser tests go through the real step)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.two_factor import STEP_SESSION_KEY, VERIFY, second_factor_required

    if not second_factor_required(user):
        return _django_force_login(client, user, backend)
    device = second_factor_device(user)
    _django_force_login(client, user, backend)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[STEP_SESSION_KEY] = VERIFY
    session.save()


@pytest.fixture(autouse=True)
def admins_log_in_past_the_second_factor(monkeypatch):
    # Every test client, the ``client`` fixture's and those a test makes itself.
    monkeypatch.setattr(Client, "force_login", force_login_past_the_second_factor)


@pytest.fixture
def client_for(client):
    """A test client logged in as the given user (or anonymous); admins are verified."""

    def login(user):
        if getattr(user, "is_authenticated", False):
            client.force_login(user)
        return client

    return login


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real Celery worker in its own process, on the configured broker and the test database.

    Tests that use it must use ``transactional_db``: the worker reads and writes through its
    own connection and sees only committed rows.
    """
    import os
    import subprocess
    import sys
    import time
    import urllib.parse

    from django.conf import settings
    from django.db import connection

    from ranham_portal.celery import app

    test_db = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        database_url = f"sqlite:///{test_db}"
    else:
        s = connection.settings_dict
        database_url = (
            f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or 'localhost'}:"
            f"{s['PORT'] or 5432}/{test_db}?options={urllib.parse.quote(FAST_COMMITS)}"
        )
    # The worker writes files (piagam PDFs) where the tests can read them: tests that look at
    # them set settings.MEDIA_ROOT = celery_worker_process.media_root.
    media_root = tmp_path_factory.mktemp("worker-media")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(media_root),
    }
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    hostname = f"test-{os.getpid()}@%h"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "ranham_portal",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-Q",
                ",".join(settings.WORKER_QUEUES),
                "-n",
                hostname,
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"Celery worker exited: {log.read_text()}")
            if "ready." in log.read_text():
                break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"Celery worker did not start: {log.read_text()}")
        # The test process publishes with the same app and broker as the worker consumes.
        app.conf.task_always_eager = False
        process.media_root = media_root
        process.log = log
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def awarded_kaltim_2025(
    balikpapan,
    samarinda,
    officer_balikpapan,
    officer_samarinda,
    evaluator_kaltim,
    kanwil_kaltim,
    settings,
    celery_worker_process,
):
    """Cycle 2025 with one closed period, both reports verified: Balikpapan on time and
    first in every category, Samarinda late. Files go where the real worker writes."""
    import datetime
    from zoneinfo import ZoneInfo

    from tests.support import build_period, verified_reports

    wita = ZoneInfo("Asia/Makassar")
    settings.MEDIA_ROOT = celery_worker_process.media_root
    period = build_period([balikpapan, samarinda], actions=2, items_per_action=1)
    verified_reports(
        period,
        [
            (balikpapan, officer_balikpapan, datetime.datetime(2025, 10, 9, 14, 0, tzinfo=wita)),
            (samarinda, officer_samarinda, datetime.datetime(2025, 10, 12, 9, 0, tzinfo=wita)),
        ],
        evaluator_kaltim,
    )
    return period.cycle
