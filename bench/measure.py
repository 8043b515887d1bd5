"""The benchmark's steps that run inside Django: database, users, query counts, timings."""

import datetime
import hashlib
import io
import time
import urllib.error
import urllib.request
from pathlib import Path

import dj_database_url
import psycopg2
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import RENEWED_SESSION_KEY
from accounts.models import Kanwil, Role, User
from accounts.two_factor import STEP_SESSION_KEY, VERIFY, owed_step, second_factor_required
from api.models import KeyScope
from api.services import create_key
from demo.scale import select_regions
from evaluation.models import Publication
from evaluation.scorecards import recompute_cycle
from reporting.models import Evidence, Report, ReportEvent, ReportingCycle, ReportVersion

AUTH_BACKEND = settings.AUTHENTICATION_BACKENDS[-1]  # the one that checks passwords


def check_database_name(database_url):
    settings = dj_database_url.parse(database_url)
    if "postgresql" not in settings["ENGINE"]:
        raise SystemExit("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://...")
    if "bench" not in settings["NAME"]:
        raise SystemExit(
            f"Refusing to reset database {settings['NAME']!r}: its name must contain 'bench'."
        )


def collect_static():
    call_command("collectstatic", interactive=False, verbosity=0)


def close_connections():
    connections.close_all()


def _admin_connection(database_url):
    settings = dj_database_url.parse(database_url)
    admin = psycopg2.connect(
        dbname="postgres",
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )
    admin.autocommit = True
    return settings["NAME"], admin


def _recreate_database(database_url, template=None):
    name, admin = _admin_connection(database_url)
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if template:
                cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            else:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()


def _seed_template_name(database_url, fraction, cycles):
    """The name of a saved copy of a seeded database: it changes with the scale, the day (the
    current cycle is seeded relative to today) and every file the data set comes from
    (migrations, the seeding code, the reference data)."""
    root = Path(settings.BASE_DIR)
    sources = sorted(
        path
        for pattern in ("*/migrations/*.py", "demo/**/*", "*/data/**/*", "*/management/**/*.py")
        for path in root.glob(pattern)
        if path.is_file()
    )
    digest = hashlib.sha256()
    for path in sources:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    name = dj_database_url.parse(database_url)["NAME"]
    scale = f"{fraction:g}".replace(".", "_")
    today = timezone.localdate().strftime("%Y%m%d")
    return f"{name}_seed_{scale}_{cycles}_{today}_{digest.hexdigest()[:10]}"


def _database_exists(database_url, name):
    _name, admin = _admin_connection(database_url)
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        admin.close()


def _save_template(database_url, template):
    name, admin = _admin_connection(database_url)
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{template}" TEMPLATE "{name}"')
    finally:
        admin.close()


def _row_counts():
    return {
        "regions with data": Report.objects.values("region").distinct().count(),
        "reports": Report.objects.count(),
        "versions": ReportVersion.objects.count(),
        "events": ReportEvent.objects.count(),
        "evidence": Evidence.objects.count(),
    }


def reset_and_seed(database_url, fraction, cycles, *, reuse=False):
    """Drop, create, migrate, load reference data, seed_scale; returns (seconds, row counts).

    With ``reuse``, a copy of the seeded database saved by an earlier run with the same scale,
    day and sources is taken instead of seeding again (seconds 0), and a fresh seed is saved
    for the next run."""
    close_connections()
    template = _seed_template_name(database_url, fraction, cycles) if reuse else None
    if template and _database_exists(database_url, template):
        _recreate_database(database_url, template=template)
        return 0.0, _row_counts()
    _recreate_database(database_url)
    quiet = io.StringIO()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_reference_data", stdout=quiet)
    started = time.perf_counter()
    call_command("seed_scale", fraction=fraction, cycles=cycles, stdout=quiet)
    seconds = time.perf_counter() - started
    rows = _row_counts()
    _analyze()
    if template:
        close_connections()
        _save_template(database_url, template)
    return seconds, rows


def _analyze():
    # Freshly bulk-loaded tables: do now what autovacuum would do in the middle of the load.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def bench_users(kanwil_code):
    """An admin, an evaluator of the given Kanwil and an officer of a region with data."""
    kanwil = Kanwil.objects.get(code=kanwil_code)
    province_codes = set(kanwil.provinces.values_list("province__code", flat=True))
    # A region of the tenth selection, so that the officer has data at every scale (at a
    # smaller scale, one that has data there).
    with_data = set(Report.objects.values_list("region__code", flat=True).distinct())
    candidates = [
        r
        for r in select_regions(0.1)
        if r.level != "provinsi" and r.code.split(".")[0] in province_codes
    ]
    region = next((r for r in candidates if r.code in with_data), candidates[0])
    specs = {
        "admin": {"role": Role.ADMIN, "is_staff": True, "is_superuser": True},
        "evaluator": {"role": Role.EVALUATOR, "kanwil": kanwil},
        "officer": {"role": Role.OFFICER, "region": region},
    }
    users = {}
    for key, fields in specs.items():
        user, _created = User.objects.get_or_create(
            username=f"bench.{key}",
            defaults={**fields, "first_name": "Bench", "last_name": f"{key} (contoh)"},
        )
        users[key] = user
    return users


