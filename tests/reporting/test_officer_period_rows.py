"""The officer's period rows: what is required of the region, what is missing, the deadline."""

import datetime

import pytest
from django.utils import timezone

from reporting.models import ActionMeasure, Evidence, Extension, ProgressStatus, ReportEntry
from reporting.presenters import officer_period_rows
from tests.reporting.conftest import add_evidence_rows, requirement_of

pytestmark = pytest.mark.django_db


def test_rows_count_only_the_regions_actions_and_the_files_still_attached(
    draft, actions, samarinda_only_action, balikpapan, officer_balikpapan, cycle, tw3
):
    # given Aksi 1 written with one of its two items uploaded, Aksi 2 with an empty narrative
    # and an item whose file was taken back, and Aksi 3 without items in TW3
    ReportEntry.objects.create(
        report=draft, action=actions[0], narrative="Sudah.", progress=ProgressStatus.DONE
    )
    ReportEntry.objects.create(
        report=draft, action=actions[1], narrative="", progress=ProgressStatus.NOT_STARTED
    )
    add_evidence_rows(draft, requirement_of(actions[0], tw3), 2, by=officer_balikpapan)
    add_evidence_rows(draft, requirement_of(actions[1], tw3), 1, by=officer_balikpapan)
    Evidence.objects.filter(requirement=requirement_of(actions[1], tw3)).update(
        removed_at=timezone.now()
    )
    ActionMeasure.objects.get(action=actions[2], period=tw3).requirements.all().delete()
    # and an extension of TW3
    Extension.objects.create(
        region=balikpapan,
        period=tw3,
        due_on=tw3.due_on + datetime.timedelta(days=7),
        reason="Banjir.",
        granted_by=officer_balikpapan,
    )

    # when the rows of the cycle are built
    rows = {row.period.code: row for row in officer_period_rows(balikpapan, cycle.periods.all())}

    # then TW3 asks for Balikpapan's 3 actions (not Samarinda's Aksi 4) and their 4 items
    row = rows["TW3"]
    assert (row.required_actions, row.required_items) == (3, 4)
    # and 2 narratives and 3 items are missing: the removed file does not count
    assert (row.missing_narratives, row.missing_items) == (2, 3)
    assert row.deadline.extended and row.deadline.due.date() == tw3.due_on + datetime.timedelta(7)
    assert row.state == "draft" and row.items_to_fix == 0
    # and a period without a report asks for everything, on its own due date
    other = rows["TW1"]
    assert other.report is None and not other.deadline.extended
    assert (other.missing_narratives, other.missing_items) == (3, 6)
