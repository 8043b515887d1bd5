"""The awards page's figures, built by the worker with the rankings after a recomputation
(evaluation.rebuild), then the page itself for each class of its viewers, so that the page's
first view after it is a hit."""

from django.urls import reverse

from accounts.access import ADMIN, EVALUATOR
from accounts.models import Kanwil
from evaluation import caches, rebuild
from evaluation.rankings import closed_periods

from .views import award_tables, awards


def build_awards(sender, *, cycle, today, **kwargs):
    """The national figures and each Kanwil's, and their tables rendered, in the language
    being built."""
    closed = closed_periods(cycle, today)
    for kanwil in [None, *Kanwil.objects.all()]:
        award_tables(cycle, kanwil, today, closed)  # with the figures they show


def render_awards(sender, *, cycle, today, **kwargs):
    """The awards page at its usual addresses for every class of admin and evaluator (an
    evaluator's shows its own Kanwil), in the language being built."""
    addresses = rebuild.usual_addresses(reverse("piagam:awards"), cycle, today)
    caches.render_ahead(awards, addresses, caches.viewers_by_class(ADMIN, EVALUATOR))


def connect():
    rebuild.building.connect(build_awards, dispatch_uid="piagam-rebuild-awards")
    rebuild.rendering.connect(render_awards, dispatch_uid="piagam-rebuild-awards-page")
