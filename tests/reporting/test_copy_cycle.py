"""A new cycle copied from last year's: periods a year later, actions, measures, items and
assignments, nothing of the reports, audited."""

import datetime

import pytest

from accounts.models import AuditAction, AuditEvent
from reporting.models import ActionMeasure, Assignment, EvidenceRequirement, Report, ReportingCycle
from reporting.services import ReportingError, copy_cycle


@pytest.fixture
def source(cycle, actions, balikpapan):
    return cycle


@pytest.mark.django_db
def test_copy_moves_the_periods_a_year_and_keeps_the_matrix(source, admin_user):
    copy = copy_cycle(source, 2026, by=admin_user)

    old = {p.code: p for p in source.periods.all()}
    for period in copy.periods.all():
        assert period.due_on == old[period.code].due_on.replace(
            year=old[period.code].due_on.year + 1
        )
    assert copy.actions.count() == source.actions.count()
    assert ActionMeasure.objects.filter(action__cycle=copy).count() == (
        ActionMeasure.objects.filter(action__cycle=source).count()
    )
    assert EvidenceRequirement.objects.filter(measure__action__cycle=copy).count() == (
        EvidenceRequirement.objects.filter(measure__action__cycle=source).count()
    )
    assert set(
        Assignment.objects.filter(action__cycle=copy).values_list("region", "action__number")
    ) == set(
        Assignment.objects.filter(action__cycle=source).values_list("region", "action__number")
    )
    assert not Report.objects.filter(period__cycle=copy).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.CYCLE_COPIED, object_id=str(copy.pk)
    ).exists()


@pytest.mark.django_db
def test_a_cycle_that_has_actions_is_not_copied_over(source, admin_user):
    copy_cycle(source, 2026, by=admin_user)

    with pytest.raises(ReportingError):
        copy_cycle(source, 2026, by=admin_user)

    assert ReportingCycle.objects.filter(year=2026).count() == 1


@pytest.mark.django_db
def test_a_copy_into_an_earlier_year_is_refused(source, admin_user):
    with pytest.raises(ReportingError):
        copy_cycle(source, 2024, by=admin_user)


def test_29_february_becomes_28_february():
    from reporting.services import _a_year_later

    assert _a_year_later(datetime.date(2028, 2, 29), 1) == datetime.date(2029, 2, 28)
