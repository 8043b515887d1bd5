"""Every page of the three journeys, the public pages and the error pages on a laptop
(1366x768), in Indonesian or English by turns, and the pages no link leads to in both
languages on a laptop and a phone (390x844; the crawler opens every other page at that size
in both languages): no sideways scroll, no critical or serious axe-core violation, no
Content-Security-Policy violation.

The demo is seeded once for the module and served by a live server of its own; one browser
and one logged-in context per role serve every case. axe-core comes from npm (`npm ci`); it
is injected from a same-origin address that the browser context answers from node_modules, so
that the page's real policy stays in force while axe runs.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Region, User
from accounts.services import load_regions
from tests.e2e.conftest import sign_in
from tests.support import build_period, submitted_report

# The tests themselves read nothing: the marker only has the test database set up. The demo is
# committed by the module's fixture and flushed when the module ends.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__axe-core__/axe.min.js"
SIZES = {"laptop": (1366, 768), "phone": (390, 844)}
LANGUAGES = ["id", "en"]
STICKY_SHARE = 0.20  # a sticky panel may cover at most a fifth of the screen

# (who, page): who is a role with a logged-in context, or "public".
PAGES = [
    ("officer", "home"),
    ("officer", "report-form"),
    ("officer", "report-detail"),
    ("officer", "report-version"),
    ("officer", "explain"),
    ("officer", "rankings"),
    ("evaluator", "queue"),
    ("evaluator", "review"),
    ("evaluator", "report-detail"),
    ("evaluator", "rankings"),
    ("evaluator", "awards"),
    ("evaluator", "batch"),
    ("admin", "overview"),
    ("admin", "matrix"),
    ("admin", "rankings"),
    ("admin", "awards"),
    ("admin", "batch"),
    ("admin", "explain"),
    ("evaluator", "board"),
    ("admin", "board"),
    ("officer", "account"),
    ("public", "login"),
    ("public", "lookup"),
    ("public", "verify"),
    ("public", "error-400"),
    ("officer", "error-403"),
    ("public", "error-404"),
]
ERROR_STATUS = {"error-400": 400, "error-403": 403, "error-404": 404}


@dataclass
class Demo:
    url: str
    users: dict  # role -> (username, password)
    pages: dict = field(default_factory=dict)  # (who, page) -> path


def _seed(media_root):
    """The demo story (2025 scored), plus what a screen needs that the story leaves closed:
    an open report form, a report waiting for review, and an issued piagam batch."""
    from demo.story import DEMO_USERS, seed_demo
    from piagam import services as piagam_services
    from piagam.models import Certificate
    from piagam.tasks import render_certificate
    from reporting.models import Report, ReportStatus

    if not Region.objects.filter(code="64.71").exists():
        load_regions()
    result = seed_demo()
    users = {
        "officer": DEMO_USERS[0][:2],
        "evaluator": DEMO_USERS[2][:2],
        "admin": DEMO_USERS[3][:2],
    }
    officer = User.objects.get(username=users["officer"][0])
    admin = User.objects.get(username=users["admin"][0])
    balikpapan = officer.region
    cycle = next(c for c in result.cycles if c.year == 2025)

    # A later cycle with one period open for the form and one submitted for the review screen.
    today = timezone.localdate()
    year = today.year + 5
    open_period = build_period(
        [balikpapan],
        year=year,
        actions=3,
        items_per_action=2,
        code="B1",
        due_on=today + datetime.timedelta(days=10),
    )
    sent_period = build_period(
        [balikpapan],
        year=year,
        actions=3,
        items_per_action=2,
        code="B2",
        due_on=today + datetime.timedelta(days=5),
    )
    waiting = submitted_report(
        balikpapan, sent_period, officer, at=timezone.now() - datetime.timedelta(hours=2)
    )

    # The Kanwil's 2025 awards, issued here, their rendering done here rather than by a worker.
    with mock.patch.object(piagam_services, "enqueue_render"):
        batch = piagam_services.issue_batch(
            cycle,
            result.kanwil,
            by=admin,
            place="Balikpapan",
            issued_on=datetime.date(2025, 12, 10),
        )
    # One piagam rendered (the one verified by its token), the others left waiting: the batch
    # page shows both states.
    certificate = Certificate.objects.filter(batch=batch).order_by("pk").first()
    assert certificate is not None, "the demo's 2025 awards should issue at least one piagam"
    render_certificate(certificate.pk)
    certificate.refresh_from_db()
    assert certificate.status == "issued", (certificate.status, certificate.error)

    verified = (
        Report.objects.filter(region=balikpapan, period__cycle=cycle, status=ReportStatus.VERIFIED)
        .order_by("period__order")
        .first()
    )
    explain = reverse("evaluation:explain", args=[balikpapan.pk, verified.period_id])
    rankings = reverse("evaluation:rankings") + "?siklus=2025"
    awards = reverse("piagam:awards") + "?siklus=2025"
    batch_url = reverse("piagam:batch", args=[batch.pk])
    pages = {
        ("officer", "home"): reverse("reporting:officer-home") + "?siklus=2025",
        ("officer", "report-form"): reverse("reporting:report-edit", args=[open_period.pk]),
        ("officer", "report-detail"): reverse("reporting:report-detail", args=[verified.pk]),
        ("officer", "report-version"): reverse("reporting:report-version", args=[verified.pk, 1]),
        ("officer", "explain"): explain,
        ("officer", "rankings"): rankings,
        ("evaluator", "queue"): reverse("evaluation:queue") + "?siklus=2025",
        ("evaluator", "review"): reverse("evaluation:review", args=[waiting.pk]),
        ("evaluator", "report-detail"): reverse("reporting:report-detail", args=[verified.pk]),
        ("evaluator", "rankings"): rankings,
        ("evaluator", "awards"): awards,
        ("evaluator", "batch"): batch_url,
        ("admin", "overview"): reverse("evaluation:overview") + "?siklus=2025",
        ("admin", "matrix"): reverse("reporting:matrix-import"),
        ("admin", "rankings"): rankings,
        ("admin", "awards"): awards,
        ("admin", "batch"): batch_url,
        ("admin", "explain"): explain,
        ("evaluator", "board"): reverse("accounts:board"),
        ("admin", "board"): reverse("accounts:board"),
        ("officer", "account"): reverse("accounts:security"),
        ("public", "login"): reverse("accounts:login"),
        ("public", "lookup"): reverse("piagam:lookup"),
        ("public", "verify"): reverse("piagam:verify", args=[certificate.token]),
        # More query fields than Django reads is a refused (400) request.
        ("public", "error-400"): reverse("piagam:lookup") + "?" + "&".join(["x=1"] * 1100),
        ("officer", "error-403"): reverse("evaluation:overview"),
        ("public", "error-404"): "/halaman-yang-tidak-ada/",
    }
    return users, pages


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    from pytest_django.live_server_helper import LiveServer

    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (package.json pins axe-core)")
    media_root = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=media_root), django_db_blocker.unblock():
        users, pages = _seed(media_root)
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield Demo(url=server.url, users=users, pages=pages)
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            # The seeded rows were committed: leave the database as the next module expects.
            call_command("flush", interactive=False, verbosity=0)
            load_regions()


@pytest.fixture(scope="module")
def contexts(browser, demo):
    """One browser context per role, logged in once through the real form."""

    def answer_axe(route):
        route.fulfill(path=str(AXE), content_type="application/javascript")

    made = {}
    for who in ("public", "officer", "evaluator", "admin"):
        context = browser.new_context(locale="id-ID", base_url=demo.url)
        context.route(f"**{AXE_URL}", answer_axe)
        if who != "public":
            username, password = demo.users[who]
            page = sign_in(context.new_page(), User.objects.get(username=username), password)
            # Past the password and, for the admin, the second factor: a real page opens.
            assert "/masuk/" not in page.url, f"{who} could not log in"
            assert "/akun/dua-langkah/" not in page.url, f"{who} is held at the second factor"
            page.close()
        made[who] = context
    yield made
    for context in made.values():
        context.close()


def open_page(context, demo, path, language, size):
    host = demo.url.split("://", 1)[1].split(":")[0]
    context.add_cookies(
        [{"name": "django_language", "value": language, "domain": host, "path": "/"}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    policy_errors = []
    page.on(
        "console",
        lambda message: (
            policy_errors.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    response = page.goto(path)
    page.wait_for_load_state("load")
    return page, response, policy_errors


def serious_violations(page):
    page.add_script_tag(url=AXE_URL)
    results = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary)
            }));
        }"""
    )
    return [v for v in results if v["impact"] in ("critical", "serious")]


