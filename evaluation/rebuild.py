"""After a recomputation, the worker builds the cycle's cached figures before pages read them.

Cached rankings, standings and overview figures are keyed by the cycle's score version
(``evaluation.caches``). Moving the version as the recomputation commits left the first
viewer of each page to compute them again: up to a second for the national overview. With a
shared cache (``CACHE_URL``) the recomputation instead records an outbox entry, and its
handler computes the new figures under the next version while the pages still read the
current one, then moves the version: a page's first view after a recomputation finds its
figures ready, and the shared pages themselves rendered ahead (``render_pages``). Apps above
evaluation (piagam's awards) add theirs through ``building`` and ``rendering``.

Without a shared cache each process keeps its own entries, which a worker cannot fill: the
version moves with the recomputation, as before.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.urls import resolve, reverse
from django.utils import timezone, translation

from accounts.access import ADMIN
from accounts.days import ministry_today
from accounts.models import Kanwil
from outbox.models import Entry, EntryStatus
from outbox.registry import register
from outbox.services import record
from reporting.cycles import CYCLE_PARAM, cycles_with_periods, default_cycle
from reporting.models import ReportingCycle

from . import caches, fragments, rankings, recaps
from .models import ScoreStamp, Versions, current_versions, forget_versions

TOPIC = "evaluation.rebuild_caches"

# Sent while the next version's entries are built, with ``cycle`` and ``today``: receivers
# compute (through ``caches.cached_figures``) what they keep under the score version.
building = Signal()
# Sent once every figure is built, in each language, with ``cycle`` and ``today``: receivers
# render their shared pages ahead (``caches.render_ahead``, ``usual_addresses``).
rendering = Signal()


def after_recomputation(cycle):
    """Have the cycle's new scores shown: inside the recomputation's transaction."""
    if settings.CACHE_URL:
        record(TOPIC, cycle_id=cycle.pk)
    else:
        ScoreStamp.bump(cycle)


@register(TOPIC, queue="celery", soft_time_limit=240, max_attempts=5)
def rebuild_caches(*, cycle_id):
    """Compute the cycle's figures under its next score version, then serve that version.

    Idempotent: every run builds from the scores stored when it starts and moves the version
    by one, so a second run only gives the same figures a newer number. Runs for one cycle
    take turns (the stamp's row is locked), so the version served last was built from the
    latest scores. While another entry for the cycle waits its turn, this one leaves the work
    to it: it runs later, so it reads scores at least as new (a burst of decisions costs one
    rebuild, not one each).
    """
    waiting = Entry.objects.filter(
        topic=TOPIC, status=EntryStatus.PENDING, payload__cycle_id=cycle_id
    )
    if waiting.exists():
        return
    cycle = ReportingCycle.objects.filter(pk=cycle_id).prefetch_related("periods").first()
    if cycle is None:
        return
    ScoreStamp.objects.get_or_create(cycle=cycle)
    with transaction.atomic():
        stamp = ScoreStamp.objects.select_for_update().get(cycle=cycle)
        served = current_versions()
        upcoming = Versions(
            scores={**served.scores, cycle.pk: stamp.version + 1}, names=served.names
        )
        with caches.building(upcoming):
            build(cycle, ministry_today())
        ScoreStamp.objects.filter(pk=stamp.pk).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        forget_versions()
        # Read back into the cache here once served, rather than by the first viewer.
        transaction.on_commit(current_versions, robust=True)


def build(cycle, today):
    """The cycle's figures that pages read: rankings (national and per Kanwil, annual and
    per period), every region's standing, the overview and, through ``building``, those of
    the apps above, in each language of the portal."""
    periods = list(cycle.periods.all())
    rankings.cycle_ranking(cycle, today=today)
    for kanwil in Kanwil.objects.all():
        rankings.cycle_ranking(cycle, kanwil, today=today)
    for period in periods:
        rankings.period_ranking(period)
    recaps.cycle_standings(cycle, today=today)
    counted = recaps.due_periods(cycle, today)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            fragments.overview_html(cycle, None, counted, today)  # with its figures
            building.send(sender=ReportingCycle, cycle=cycle, today=today)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            render_pages(cycle, today)


def usual_addresses(url, cycle, today):
    """Where a page of the cycle is usually opened: with the cycle named (``?siklus=``) and,
    when it is the cycle shown by default, the bare address (the navbar's link)."""
    found = [f"{url}?{urlencode({CYCLE_PARAM: cycle.year})}"]
    if default_cycle(cycles_with_periods(), today) == cycle:
        found.insert(0, url)
    return found


def render_pages(cycle, today):
    """The national overview at its usual addresses for every class of admin, then, through
    ``rendering``, the apps' pages above (the awards), then the admins' national ranking, in
    the active language, within the build's time. (The evaluators' Kanwil rankings, one class
    per Kanwil, would cost as much as the rest together: their first view renders them.)"""
    admins = caches.viewers_by_class(ADMIN)

    def render(name):
        # The page's own view, found by its address (the views sit above this module).
        address = reverse(name)
        caches.render_ahead(resolve(address).func, usual_addresses(address, cycle, today), admins)

    render("evaluation:overview")
    rendering.send(sender=ReportingCycle, cycle=cycle, today=today)
    render("evaluation:rankings")
