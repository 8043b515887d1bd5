"""Rejection reasons are stored as codes and read in the reader's own language."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

from evaluation.models import Decision, ItemDecision
from evaluation.services import ItemChoice, decide
from reporting.models import RejectionReason, RevisionItem
from reporting.requirements import report_requirements
from reporting.services import submit_report
from tests.support import build_period, submitted_report

WITA = ZoneInfo("Asia/Makassar")
RETURNED_AT = datetime.datetime(2025, 10, 13, 9, 0, tzinfo=WITA)


@pytest.fixture
def returned_in_english(
    balikpapan, samarinda, officer_balikpapan, evaluator_kaltim, settings, tmp_path
):
    """Round 1, returned by an evaluator working in English: one item "other", one unsigned."""
    settings.MEDIA_ROOT = tmp_path
    period = build_period([balikpapan, samarinda], actions=2, items_per_action=1)
    report = submitted_report(
        balikpapan, period, officer_balikpapan, at=datetime.datetime(2025, 10, 9, 9, 0, tzinfo=WITA)
    )
    first, second = [r for b in report_requirements(balikpapan, period) for r in b.requirements]
    with translation.override("en"):
        decide(
            report,
            by=evaluator_kaltim,
            round=1,
            outcome="returned",
            choices={
                first.pk: ItemChoice(Decision.REJECTED, RejectionReason.OTHER, "Cap dinas kabur."),
                second.pk: ItemChoice(Decision.REJECTED, RejectionReason.UNSIGNED),
            },
            note="Please fix both items.",
            now=RETURNED_AT,
        )
    report.refresh_from_db()
    return report


def in_language(client, language):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.django_db
def test_an_evaluator_deciding_in_english_stores_the_reason_codes(returned_in_english):
    # given the return made with the English interface active (fixture)
    # then the revision items and the decisions hold the codes, not the English labels
    assert sorted(RevisionItem.objects.values_list("reason", flat=True)) == [
        "lainnya",
        "tanpa_ttd",
    ]
    assert sorted(
        ItemDecision.objects.filter(decision=Decision.REJECTED).values_list("reason", flat=True)
    ) == ["lainnya", "tanpa_ttd"]
    # and the evaluator's free note is kept apart from the reason
    item = RevisionItem.objects.get(reason="lainnya")
    assert item.note == "Cap dinas kabur."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "other", "unsigned"),
    [("id", "Lainnya", "Tanpa tanda tangan atau kop surat"), ("en", "Other", "No signature")],
)
@pytest.mark.parametrize("page", ["report-edit", "report-detail"])
def test_the_officer_reads_the_reasons_in_their_own_language(
    returned_in_english, client_for, officer_balikpapan, language, other, unsigned, page
):
    # when the officer opens the returned report in their language
    url = (
        reverse("reporting:report-edit", args=[returned_in_english.period.pk])
        if page == "report-edit"
        else reverse("reporting:report-detail", args=[returned_in_english.pk])
    )
    response = in_language(client_for(officer_balikpapan), language).get(url)

    # then each reason is shown in that language, next to the evaluator's note
    body = response.content.decode()
    assert response.status_code == 200
    assert f"{other} — Cap dinas kabur." in body
    assert unsigned in body
    assert "lainnya" not in body and "tanpa_ttd" not in body


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "other"), [("id", "(Lainnya)"), ("en", "(Other)")])
def test_the_review_screen_shows_earlier_reasons_in_the_readers_language(
    returned_in_english, client_for, officer_balikpapan, evaluator_kaltim, language, other
):
    # given the region sent round 2
    submit_report(
        returned_in_english, by=officer_balikpapan, now=RETURNED_AT + datetime.timedelta(days=1)
    )

    # when the evaluator opens it
    response = in_language(client_for(evaluator_kaltim), language).get(
        reverse("evaluation:review", args=[returned_in_english.pk])
    )

    # then round 1's reason is shown in the evaluator's language
    assert other in response.content.decode()


@pytest.mark.django_db
def test_a_revision_item_names_its_reason_in_the_active_language(returned_in_english):
    item = RevisionItem.objects.get(reason="lainnya")

    with translation.override("en"):
        english = item.get_reason_display()
    indonesian = item.get_reason_display()

    assert (english, indonesian) == ("Other", "Lainnya")
