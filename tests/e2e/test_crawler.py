"""Every page of every role, in both languages, held to the screen rules without a list.

From the home page, each role (anonymous, officer, evaluator, admin; a Kanwil admin joins
ROLES once the role exists) follows
every same-site link and submits every GET form (the filters) as it stands, with the Django
test client, and holds each HTML page to the rules of tests/e2e/crawling.py: every time names
its zone and is the database's instant in that zone; no interface words of the other language.
A page is one URL pattern plus the names of its query parameters: the report page of one
report stands for the report page of every report, so the walk ends however large the data.
Then every such page is opened once per role and language in Chromium at 390 px: nothing
scrolls sideways, no panel that stays on screen takes more than a fifth of it, axe-core finds
nothing serious or critical, the console logs no error (policy violations included).

A new page is checked as soon as a link leads to it. Links that change something or leave the
HTML (log out, downloads, the language switch) are not followed. Forms that POST are not
sent: the pages they lead to (confirmations, conflicts) belong to the journeys' tests and
tests/test_confirmations.py; the reminder's confirmation is a link and is walked. Django's
admin is walked for its index, app pages and model lists (no add, change or delete forms),
and opened in the browser for its index only.
"""

import datetime
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from unittest import mock
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import Resolver404, resolve
from django.utils import timezone

from accounts.models import Region, User
from accounts.services import load_regions
from tests.conftest import force_login_past_the_second_factor
from tests.e2e.conftest import CHROMIUM_FLAGS, chromium_path
from tests.e2e.crawling import (
    other_language_words,
    stored_dates,
    stored_moments,
    stored_texts,
    time_problems,
)
from tests.e2e.test_phone_and_axe import (
    AXE,
    AXE_URL,
    STICKY_SHARE,
    serious_violations,
    sticky_heights,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

LANGUAGES = ["id", "en"]
PHONE = {"width": 390, "height": 844}
VISITS_PER_PAGE = 2  # URLs checked in HTML per pattern and parameter names, per role and language
KEYS_PER_ROUTE = 3  # parameter-name sets per pattern (the admin's filters are many)
# Not followed: they change state, end the session, or answer with a file.
SKIP_ROUTES = {
    "keluar/",
    "i18n/setlang/",
    "admin/logout/",
    "sehat/",
    "sehat/siap/",
}
SKIP_SUFFIXES = (".ics", ".pdf", ".json", ".svg", ".csv", ".xlsx", "unduh/")
ADMIN_SKIPPED = ("add/", "change/", "delete/", "history/", "autocomplete/", "jsi18n/", "password/")
# django-axes' own admin prints its rows' raw timestamps in their names; it is not the portal's.
ADMIN_NOT_OURS = ("admin/axes/",)
# A Kanwil admin manages its own regions' officers (the board branch adds the role). Until the
# role exists here, the evaluator walks in its place; add ("kanwil_admin", username) then.
ROLES = ["anonymous", "officer", "evaluator", "admin"]


@dataclass
class Site:
    url: str
    users: dict  # role -> User
    pages: dict = field(default_factory=dict)  # (role, language) -> {key: url}
    html: dict = field(default_factory=dict)  # (role, language, url) -> body
    sessions: dict = field(default_factory=dict)  # role -> session key, committed


def _seed():
    """The demo, plus what the walk should meet that the story leaves out: an open report,
    a report waiting for review, a pending extension request, notices, and a piagam batch."""
    from demo.story import DEMO_USERS, seed_demo
    from notifications.events import remind
    from notifications.models import Kind, Mode, Notice
    from piagam import services as piagam_services
    from reporting.models import Period
    from reporting.services import request_extension
    from tests.support import build_period, submitted_report

    if not Region.objects.filter(code="64.71").exists():
        load_regions()
    result = seed_demo()
    users = {
        role: User.objects.get(username=DEMO_USERS[index][0])
        for role, index in (("officer", 0), ("evaluator", 2), ("admin", 3))
    }
    officer, evaluator, admin = users["officer"], users["evaluator"], users["admin"]
    balikpapan = officer.region
    samarinda = Region.objects.get(code="64.72")
    samarinda_officer = User.objects.get(username=DEMO_USERS[1][0])
    today = timezone.localdate()
    year = today.year + 5
    open_period = build_period(
        [balikpapan, samarinda],
        year=year,
        actions=2,
        code="B1",
        due_on=today + datetime.timedelta(days=10),
    )
    sent_period = build_period(
        [balikpapan, samarinda],
        year=year,
        actions=2,
        code="B2",
        due_on=today + datetime.timedelta(days=5),
    )
    # The same file sent by two regions: the review screen flags it ("juga dipakai").
    for region, sender in ((balikpapan, officer), (samarinda, samarinda_officer)):
        submitted_report(
            region, sent_period, sender, at=timezone.now() - datetime.timedelta(hours=2)
        )
    request_extension(
        samarinda,
        open_period,
        due_on=open_period.due_on + datetime.timedelta(days=7),
        reason="Banjir.",
        by=samarinda_officer,
    )
    remind(Period.objects.get(pk=open_period.pk), [balikpapan], by=evaluator)
    for user in (evaluator, admin):
        Notice.objects.get_or_create(
            recipient=user,
            kind=Kind.SUBMITTED,
            object_type="reporting.period",
            object_id=str(sent_period.pk),
            defaults={"title": "Laporan masuk", "body": "Uji.", "mode": Mode.IMMEDIATELY},
        )
    cycle = next(c for c in result.cycles if c.year == 2025)
    with mock.patch.object(piagam_services, "enqueue_render"):
        piagam_services.issue_batch(
            cycle,
            result.kanwil,
            by=admin,
            place="Balikpapan",
            issued_on=datetime.date(2025, 12, 10),
        )
    return users


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    from pytest_django.live_server_helper import LiveServer

    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (package.json pins axe-core)")
    media_root = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=media_root), django_db_blocker.unblock():
        users = _seed()
        # Sessions for the browser, committed here: a test's own transaction would hide them
        # from the live server's thread.
        sessions = {
            role: client_for(role, "id", users).cookies[settings.SESSION_COOKIE_NAME].value
            for role in ROLES
            if role != "anonymous"
        }
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield Site(url=server.url, users=users, sessions=sessions)
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            load_regions()


