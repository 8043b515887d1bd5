"""A recomputation drops, in one query, the scores of pairs that are no longer assigned."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation.models import Score
from evaluation.scorecards import recompute_cycle
from reporting.models import Assignment
from tests.support import build_period


@pytest.mark.django_db
def test_a_score_without_an_assignment_is_deleted_in_one_query(balikpapan, samarinda):
    # given: both scored, then Samarinda's assignments removed behind the scorer's back
    period = build_period([balikpapan, samarinda], actions=2)
    recompute_cycle(period.cycle)
    Assignment.objects.filter(region=samarinda).delete()

    # when
    with CaptureQueriesContext(connection) as queries:
        recompute_cycle(period.cycle)

    # then
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 1
    assert list(Score.objects.values_list("region__code", flat=True)) == ["64.71"]


@pytest.mark.django_db
def test_a_narrow_recomputation_leaves_other_regions_scores_alone(balikpapan, samarinda):
    # given: Samarinda unassigned, but only Balikpapan is recomputed
    period = build_period([balikpapan, samarinda], actions=1)
    recompute_cycle(period.cycle)
    Assignment.objects.filter(region=samarinda).delete()

    # when
    recompute_cycle(period.cycle, periods=[period], regions=[balikpapan])

    # then
    assert Score.objects.count() == 2


@pytest.mark.django_db
def test_a_period_without_a_measure_for_the_region_keeps_no_score(balikpapan, samarinda):
    # given: a second period whose only measure belongs to an action Samarinda lacks
    first = build_period([balikpapan, samarinda], actions=1)
    second = build_period([balikpapan], actions=2, code="TW4", due_on=first.due_on.replace(day=20))
    second.measures.filter(action__number=1).delete()
    Score.objects.create(
        region=samarinda, period=second, completeness=0, timeliness=0, responsiveness=0, final=0
    )

    # when
    recompute_cycle(first.cycle)

    # then
    assert sorted(Score.objects.values_list("region__code", "period__code")) == [
        ("64.71", "TW3"),
        ("64.71", "TW4"),
        ("64.72", "TW3"),
    ]
