"""The overview, the rankings and the awards are kept whole once for everyone who sees the
same page; each viewer's own parts (name, bell, CSRF token, the address the language
switcher returns to) are holes filled for each request. The worker renders these pages
ahead after a recomputation."""

import datetime
import re
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Region, Role
from evaluation import caches
from evaluation.scorecards import recompute_cycle
from notifications.models import Kind, Mode, Notice
from piagam import views as piagam_views
from tests.conftest import make_user
from tests.evaluation.test_caches_rebuild import recompute, run_rebuilds
from tests.support import build_period, submitted_report

# The module (``evaluation.views.rankings`` as an attribute is the view of that name).
ranking_views = import_module("evaluation.views.rankings")
WITA = ZoneInfo("Asia/Makassar")
OVERVIEW = reverse("evaluation:overview")
RANKINGS = reverse("evaluation:rankings")
AWARDS = reverse("piagam:awards")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


@pytest.fixture(autouse=True)
def outbox_waits(monkeypatch):
    # The rebuild entries wait for the test, which plays the worker (run_rebuilds).
    from outbox import tasks

    monkeypatch.setattr(tasks.run_entry, "apply_async", lambda args, **options: None)


@pytest.fixture
def period(balikpapan, samarinda, officer_balikpapan):
    """Triwulan III 2025 (closed), Balikpapan's report sent on time, all scored."""
    period = build_period([balikpapan, samarinda])
    submitted_report(
        balikpapan, period, officer_balikpapan, at=datetime.datetime(2025, 10, 9, tzinfo=WITA)
    )
    recompute_cycle(period.cycle)
    return period


@pytest.fixture
def second_admin(regions):
    """An admin of the same kind as ``admin_user`` (staff, superuser): the same pages."""
    return make_user(
        "admin.kedua",
        role=Role.ADMIN,
        is_staff=True,
        is_superuser=True,
        first_name="Dewi",
        last_name="Lestari",
    )


def signed_in(user, **options):
    client = Client(**options)
    client.force_login(user)
    return client


def notices(user, count):
    for n in range(count):
        Notice.objects.create(
            recipient=user,
            kind=Kind.SUBMITTED,
            object_type="reporting.period",
            object_id="1",
            occasion=f"uji-{user.pk}-{n}",
            title=f"Pemberitahuan {n}",
            mode=Mode.IMMEDIATELY,
        )


def bell_count(html):
    found = re.search(r'data-testid="bell-count">(\d+)<', html)
    return int(found.group(1)) if found else 0


def who(html):
    return re.search(r'data-testid="who" title="([^"]*)"', html).group(1)


def never(*args, **kwargs):
    raise AssertionError("the page was rendered again")


@pytest.mark.django_db
def test_two_admins_share_one_rendered_page_each_with_their_own_name_bell_and_token(
    period, admin_user, second_admin, monkeypatch
):
    # given: two admins with their own unread notices; the first renders the overview
    notices(admin_user, 2)
    notices(second_admin, 5)
    first = signed_in(admin_user).get(OVERVIEW, {"siklus": 2025}).content.decode()

    # when: the second opens the same page, with any rendering of it refused
    monkeypatch.setattr(ranking_views, "render", never)
    second_client = signed_in(second_admin, enforce_csrf_checks=True)
    second = second_client.get(OVERVIEW, {"siklus": 2025}).content.decode()

    # then: the same page, with the second admin's own name and bell
    assert 'data-testid="overview"' in second
    assert (who(first), bell_count(first)) == ("Admin Pusat · Kementerian HAM (pusat)", 2)
    assert (who(second), bell_count(second)) == ("Dewi Lestari · Kementerian HAM (pusat)", 5)
    assert "<!--ranham:" not in second
    # and the page's own address in the language switcher
    assert 'name="next" type="hidden" value="/evaluasi/nasional/?siklus=2025"' in second

    # and the second admin's token (both forms carry it) is accepted for a POST
    tokens = set(TOKEN.findall(second))
    assert len(tokens) == 1
    switched = second_client.post(
        reverse("set_language"),
        {"csrfmiddlewaretoken": tokens.pop(), "language": "en", "next": OVERVIEW},
    )
    assert switched.status_code == 302


@pytest.mark.django_db
def test_a_new_notice_changes_the_bell_on_the_next_reload(period, admin_user):
    # given: an admin who has seen the rankings once, without notices
    client = signed_in(admin_user)
    assert bell_count(client.get(RANKINGS, {"siklus": 2025}).content.decode()) == 0

    # when: a notice arrives
    notices(admin_user, 1)

    # then: the reloaded page counts it
    assert bell_count(client.get(RANKINGS, {"siklus": 2025}).content.decode()) == 1


