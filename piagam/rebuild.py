"""The awards page's figures, built by the worker with the rankings after a recomputation
(evaluation.rebuild), so that the page's first view after it finds them ready."""

from accounts.models import Kanwil
from evaluation import rebuild
from evaluation.rankings import closed_periods

from .views import award_tables


def build_awards(sender, *, cycle, today, **kwargs):
    """The national figures and each Kanwil's, and their tables rendered, in the language
    being built."""
    closed = closed_periods(cycle, today)
    for kanwil in [None, *Kanwil.objects.all()]:
        award_tables(cycle, kanwil, today, closed)  # with the figures they show


def connect():
    rebuild.building.connect(build_awards, dispatch_uid="piagam-rebuild-awards")
