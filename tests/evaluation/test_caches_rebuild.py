"""After a recomputation the worker builds the figures of the next score version, and only
then are they served: no viewer pays for the rebuild."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from evaluation import fragments, rebuild, recaps
from evaluation.models import current_versions
from evaluation.scorecards import recompute_cycle
from outbox import tasks
from outbox.models import Entry, EntryStatus
from piagam import views as piagam_views
from tests.support import build_period, submitted_report

WITA = ZoneInfo("Asia/Makassar")


@pytest.fixture(autouse=True)
def outbox_runs_after_commit(monkeypatch):
    # Here the rebuild entries wait for the test, which plays the worker (run_rebuilds):
    # what reaches the broker is dropped instead of being run at once.
    monkeypatch.setattr(tasks.run_entry, "apply_async", lambda args, **options: None)


@pytest.fixture
def shared_cache(settings):
    settings.CACHE_URL = "redis://shared.example"  # the test's own cache stands in


@pytest.fixture
def period(balikpapan, samarinda, officer_balikpapan):
    """Triwulan III 2025 (closed) with Balikpapan's report sent on time; Samarinda's not."""
    period = build_period([balikpapan, samarinda])
    submitted_report(
        balikpapan, period, officer_balikpapan, at=datetime.datetime(2025, 10, 9, tzinfo=WITA)
    )
    return period


def run_rebuilds(capture):
    """What the worker does with the recorded rebuilds (and their commit's bookkeeping)."""
    pending = Entry.objects.filter(topic=rebuild.TOPIC, status=EntryStatus.PENDING)
    with capture(execute=True):
        results = [tasks.run_entry(pk) for pk in pending.values_list("pk", flat=True)]
    assert results and set(results) == {"done"}


def recompute(cycle, capture):
    with capture(execute=True):
        recompute_cycle(cycle)


def never(*args, **kwargs):
    raise AssertionError("a page computed what the rebuild had built")


@pytest.mark.django_db
def test_the_old_figures_stay_served_until_the_worker_built_the_new_ones(
    shared_cache,
    period,
    balikpapan,
    samarinda,
    officer_samarinda,
    django_capture_on_commit_callbacks,
):
    # given: the cycle scored and rebuilt, Balikpapan ranked alone
    cycle = period.cycle
    recompute(cycle, django_capture_on_commit_callbacks)
    run_rebuilds(django_capture_on_commit_callbacks)
    served = current_versions().of(cycle)
    assert recaps.region_positions(balikpapan, cycle).national_of == 2

    # when: Samarinda sends late and the cycle is recomputed
    submitted_report(
        samarinda, period, officer_samarinda, at=datetime.datetime(2025, 10, 20, tzinfo=WITA)
    )
    recompute(cycle, django_capture_on_commit_callbacks)

    # then: the pages still read the version they read before, with its figures
    assert current_versions().of(cycle) == served
    assert Entry.objects.filter(topic=rebuild.TOPIC, status=EntryStatus.PENDING).count() == 1
    before = recaps.region_positions(samarinda, cycle)

    # and: once the worker rebuilt them, the next version is served, its figures ready
    run_rebuilds(django_capture_on_commit_callbacks)
    assert current_versions().of(cycle) == served + 1
    after = recaps.region_positions(samarinda, cycle)
    assert (before.final, after.final) == (0, 75)  # not sent, then ten days late


@pytest.mark.django_db
def test_the_first_views_after_a_rebuild_compute_no_figures(
    shared_cache,
    period,
    admin_user,
    officer_balikpapan,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    # given: a recomputation, and the worker's rebuild of its figures
    recompute(period.cycle, django_capture_on_commit_callbacks)
    run_rebuilds(django_capture_on_commit_callbacks)

    # when: the overview, the awards and the officer's home are first viewed, in both
    # languages, with every figure's computation and every rendering of the parts that all
    # their viewers share refused
    monkeypatch.setattr(recaps, "_overview_figures", never)
    monkeypatch.setattr(recaps, "all_region_positions", never)
    monkeypatch.setattr(recaps, "cycle_standings", never)  # the officer's own entry is read
    monkeypatch.setattr(piagam_views, "_award_figures", never)
    monkeypatch.setattr(fragments, "render_to_string", never)
    monkeypatch.setattr(piagam_views, "render_to_string", never)
    admin, officer = Client(), Client()
    admin.force_login(admin_user)
    officer.force_login(officer_balikpapan)
    pages = []
    for language in ("id", "en"):
        admin.cookies["django_language"] = officer.cookies["django_language"] = language
        pages += [
            admin.get(reverse("evaluation:overview"), {"siklus": 2025}),
            admin.get(reverse("piagam:awards"), {"siklus": 2025}),
            officer.get(reverse("reporting:officer-home")),
        ]

    # then: every page answers from the built figures and parts, in its language
    assert [page.status_code for page in pages] == [200] * 6
    assert 'data-testid="standing"' in pages[2].content.decode()
    overview, awards = pages[0].content.decode(), pages[1].content.decode()
    assert 'data-testid="overview"' in overview and "Tingkat pelaporan" in overview
    assert 'data-testid="candidates"' in awards and "Dasar usulan" in awards
    assert "Reporting rate" in pages[3].content.decode()
    assert "Basis for the proposals" in pages[4].content.decode()


@pytest.mark.django_db
def test_a_rebuild_run_twice_serves_the_same_figures_under_a_newer_version(
    shared_cache, period, balikpapan, django_capture_on_commit_callbacks
):
    # given: a recomputation whose rebuild ran
    cycle = period.cycle
    recompute(cycle, django_capture_on_commit_callbacks)
    run_rebuilds(django_capture_on_commit_callbacks)
    first = current_versions().of(cycle)
    standing = recaps.region_positions(balikpapan, cycle)

    # when: the same entry is carried out again (a worker killed after its work)
    with django_capture_on_commit_callbacks(execute=True):
        rebuild.rebuild_caches(cycle_id=cycle.pk)

    # then
    assert current_versions().of(cycle) == first + 1
    assert recaps.region_positions(balikpapan, cycle) == standing


@pytest.mark.django_db
def test_without_a_shared_cache_the_recomputation_moves_the_version_itself(
    settings, period, django_capture_on_commit_callbacks
):
    # given: each process with its own cache, which no worker could fill
    settings.CACHE_URL = ""
    before = current_versions().of(period.cycle)

    # when
    recompute(period.cycle, django_capture_on_commit_callbacks)

    # then
    assert current_versions().of(period.cycle) == before + 1
    assert not Entry.objects.filter(topic=rebuild.TOPIC).exists()


def test_the_rebuild_runs_on_the_default_queue_within_a_time_limit():
    from outbox.registry import handler_of

    handler = handler_of(rebuild.TOPIC)
    assert handler.queue == "celery"
    assert 0 < handler.soft_time_limit < handler.time_limit


@pytest.mark.django_db
def test_a_burst_of_recomputations_is_rebuilt_once_by_the_last_entry_to_run(
    shared_cache, period, django_capture_on_commit_callbacks
):
    # given: three recomputations of the cycle in a row, none rebuilt yet
    cycle = period.cycle
    before = current_versions().of(cycle)
    for _ in range(3):
        recompute(cycle, django_capture_on_commit_callbacks)

    # when: the worker carries out their entries
    run_rebuilds(django_capture_on_commit_callbacks)

    # then: the two that found another still waiting left the work to it
    assert current_versions().of(cycle) == before + 1
    assert not Entry.objects.filter(topic=rebuild.TOPIC).exclude(status=EntryStatus.DONE).exists()


@pytest.mark.django_db
def test_the_awards_tables_kept_for_a_scope_are_rendered_again_after_a_piagam_change(
    shared_cache, period, admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    # given: the national awards tables of the cycle, kept once rendered
    from accounts.days import ministry_today
    from evaluation.rankings import closed_periods
    from piagam.models import CertificateBatch

    cycle, today = period.cycle, ministry_today()
    closed = closed_periods(cycle, today)
    first = piagam_views.award_tables(cycle, None, today, closed)
    rendered = []
    monkeypatch.setattr(
        piagam_views, "render_to_string", lambda name, context: rendered.append(name) or name
    )
    assert piagam_views.award_tables(cycle, None, today, closed) == first
    assert rendered == []

    # when: a batch is issued for the cycle (any piagam or batch row written)
    with django_capture_on_commit_callbacks(execute=True):
        CertificateBatch.objects.create(
            cycle=cycle, kanwil=None, place="Jakarta", issued_on=today, created_by=admin_user
        )

    # then: the next view renders them again, with the rows as they now are
    piagam_views.award_tables(cycle, None, today, closed)
    assert rendered == ["piagam/_award_proposals.html", "piagam/_award_candidates.html"]