class _Links(HTMLParser):
    """Hrefs of links and the URLs that the page's GET forms submit as they stand."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls, self._form = [], None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a" and values.get("href") and "download" not in values:
            self.urls.append(values["href"])
        elif tag == "form" and (values.get("method") or "get").lower() == "get":
            self._form = (values.get("action") or "", [])
        elif self._form is not None and tag in ("input", "select") and values.get("name"):
            kind = values.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in values:
                return
            if kind not in ("submit", "button", "file"):
                self._form[1].append((values["name"], values.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            action, fields = self._form
            self.urls.append(action + "?" + urlencode(fields) if fields else action or "?")
            self._form = None


def links_of(body, base):
    parser = _Links()
    parser.feed(body)
    found = []
    for href in parser.urls:
        absolute = urljoin(base, href)
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https", "") or parts.netloc not in ("", "testserver"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def page_key(url):
    """The URL pattern and the names of its query parameters, or None when not followed."""
    parts = urlsplit(url)
    if parts.path.startswith(settings.STATIC_URL) or parts.path.endswith(SKIP_SUFFIXES):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return ("404", ())
    if match.route in SKIP_ROUTES or match.route.endswith(SKIP_SUFFIXES):
        return None
    names = tuple(sorted({name for name, _value in parse_qsl(parts.query, True)}))
    if match.route.startswith("admin/"):
        # Django's admin: its index, app pages and each model's list, as they open.
        if names or match.route.endswith(ADMIN_SKIPPED) or match.route.startswith(ADMIN_NOT_OURS):
            return None
    return (match.route, names)


def client_for(role, language, users):
    client = Client()
    client.cookies["django_language"] = language
    if role != "anonymous":
        force_login_past_the_second_factor(client, users[role])
    return client


def walk(site, role, language, moments, dates, data):
    """Every page the role reaches from home in ``language``: {key: [urls]} and problems."""
    client = client_for(role, language, site.users)
    seen_urls, by_key, keys_by_route = set(), defaultdict(list), defaultdict(set)
    problems = []
    queue = deque(["/"])
    while queue:
        url = queue.popleft()
        if url in seen_urls:
            continue
        seen_urls.add(url)
        key = page_key(url)
        if key is None or len(by_key[key]) >= VISITS_PER_PAGE:
            continue
        route = key[0]
        if route.startswith("admin/") and by_key[key]:
            continue
        if key not in keys_by_route[route] and len(keys_by_route[route]) >= KEYS_PER_ROUTE:
            continue
        keys_by_route[route].add(key)
        started = timezone.now() - datetime.timedelta(minutes=1)
        response = client.get(url)
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            continue
        by_key[key].append(url)
        if response.status_code != 200:
            problems.append(f"{url}: status {response.status_code}")
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            by_key[key][-1:] = []  # a file, not a page: the browser would download it
            continue
        body = response.content.decode()
        site.html[(role, language, url)] = body
        window = (started, timezone.now() + datetime.timedelta(minutes=1))
        problems += [f"{url}: {p}" for p in time_problems(body, moments, dates, window)]
        if not route.startswith("admin/"):
            # Django's admin speaks with Django's, django-otp's and the models' words: the
            # portal's own pages are held to one language, the admin to zoned times only.
            problems += [f"{url}: {p}" for p in other_language_words(body, language, data)]
        queue.extend(links_of(body, url))
    return by_key, problems


@pytest.fixture(scope="module")
def walked(site):
    """The walk of every role in both languages, once for the module."""
    moments, dates, data = stored_moments(), stored_dates(), stored_texts()
    results = {}
    for role in ROLES:
        for language in LANGUAGES:
            results[(role, language)] = walk(site, role, language, moments, dates, data)
    return results


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_shows_zoned_times_and_one_language(walked, role, language):
    # given the pages the role reaches from home, when each was rendered and read
    by_key, problems = walked[(role, language)]

    # then the walk went somewhere, and found nothing wrong
    assert len(by_key) >= (3 if role == "anonymous" else 8), sorted(by_key)
    assert problems == [], "\n".join(problems)


def test_the_walk_reaches_the_pages_of_every_journey(walked):
    routes = {role: {key[0] for key in walked[(role, "id")][0]} for role in ROLES}
    assert {"laporan/", "laporan/periode/<int:period_pk>/", "laporan/<int:pk>/"} <= routes[
        "officer"
    ]
    assert {"evaluasi/antrean/", "evaluasi/laporan/<int:pk>/reviu/", "notifikasi/"} <= routes[
        "evaluator"
    ]
    assert {"evaluasi/nilai/<int:region_pk>/<int:period_pk>/", "laporan/perpanjangan/"} <= routes[
        "evaluator"
    ]
    assert any(route.startswith("admin/") for route in routes["admin"])


@pytest.fixture(scope="module")
def chromium(site):
    import os

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def browser_context(chromium, site, role, language):
    host = site.url.split("://", 1)[1].split(":")[0]
    context = chromium.new_context(locale="id-ID", base_url=site.url, viewport=PHONE)
    context.route(
        f"**{AXE_URL}",
        lambda route: route.fulfill(path=str(AXE), content_type="application/javascript"),
    )
    cookies = [{"name": "django_language", "value": language, "domain": host, "path": "/"}]
    if role != "anonymous":
        cookies.append(
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": site.sessions[role],
                "domain": host,
                "path": "/",
            }
        )
    context.add_cookies(cookies)
    return context


def screen_problems(page, url, errors):
    errors.clear()
    response = page.goto(url)
    page.wait_for_load_state("load")
    problems = [f"{url}: console error {text}" for text in errors]
    if urlsplit(page.url).path != urlsplit(url).path or response.status != 200:
        problems.append(f"{url}: opened {page.url} ({response.status}), not the page walked")
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    if width > inner:
        problems.append(f"{url}: {width} px wide at {inner} px")
    tallest = max(sticky_heights(page), default=0)
    if tallest > STICKY_SHARE * PHONE["height"]:
        problems.append(f"{url}: a panel that stays on screen is {tallest:.0f} px high")
    problems += [
        f"{url}: axe {v['impact']} {v['id']}: {v['nodes']}" for v in serious_violations(page)
    ]
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone_passes_axe_and_logs_no_error(
    walked, chromium, site, role, language
):
    # given one URL of each page the role reached in the language
    by_key, _problems = walked[(role, language)]
    # Django's admin in the browser: its index only (its lists are Django's own layout).
    urls = [
        urls[0]
        for (route, _names), urls in sorted(by_key.items())
        if urls and route != "404" and (route == "admin/" or not route.startswith("admin/"))
    ]
    started = time.monotonic()

    # when each is opened at 390 px
    context = browser_context(chromium, site, role, language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors, problems = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        for url in urls:
            problems += screen_problems(page, url, errors)
    finally:
        context.close()

    # then nothing scrolls sideways, no tall sticky panel, nothing serious for axe, no console
    # error
    print(f"{role}/{language}: {len(urls)} pages in {time.monotonic() - started:.1f} s")
    assert problems == [], "\n".join(problems)


def top_of(page, test_id):
    return page.get_by_test_id(test_id).first.bounding_box()["y"]


@pytest.mark.parametrize(("width", "first"), [(390, "next"), (1366, "overview")])
def test_the_officers_open_period_comes_first_on_a_phone(chromium, site, width, first):
    # given the officer's home of the year with an open period
    context = browser_context(chromium, site, "officer", "id")
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 844})
    try:
        page.goto(f"/laporan/?siklus={timezone.localdate().year + 5}")

        # then on a phone the open period's row (deadline, what is missing, the button) is
        # above the overview; on a laptop the overview stays on top
        row = page.locator("tr.next-step").first
        assert row.get_by_role("link", name="Isi laporan").is_visible()
        next_top = row.bounding_box()["y"]
        overview_top = top_of(page, "overview")
        assert (next_top < overview_top) == (first == "next"), (next_top, overview_top)
    finally:
        context.close()


@pytest.mark.parametrize(("width", "first"), [(390, "queue"), (1366, "statistics")])
def test_the_evaluators_waiting_reports_come_first_on_a_phone(chromium, site, width, first):
    context = browser_context(chromium, site, "evaluator", "id")
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 844})
    try:
        page.goto("/evaluasi/antrean/")

        queue_top = top_of(page, "queue")
        others = [top_of(page, "statistics"), top_of(page, "filters")]
        if first == "queue":
            assert all(queue_top < top for top in others), (queue_top, others)
        else:
            assert all(queue_top > top for top in others), (queue_top, others)
    finally:
        context.close()
