"""An officer asks for more time, the Kanwil grants it: the deadline and T follow."""

import datetime

import pytest
from django.utils import formats, timezone
from playwright.sync_api import expect

from evaluation.models import Score
from notifications.models import Kind, Notice
from tests.support import build_period, submitted_report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_extension_requested_and_granted_moves_the_deadline_and_the_score(
    page, login, balikpapan, officer_balikpapan, evaluator_kaltim
):
    # Given a period whose deadline passed three days ago in Balikpapan, still open.
    today = balikpapan.today()
    period = build_period(
        [balikpapan],
        year=today.year + 5,
        due_on=today - datetime.timedelta(days=3),
        closes_on=today + datetime.timedelta(days=20),
    )
    asked = today + datetime.timedelta(days=2)

    # When the officer asks for an extension from the report page...
    login(officer_balikpapan)
    page.goto(f"/laporan/periode/{period.pk}/")
    page.get_by_text("Minta perpanjangan").click()
    page.get_by_label("Batas lapor yang diminta").fill(asked.isoformat())
    page.get_by_label("Alasan").fill("Banjir merusak kantor dinas.")
    page.get_by_role("button", name="Kirim permintaan").click()
    expect(page.get_by_text("Permintaan perpanjangan dikirim ke Kanwil.")).to_be_visible()
    expect(page.get_by_test_id("extension-request-pending")).to_be_visible()
    # ...and then sends the report, three days after the period's deadline (T = 70).
    report = submitted_report(balikpapan, period, officer_balikpapan, at=timezone.now())
    assert Score.objects.get(region=balikpapan, period=period).timeliness == 70
    page.context.clear_cookies()

    # And the Kanwil's evaluator, told by the bell, grants it.
    login(evaluator_kaltim)
    assert Notice.objects.filter(recipient=evaluator_kaltim, kind=Kind.EXTENSION_REQUESTED).exists()
    expect(page.get_by_test_id("bell-count")).to_be_visible()
    page.goto("/laporan/perpanjangan/")
    card = page.get_by_test_id(f"pending-{balikpapan.code}")
    expect(card).to_contain_text("Banjir merusak kantor dinas.")
    card.get_by_role("button", name="Kabulkan").click()
    expect(page.get_by_test_id("consequences")).to_contain_text("23.59 WITA")
    page.get_by_role("button", name="Ya, kabulkan").click()
    expect(page.get_by_text("Perpanjangan dikabulkan.")).to_be_visible()
    page.context.clear_cookies()

    # Then the officer sees the new deadline on the report and its timeliness is whole again.
    login(officer_balikpapan)
    page.goto(f"/laporan/{report.pk}/")
    deadline = page.get_by_test_id("deadline")
    expect(deadline).to_contain_text(formats.date_format(asked, "j F Y"))
    expect(deadline).to_contain_text("diperpanjang")
    expect(page.get_by_test_id("extension-request-granted")).to_be_visible()
    assert Score.objects.get(region=balikpapan, period=period).timeliness == 100
    assert Notice.objects.filter(recipient=officer_balikpapan, kind=Kind.EXTENSION_DECIDED).exists()