def _signed_in(user):
    """A session's data as a login leaves it: the user, the second factor this user owes (none
    for most officers and evaluators) and the moment its expiry was last pushed forward; for
    an admin, after the code from the phone too (the second factor is required of admins:
    without it every page redirects)."""
    data = {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: AUTH_BACKEND,
        HASH_SESSION_KEY: user.get_session_auth_hash(),
        STEP_SESSION_KEY: owed_step(user),
        RENEWED_SESSION_KEY: int(time.time()),
    }
    if second_factor_required(user):
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, name="Bench", defaults={"confirmed": True}
        )
        data[DEVICE_ID_SESSION_KEY] = device.persistent_id
        data[STEP_SESSION_KEY] = VERIFY
    return data


def session_cookies(users):
    """{role: {"sessionid": key}}: sessions created directly, as a login would leave them."""
    cookies = {None: {}}
    for key, user in users.items():
        session = SessionStore()
        session.update(_signed_in(user))
        session.create()
        cookies[key] = {"sessionid": session.session_key}
    return cookies


def count_queries(pages, users, values):
    """{page key: (queries of a warm request, status)} through Django's test client."""
    counts = {}
    for page in pages:
        client = Client()
        if page.role == "api-key":
            client = Client(HTTP_AUTHORIZATION=f"Api-Key {values['api_key']}")
        elif page.role:
            client.force_login(users[page.role])
            session = client.session
            session.update(_signed_in(users[page.role]))
            session.save()
        path = page.path.format(**values)
        client.get(path)  # warm: sessions, content types, translations
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        counts[page.key] = (len(captured), response.status_code)
    return counts


def session_pool(user, count):
    """``count`` new sessions of ``user``, written in bulk as a login would leave them."""
    store = SessionStore()
    data = store.encode(_signed_in(user))
    expires = timezone.now() + datetime.timedelta(days=1)
    rows = [
        Session(
            session_key=get_random_string(32, VALID_KEY_CHARS),
            session_data=data,
            expire_date=expires,
        )
        for _ in range(count)
    ]
    Session.objects.bulk_create(rows, batch_size=1000)
    return [row.session_key for row in rows]


def cold_times(url, cookie, times, header=None):
    """Seconds of ``times`` requests, each after clearing the whole cache."""
    from django.core.cache import cache

    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    if header:
        name, value = header.split(": ", 1)
        headers[name] = value
    seconds = []
    statuses = set()
    for _ in range(times):
        cache.clear()
        request = urllib.request.Request(url, headers=headers)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
                response.read()
                statuses.add(response.status)
        except urllib.error.HTTPError as error:
            statuses.add(error.code)
        seconds.append(time.perf_counter() - started)
    return seconds, statuses


def request_seconds(url, cookie):
    """Seconds of one request with this session, the cache left as it is; and its status."""
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return time.perf_counter() - started, status


def run_rebuilds():
    """Carry out the pending cache rebuilds here, as the worker would; returns the seconds."""
    from evaluation.rebuild import TOPIC
    from outbox.models import Entry, EntryStatus
    from outbox.tasks import run_entry

    started = time.perf_counter()
    pending = Entry.objects.filter(topic=TOPIC, status=EntryStatus.PENDING)
    for pk in list(pending.values_list("pk", flat=True)):
        run_entry(pk)
    return time.perf_counter() - started


def recompute_and_serve(year, *, rebuild):
    """Recompute the cycle's scores and have its next version served: by the worker's rebuild
    (run here) before the version moves, or, as before that rebuild existed, by moving the
    version with the recomputation (no shared cache for this call), so that the next viewer
    computes the figures. Returns the rebuild's seconds (0 without)."""
    from django.test.utils import override_settings

    cycle = ReportingCycle.objects.get(year=year)
    if not rebuild:
        with override_settings(CACHE_URL=""):
            recompute_cycle(cycle)
        return 0.0
    recompute_cycle(cycle)
    return run_rebuilds()


def ensure_current_cycle():
    """This year's cycle, assigned to every region with data, so that an officer has a period
    open for the report form (seed_scale's cycles are all in the past)."""
    from accounts.days import ministry_today
    from accounts.models import Region
    from demo.story import ensure_cycle

    regions = list(Region.objects.filter(pk__in=Report.objects.values("region")))
    return ensure_cycle(ministry_today().year, regions)


def time_recompute(year, times=3):
    """Seconds of ``recompute_cycle`` for the cycle: {"unchanged": [...], "changed": [...]}.

    "unchanged" recomputes the stored scores as they are (every figure read and computed,
    none written); "changed" first swaps the cycle's weights of T and C, so that nearly every
    final score is rewritten (the weights are put back afterwards, and scored again).
    """
    cycle = ReportingCycle.objects.get(year=year)
    seconds = {"unchanged": [], "changed": []}
    for _ in range(times):
        started = time.perf_counter()
        recompute_cycle(cycle)
        seconds["unchanged"].append(time.perf_counter() - started)
    weights = (cycle.weight_completeness, cycle.weight_timeliness)
    for number in range(times):
        first, second = weights if number % 2 else weights[::-1]
        ReportingCycle.objects.filter(pk=cycle.pk).update(
            weight_completeness=first, weight_timeliness=second
        )
        cycle.refresh_from_db()
        started = time.perf_counter()
        recompute_cycle(cycle)
        seconds["changed"].append(time.perf_counter() - started)
    ReportingCycle.objects.filter(pk=cycle.pk).update(
        weight_completeness=weights[0], weight_timeliness=weights[1]
    )
    cycle.refresh_from_db()
    recompute_cycle(cycle)
    return seconds


