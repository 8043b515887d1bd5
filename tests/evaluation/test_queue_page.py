"""The queue's page of reports: a first page that holds everything costs one query."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from evaluation.queues import queue_page, regions_in_scope, waiting_reports
from tests.support import build_period, submitted_report

WITA = ZoneInfo("Asia/Makassar")

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_waiting(balikpapan, samarinda, officer_balikpapan, officer_samarinda, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    period = build_period([balikpapan, samarinda], actions=1, items_per_action=1)
    at = datetime.datetime(2025, 10, 12, 9, 0, tzinfo=WITA)
    return [
        submitted_report(balikpapan, period, officer_balikpapan, at=at),
        submitted_report(samarinda, period, officer_samarinda, at=at + datetime.timedelta(hours=1)),
    ]


@pytest.mark.parametrize("number", [None, "", "1"])
def test_a_first_page_holding_every_report_is_read_without_a_count(
    two_waiting, evaluator_kaltim, django_assert_num_queries, number
):
    reports = waiting_reports(evaluator_kaltim)

    with django_assert_num_queries(1):
        page = queue_page(reports, number)
        shown = [report.pk for report in page.object_list]
        pages = (page.number, page.paginator.num_pages, page.paginator.count)

    assert shown == [report.pk for report in two_waiting]
    assert pages == (1, 1, 2)


@pytest.mark.parametrize(("number", "shown"), [(None, 0), ("1", 0), ("2", 1), ("9", 1), ("x", 0)])
def test_longer_queues_are_counted_and_paged_as_before(
    two_waiting, evaluator_kaltim, number, shown
):
    page = queue_page(waiting_reports(evaluator_kaltim), number, per_page=1)

    assert [report.pk for report in page.object_list] == [two_waiting[shown].pk]
    assert page.paginator.num_pages == 2
    assert page.has_next() == (shown == 0)


def test_a_queue_row_reads_nothing_more_for_what_the_page_shows(
    two_waiting, evaluator_kaltim, django_assert_num_queries
):
    (report, _other) = queue_page(waiting_reports(evaluator_kaltim), None).object_list

    with django_assert_num_queries(0):
        shown = (
            str(report.period),
            report.region.name,
            report.region.today(),
            report.get_status_display(),
            report.last_submitted_at,
            report.period.cycle.review_sla_days,
        )

    assert shown[1] == "Kota Balikpapan"


@pytest.mark.parametrize("who", ["evaluator_kaltim", "evaluator_other", "admin_user"])
def test_the_scope_read_once_selects_the_reports_visible_to_the_user(request, two_waiting, who):
    user = request.getfixturevalue(who)
    scope = list(regions_in_scope(user).values_list("pk", flat=True))

    assert list(waiting_reports(user, scope=scope)) == list(waiting_reports(user))
    assert len(waiting_reports(user, scope=scope)) == (0 if who == "evaluator_other" else 2)
