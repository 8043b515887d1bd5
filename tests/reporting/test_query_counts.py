"""The officer's and the evaluator's pages cost a fixed number of queries, whatever the data.

Each test measures a page at a small size, grows the data (more files per item, or more
assigned actions) and asserts that the page issues exactly as many queries again. A ceiling
per page pins the small count too, so that a new query shows up in review.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting.models import Evidence, RejectionReason
from reporting.requirements import report_requirements
from reporting.services import return_report, start_report, submit_report
from tests.reporting.conftest import (
    ON_TIME,
    add_actions,
    add_entries,
    add_evidence_rows,
)

pytestmark = pytest.mark.django_db

# The most queries each page may issue, as measured on SQLite and PostgreSQL.
# Session and user are 2 of them; base.html adds the user's region or Kanwil.
# Each page also counts the navbar's bell (1) and, but the version page, its extension
# requests (1).
CEILING = {
    "officer-home": 15,  # 11 for the periods, 2 for the region's standing
    "report-edit": 14,
    "report-detail-officer": 16,
    "report-detail-evaluator": 18,
    "report-version": 8,
}

SMALL = {"actions": 2, "files": 1}
LARGE = {
    "files": {"actions": 2, "files": 5},
    "actions": {"actions": 7, "files": 1},
}


class Scenario:
    """Balikpapan's TW3 2025 report, sent and returned once per size, with Samarinda's report
    of the same period holding the same file contents (so that the duplicate flags have work)."""

    def __init__(self, cycle, period, balikpapan, samarinda, officer, evaluator, officer_smd):
        self.cycle, self.period = cycle, period
        self.regions = [balikpapan, samarinda]
        self.officer, self.evaluator = officer, evaluator
        self.report = start_report(balikpapan, period, by=officer)
        self.theirs = start_report(samarinda, period, by=officer_smd)
        self.officer_smd = officer_smd
        self.rounds = 0

    def grow_to(self, *, actions, files):
        have = self.cycle.actions.count()
        if actions > have:
            add_actions(self.cycle, actions - have, regions=self.regions)
        for report, by in ((self.report, self.officer), (self.theirs, self.officer_smd)):
            add_entries(report)
            for block in report_requirements(report.region, report.period):
                for requirement in block.requirements:
                    have_files = Evidence.objects.filter(
                        report=report, requirement=requirement
                    ).count()
                    # The same content keys in both reports: every file is a duplicate.
                    add_evidence_rows(
                        report,
                        requirement,
                        files - have_files,
                        by=by,
                        content_key=f"{requirement.pk}-{have_files}",
                    )
        # One more round: sent, then returned with every item rejected.
        self.rounds += 1
        moment = ON_TIME + datetime.timedelta(hours=self.rounds)
        submit_report(self.report, by=self.officer, now=moment)
        items = [
            (requirement, RejectionReason.UNREADABLE, f"Putaran {self.rounds}")
            for block in report_requirements(self.report.region, self.period)
            for requirement in block.requirements
        ]
        return_report(self.report, by=self.evaluator, items=items, now=moment)


@pytest.fixture
def scenario(cycle, balikpapan, samarinda, officer_balikpapan, evaluator_kaltim, officer_samarinda):
    return Scenario(
        cycle,
        cycle.periods.get(code="TW3"),
        balikpapan,
        samarinda,
        officer_balikpapan,
        evaluator_kaltim,
        officer_samarinda,
    )


def page_request(page, scenario):
    """(user, url) of a page of the scenario's report; the version page shows the last round."""
    report = scenario.report
    return {
        "officer-home": (scenario.officer, reverse("reporting:officer-home")),
        "report-edit": (
            scenario.officer,
            reverse("reporting:report-edit", args=[report.period.pk]),
        ),
        "report-detail-officer": (
            scenario.officer,
            reverse("reporting:report-detail", args=[report.pk]),
        ),
        "report-detail-evaluator": (
            scenario.evaluator,
            reverse("reporting:report-detail", args=[report.pk]),
        ),
        "report-version": (
            scenario.evaluator,
            reverse("reporting:report-version", args=[report.pk, scenario.rounds]),
        ),
    }[page]


def files_shown(page, response):
    """How many evidence files the page lists (the home page shows counts only)."""
    if page == "officer-home":
        return None
    return response.content.decode().count('href="/laporan/data-dukung/')


def get_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("growth", list(LARGE))
@pytest.mark.parametrize("page", list(CEILING))
def test_page_issues_the_same_number_of_queries_at_both_sizes(
    client_for, scenario, django_assert_num_queries, page, growth
):
    # given the small report, and the page measured on it
    scenario.grow_to(**SMALL)
    user, url = page_request(page, scenario)
    client = client_for(user)
    get_ok(client, url)  # the first request of a session may warm caches
    with CaptureQueriesContext(connection) as small:
        small_page = get_ok(client, url)
    assert len(small) <= CEILING[page], [q["sql"] for q in small.captured_queries]

    # when the data grows
    scenario.grow_to(**LARGE[growth])
    user, url = page_request(page, scenario)

    # then the page costs exactly as much
    with django_assert_num_queries(len(small)):
        large_page = get_ok(client, url)
    # and it does show the larger data
    if page != "officer-home":
        size = LARGE[growth]
        assert files_shown(page, small_page) == SMALL["actions"] * 2 * SMALL["files"]
        assert files_shown(page, large_page) == size["actions"] * 2 * size["files"]
    else:
        assert f'data-testid="period-{scenario.period.code}"' in large_page.content.decode()
