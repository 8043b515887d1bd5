"""A recomputation pauses the cyclic garbage collector while it holds a cycle's objects, and
leaves it as it found it: running, or paused by the caller, even when it fails."""

import gc

import pytest

from evaluation import scorecards
from evaluation.scorecards import recompute_cycle
from tests.support import build_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(balikpapan, samarinda):
    return build_period([balikpapan, samarinda], actions=1)


@pytest.fixture
def collector_seen(monkeypatch):
    """Whether the collector ran during each gathering of the recomputations."""
    seen = []
    gather = scorecards.gather

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return gather(*args, **kwargs)

    monkeypatch.setattr(scorecards, "gather", watched)
    return seen


def test_the_collector_is_paused_during_the_recomputation_and_runs_after(period, collector_seen):
    # when
    recompute_cycle(period.cycle)

    # then
    assert collector_seen == [False]
    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused(period, collector_seen):
    # given
    gc.disable()
    try:
        # when
        recompute_cycle(period.cycle)

        # then
        assert collector_seen == [False]
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_failed_recomputation_leaves_the_collector_running(period, monkeypatch):
    # given
    def failing(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(scorecards, "gather", failing)

    # when
    with pytest.raises(RuntimeError):
        recompute_cycle(period.cycle)

    # then
    assert gc.isenabled()
