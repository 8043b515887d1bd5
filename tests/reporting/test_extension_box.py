"""The extension box on the officer's home names the period of each request, newest first."""

import datetime
import re

import pytest
from django.urls import reverse

from reporting.models import ExtensionRequest, ExtensionRequestStatus

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