def create_certificate(cycle, admin):
    """One issued piagam for the public pages (verification by QR token and by number)."""

    from piagam.models import Certificate

    found = Certificate.objects.filter(cycle=cycle).first()
    if found is not None:
        return found
    with transaction.atomic():
        return _new_certificate(cycle, admin)


def _new_certificate(cycle, admin):
    import secrets as token_source
    from decimal import Decimal

    from piagam.models import Certificate, CertificateBatch, CertificateStatus
    from piagam.services import MINISTER_TITLE, MINISTRY_NAME, allocate_number, certificate_number

    region = Report.objects.filter(period__cycle=cycle).select_related("region").first().region
    batch = CertificateBatch.objects.create(
        cycle=cycle,
        kanwil=None,
        place="Jakarta",
        issued_on=cycle.periods.last().closes_on,
        created_by=admin,
    )
    sequence = allocate_number("BENCH", cycle.year)
    return Certificate.objects.create(
        batch=batch,
        cycle=cycle,
        region=region,
        issuer_code="BENCH",
        year=cycle.year,
        sequence=sequence,
        number=certificate_number(sequence, "BENCH", cycle.year),
        categories=["terbaik"],
        score=Decimal("90.00"),
        recipient=region.government_name,
        issuer_name=MINISTRY_NAME,
        place="Jakarta",
        issued_on=batch.issued_on,
        signatory_name="Bench",
        signatory_title=MINISTER_TITLE,
        specimen=True,
        token=token_source.token_urlsafe(24),
        status=CertificateStatus.ISSUED,
    )


def publish_directly(cycle, admin):
    """The cycle's results public, as an admin's decision leaves them. Written directly: the
    seeded cycle has reports still waiting, which ``publish`` would rightly refuse."""
    Publication.objects.get_or_create(
        cycle=cycle, period=None, defaults={"published_at": timezone.now(), "published_by": admin}
    )


# Requests waiting in the evaluator's Kanwil for the extension requests page (an outside
# run measured it with 39).
EXTENSION_REQUESTS = 40


def extension_requests(evaluator, period, count, *, by):
    """Up to ``count`` pending extension requests of the evaluator's regions for the period,
    each asking a week more (written directly, as the officers' requests leave them; ``by``
    stands for the officers)."""
    from accounts.models import Region
    from reporting.models import ExtensionRequest, ExtensionRequestStatus

    regions = list(Region.objects.visible_to(evaluator).order_by("code")[:count])
    waiting = set(
        ExtensionRequest.objects.filter(
            period=period, status=ExtensionRequestStatus.PENDING
        ).values_list("region_id", flat=True)
    )
    ExtensionRequest.objects.bulk_create(
        ExtensionRequest(
            region=region,
            period=period,
            due_on=period.due_on + datetime.timedelta(days=7),
            reason="Banjir di beberapa kecamatan; dokumen belum ditandatangani.",
            requested_by=by,
            status=ExtensionRequestStatus.PENDING,
        )
        for region in regions
        if region.pk not in waiting
    )


def page_paths(users, year):
    """{placeholder: value} filling the paths of the pages that name an object."""
    cycle = ReportingCycle.objects.get(year=year)
    officer, evaluator = users["officer"], users["evaluator"]
    periods = list(cycle.periods.order_by("opens_on"))
    current = ensure_current_cycle()
    today = timezone.now().date()
    open_period = [p for p in current.periods.order_by("opens_on") if p.opens_on <= today][-1]
    waiting = (
        Report.objects.visible_to(evaluator)
        .filter(period__cycle=cycle)
        .exclude(status="draft")
        .order_by("-last_submitted_at")
    )
    # The same kind of report at every scale, so that their query counts compare: one waiting
    # in its first round, as most are (a report sent again after a decided round also reads
    # the earlier decisions: one query more, at any scale), else any waiting one.
    first_round = waiting.filter(status="submitted").exclude(reviews__decided_at__isnull=False)
    review = first_round.first() or waiting.filter(status="submitted").first() or waiting.first()
    extension_requests(evaluator, open_period, EXTENSION_REQUESTS, by=officer)
    certificate = create_certificate(cycle, users["admin"])
    publish_directly(cycle, users["admin"])
    _api_key, key = create_key("Benchmark", scope=KeyScope.NATIONAL, by=users["admin"])
    return {
        "api_key": key,
        "year": year,
        "review": review.pk,
        "region": officer.region_id,
        "explain_period": periods[-2].pk,
        "form_period": open_period.pk,
        "token": certificate.token,
        "number": certificate.number,
    }