def sideways(page):
    return page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")


def sticky_heights(page):
    """Heights of the visible elements that stay on screen while the page scrolls."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("body *"))
            .filter(el => ["sticky", "fixed"].includes(getComputedStyle(el).position))
            .map(el => el.getBoundingClientRect())
            .filter(box => box.width > 0 && box.height > 0)
            .map(box => box.height)"""
    )


# At phone size the crawler (test_crawler.py) opens every page a link leads to, in each role and
# language, with the same checks (sideways scroll, axe, console errors, which include policy
# violations, sticky panels): here the phone size is kept for the pages no link of a walk
# reaches (a piagam's verification by its token, the error pages) and the public entrances.
# On a laptop each page is opened in one language, the two languages taking turns down the
# list (the crawler opens every page in both at phone size, where words are likelier to
# overflow); the pages no link reaches in both.
PHONE_TOO = {"login", "lookup", "verify", "error-400", "error-403", "error-404"}
CASES = [
    pytest.param(who, name, language, size, id=f"{who}-{name}-{language}-{size}")
    for index, (who, name) in enumerate(PAGES)
    for language in LANGUAGES
    for size in SIZES
    if name in PHONE_TOO or (size == "laptop" and language == LANGUAGES[index % 2])
]


@pytest.mark.parametrize(("who", "name", "language", "size"), CASES)
def test_page_fits_the_screen_and_passes_axe(demo, contexts, who, name, language, size):
    # given
    path = demo.pages[(who, name)]

    # when
    page, response, policy_errors = open_page(contexts[who], demo, path, language, size)
    try:
        # then: the page is the one intended, in the language chosen
        assert response.status == ERROR_STATUS.get(name, 200), page.url
        assert page.evaluate("document.documentElement.lang") == language
        if name in ERROR_STATUS:
            assert page.get_by_test_id("error-page").is_visible()
        # nothing scrolls sideways
        scroll_width, inner_width = sideways(page)
        assert scroll_width <= inner_width, f"{path}: {scroll_width}px wide on {inner_width}px"
        # sticky panels leave the screen to the content
        height = SIZES[size][1]
        assert all(h <= STICKY_SHARE * height for h in sticky_heights(page)), sticky_heights(page)
        # no critical or serious accessibility violation, no policy violation
        assert serious_violations(page) == []
        assert policy_errors == []
    finally:
        page.close()