@pytest.mark.django_db
def test_a_viewer_never_receives_a_page_rendered_for_another_scope(
    period, officer_balikpapan, officer_samarinda, evaluator_kaltim, evaluator_other
):
    # given: each officer's and each evaluator's ranking, the first of each rendered first
    pages = {
        user.username: signed_in(user).get(RANKINGS, {"siklus": 2025}).content.decode()
        for user in (officer_balikpapan, officer_samarinda, evaluator_kaltim, evaluator_other)
    }

    # then: an officer sees only its own region's line, an evaluator its own Kanwil
    balikpapan, samarinda = pages[officer_balikpapan.username], pages[officer_samarinda.username]
    assert "Kota Balikpapan" in balikpapan and "Kota Samarinda" not in balikpapan
    assert "Kota Samarinda" in samarinda and "Kota Balikpapan" not in samarinda
    kaltim, jatim = pages[evaluator_kaltim.username], pages[evaluator_other.username]
    assert "Kota Balikpapan" in kaltim
    assert "Kota Balikpapan" not in jatim and "Jawa Timur" in jatim


@pytest.mark.django_db
def test_a_name_holding_a_hole_mark_is_shown_as_written(period, admin_user, second_admin):
    # given: a region named like the holes of a shared page
    Region.objects.filter(code="64.71").update(name="Kota <!--ranham:csrf--><!--ranham:who-->")
    Region.objects.get(code="64.71").save(update_fields=["name"])  # the names version moves

    # when: the ranking is rendered for one admin, then served to another
    for user in (admin_user, second_admin):
        html = signed_in(user).get(RANKINGS, {"siklus": 2025}).content.decode()

        # then: the name is shown escaped, as written, its marks not filled
        assert "Kota &lt;!--ranham:csrf--&gt;&lt;!--ranham:who--&gt;" in html
        assert html.count('data-testid="who"') == 1


@pytest.mark.django_db
def test_a_page_with_a_flash_message_is_neither_served_nor_kept_for_others(
    period, admin_user, second_admin
):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpResponse
    from django.test import RequestFactory

    # given: the first admin, with a message waiting, and the awards page already kept
    signed_in(second_admin).get(AWARDS, {"siklus": 2025})
    client = signed_in(admin_user)
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(constants.SUCCESS, "Pesan uji untuk admin pertama")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value

    # when: the first admin opens the page, then the second again
    mine = client.get(AWARDS, {"siklus": 2025}).content.decode()
    other = signed_in(second_admin).get(AWARDS, {"siklus": 2025}).content.decode()

    # then: the message is shown to the first admin only
    assert "Pesan uji untuk admin pertama" in mine
    assert "Pesan uji untuk admin pertama" not in other


@pytest.mark.django_db
def test_the_navbar_is_the_viewers_own_on_every_page(officer_balikpapan, officer_samarinda):
    # given: two officers of the same kind, who share one rendered navbar
    pages = [
        signed_in(user).get(path).content.decode()
        for user, path in (
            (officer_balikpapan, reverse("notifications:list")),
            (officer_samarinda, reverse("notifications:list") + "?halaman=1"),
        )
    ]

    # then: each sees their own region, and the switcher returns to their own address
    assert who(pages[0]).endswith("Kota Balikpapan")
    assert who(pages[1]).endswith("Kota Samarinda")
    assert 'name="next" type="hidden" value="/notifikasi/"' in pages[0]
    assert 'name="next" type="hidden" value="/notifikasi/?halaman=1"' in pages[1]


@pytest.fixture
def shared_cache(settings):
    settings.CACHE_URL = "redis://shared.example"  # the test's own cache stands in


@pytest.mark.django_db
def test_the_rebuild_renders_the_pages_ahead_so_that_their_first_views_render_nothing(
    shared_cache,
    period,
    admin_user,
    evaluator_kaltim,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    # given: a recomputation and the worker's rebuild
    recompute(period.cycle, django_capture_on_commit_callbacks)
    run_rebuilds(django_capture_on_commit_callbacks)

    # when: the pages are first viewed, in both languages, with any rendering refused
    monkeypatch.setattr(ranking_views, "render", never)
    monkeypatch.setattr(piagam_views, "render", never)
    admin, evaluator = signed_in(admin_user), signed_in(evaluator_kaltim)
    pages = []
    for language in ("id", "en"):
        admin.cookies["django_language"] = evaluator.cookies["django_language"] = language
        pages += [
            admin.get(OVERVIEW, {"siklus": 2025}),
            admin.get(OVERVIEW),
            admin.get(AWARDS, {"siklus": 2025}),
            admin.get(RANKINGS),
            evaluator.get(AWARDS),
            evaluator.get(AWARDS, {"siklus": 2025}),
        ]

    # then: every one answers from the copy rendered ahead, in its language and scope
    assert [page.status_code for page in pages] == [200] * 12
    html = [page.content.decode() for page in pages]
    assert "Tingkat pelaporan" in html[0] and "Reporting rate" in html[6]
    assert "Kalimantan Timur" in html[4] and "Dasar usulan" in html[4]
    assert who(html[11]).startswith("Verifikator")


@pytest.mark.django_db
def test_pages_rendered_ahead_stop_at_the_builds_time(period, admin_user, monkeypatch):
    # given: a build whose time for pages is over
    rendered = []
    monkeypatch.setattr(ranking_views, "render", lambda *a, **k: rendered.append(a) or never())
    versions = caches.versions_in_use()

    # when: the overview is to be rendered ahead
    with caches.building(versions, ahead_seconds=-1):
        count = caches.render_ahead(ranking_views.overview, [OVERVIEW], [admin_user])

    # then: nothing is rendered
    assert (count, rendered) == (0, [])
