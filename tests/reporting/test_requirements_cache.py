"""What a region must report comes from the shared cache and follows every setup change."""

import pytest

from reporting.models import ActionMeasure, Assignment, EvidenceRequirement
from reporting.requirements import report_requirements
from reporting.services import assign_actions, unassign
from tests.reporting.conftest import add_actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_cache(settings):
    settings.CACHE_URL = "redis://shared.example"  # the cached path; the test's cache stands in


def shown(region, period):
    return [
        (block.action.number, block.measure.measure, [r.name for r in block.requirements])
        for block in report_requirements(region, period)
    ]


def test_a_second_read_costs_no_query(
    shared_cache, actions, balikpapan, tw3, django_assert_num_queries
):
    first = shown(balikpapan, tw3)
    with django_assert_num_queries(0):
        assert shown(balikpapan, tw3) == first
    assert [number for number, _m, _r in first] == [1, 2, 3]


def test_every_kind_of_setup_change_is_seen_at_once(
    shared_cache,
    cycle,
    actions,
    balikpapan,
    samarinda,
    tw3,
    admin_user,
    django_capture_on_commit_callbacks,
):
    fourth = add_actions(cycle, 1, regions=[samarinda])[0]
    shown(balikpapan, tw3)

    def after(change):
        with django_capture_on_commit_callbacks(execute=True):
            change()
        return shown(balikpapan, tw3)

    # a required item renamed (a model saved)
    renamed = EvidenceRequirement.objects.filter(
        measure__action=actions[0], measure__period=tw3
    ).order_by("order")[0]
    renamed.name = "SK Tim Pelaksana (revisi)"
    assert after(renamed.save)[0][2][0] == "SK Tim Pelaksana (revisi)"

    # an action assigned to one more region (bulk_create)
    seen = after(lambda: assign_actions([fourth], [balikpapan], by=admin_user))
    assert [number for number, _m, _r in seen] == [1, 2, 3, 4]

    # a measure reworded (a queryset update)
    measures = ActionMeasure.objects.filter(action=actions[1], period=tw3)
    seen = after(lambda: measures.update(measure="Ukuran baru."))
    assert seen[1][1] == "Ukuran baru."

    # an assignment released (a deletion)
    released = Assignment.objects.filter(action=actions[2], region=balikpapan)
    seen = after(lambda: unassign(released, by=admin_user))
    assert [number for number, _m, _r in seen] == [1, 2, 4]
