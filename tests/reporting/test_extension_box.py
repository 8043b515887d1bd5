"""The extension box on the officer's home names the period of each request, newest first."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting.models import ExtensionRequest, ExtensionRequestStatus
from reporting.services import decide_extension, request_extension

pytestmark = pytest.mark.django_db


def test_the_home_page_lists_each_request_under_its_period(
    cycle, actions, balikpapan, samarinda, officer_balikpapan, client_for
):
    # given a refused request for TW3, then a pending one for the open period
    tw3, open_period = cycle.periods.get(code="TW3"), cycle.periods.get(code="UJI")
    ExtensionRequest.objects.create(
        region=balikpapan,
        period=tw3,
        due_on=tw3.due_on + datetime.timedelta(days=7),
        reason="Banjir.",
        requested_by=officer_balikpapan,
        status=ExtensionRequestStatus.REFUSED,
        decision_reason="Tidak cukup alasan.",
    )
    ExtensionRequest.objects.create(
        region=balikpapan,
        period=open_period,
        due_on=open_period.due_on + datetime.timedelta(days=7),
        reason="Server daerah rusak.",
        requested_by=officer_balikpapan,
    )
    # and Samarinda's request, which is not Balikpapan's business
    ExtensionRequest.objects.create(
        region=samarinda,
        period=open_period,
        due_on=open_period.due_on,
        reason="Rahasia Samarinda.",
        requested_by=officer_balikpapan,
    )

    # when Balikpapan's officer opens the home page
    page = client_for(officer_balikpapan).get(reverse("reporting:officer-home")).content.decode()

    # then both requests are listed, newest first, each under its period's name
    box = page[page.index('data-testid="extensions"') :]
    names = re.findall(r"<strong>([^<]+)</strong>:", box)
    assert names == [open_period.name, tw3.name]
    assert "Tidak cukup alasan." in box and "Server daerah rusak." in box
    assert "Rahasia Samarinda." not in page


def test_with_a_shared_cache_the_box_follows_each_request_and_decision(
    cycle,
    actions,
    balikpapan,
    officer_balikpapan,
    evaluator_kaltim,
    client_for,
    settings,
    django_capture_on_commit_callbacks,
):
    # given the shared cache's path: the region's requests kept under its own version
    settings.CACHE_URL = "redis://shared.example"  # the test's own cache stands in
    client = client_for(officer_balikpapan)
    open_period = cycle.periods.get(code="UJI")

    def box():
        page = client.get(reverse("reporting:officer-home")).content.decode()
        return page[page.index('data-testid="extensions"') :]

    assert "Server daerah rusak." not in box()

    # when the officer asks, the box shows the request at once
    with django_capture_on_commit_callbacks(execute=True):
        asked = request_extension(
            balikpapan,
            open_period,
            due_on=open_period.due_on + datetime.timedelta(days=7),
            reason="Server daerah rusak.",
            by=officer_balikpapan,
        )
    assert "Server daerah rusak." in box()
    with CaptureQueriesContext(connection) as queries:
        box()
    assert not any("extensionrequest" in q["sql"] for q in queries.captured_queries)

    # and once the Kanwil refuses it, the box shows the refusal
    with django_capture_on_commit_callbacks(execute=True):
        decide_extension(asked, grant=False, by=evaluator_kaltim, reason="Tidak cukup alasan.")
    assert "Tidak cukup alasan." in box()