def within_screen(page, locator):
    box = locator.bounding_box()
    width = page.evaluate("window.innerWidth")
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.parametrize("language", LANGUAGES)
def test_on_a_phone_the_officers_periods_show_deadline_and_button(demo, contexts, language):
    page, _response, _errors = open_page(
        contexts["officer"], demo, demo.pages[("officer", "home")], language, "phone"
    )
    try:
        rows = page.get_by_test_id("periods").locator("tbody tr")
        assert rows.count() >= 4
        for index in range(rows.count()):
            row = rows.nth(index)
            deadline = row.locator("td").nth(2)
            button = row.locator("a.btn").first
            assert deadline.is_visible() and within_screen(page, deadline)
            assert button.is_visible() and within_screen(page, button)
        # A scored period links to its score explanation.
        assert page.get_by_test_id("score-link").count() >= 1
    finally:
        page.close()


def test_on_a_phone_the_batch_download_and_revoke_buttons_are_in_reach(demo, contexts):
    page, _response, _errors = open_page(
        contexts["admin"], demo, demo.pages[("admin", "batch")], "id", "phone"
    )
    try:
        download = page.get_by_test_id("download").first
        revoke = page.get_by_test_id("revoke").first
        download.wait_for(state="visible")
        assert within_screen(page, download)
        assert within_screen(page, revoke)
    finally:
        page.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_the_review_action_panel_takes_at_most_a_fifth_of_the_screen(demo, contexts, size):
    page, _response, _errors = open_page(
        contexts["evaluator"], demo, demo.pages[("evaluator", "review")], "id", size
    )
    try:
        panel = page.get_by_test_id("review-actions")
        assert (
            page.evaluate("el => getComputedStyle(el).position", panel.element_handle()) == "sticky"
        )
        height = panel.bounding_box()["height"]
        assert height <= STICKY_SHARE * SIZES[size][1], height
        # Its buttons stay in reach while the evaluator scrolls through the items.
        page.mouse.wheel(0, 400)
        assert page.get_by_role("button", name="Verifikasi").is_visible()
    finally:
        page.close()


def test_the_report_page_and_the_explanation_link_both_ways(demo, contexts):
    page, _response, _errors = open_page(
        contexts["officer"], demo, demo.pages[("officer", "report-detail")], "id", "laptop"
    )
    try:
        page.get_by_test_id("score-link").click()
        page.wait_for_load_state()
        assert page.url.endswith(demo.pages[("officer", "explain")])
        back = page.get_by_test_id("explain-back")
        back.get_by_role("link", name="Laporan daerah").wait_for()
        back.locator("a").last.click()
        page.wait_for_load_state()
        assert page.url.endswith(demo.pages[("officer", "report-detail")])
    finally:
        page.close()


def test_the_axe_check_catches_a_contrast_failure(demo, contexts):
    # given: a page that passes, with one line of grey on white added to it
    page, _response, _errors = open_page(
        contexts["public"], demo, demo.pages[("public", "login")], "id", "laptop"
    )
    try:
        page.evaluate(
            """() => {
                const p = document.createElement("p");
                p.textContent = "Teks abu-abu muda";
                p.style.color = "#aaaaaa";
                p.style.background = "#ffffff";
                document.querySelector("main").append(p);
            }"""
        )

        # when
        found = serious_violations(page)

        # then
        assert [v["id"] for v in found] == ["color-contrast"]
    finally:
        page.close()
