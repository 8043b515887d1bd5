"""The evaluator's pages: queue, review screen, reopen and the score explained."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.models import Decision
from evaluation.services import ItemChoice, decide
from reporting.models import ReportStatus
from tests.support import build_period, submitted_report

WITA = ZoneInfo("Asia/Makassar")


@pytest.fixture
def report(balikpapan, samarinda, officer_balikpapan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    period = build_period([balikpapan, samarinda], actions=2, items_per_action=2)
    return submitted_report(
        balikpapan,
        period,
        officer_balikpapan,
        at=datetime.datetime(2025, 10, 12, 9, 0, tzinfo=WITA),
    )


def items(report):
    from reporting.requirements import report_requirements

    return [r for b in report_requirements(report.region, report.period) for r in b.requirements]


def own_client(user):
    """A client of its own, for tests where two people have the screen open at once."""
    client = Client()
    client.force_login(user)
    return client


# Status of each page for each member of the cast (302: to the login page).
MATRIX = {
    "officer_balikpapan": {"queue": 403, "review": 403, "explain": 200},
    "officer_samarinda": {"queue": 403, "review": 403, "explain": 404},
    "evaluator_kaltim": {"queue": 200, "review": 200, "explain": 200},
    "evaluator_other": {"queue": 200, "review": 404, "explain": 404},
    "admin_user": {"queue": 200, "review": 200, "explain": 200},
    "anonymous": {"queue": 302, "review": 302, "explain": 302},
}


@pytest.mark.django_db
@pytest.mark.parametrize("cast_member", list(MATRIX), indirect=True)
@pytest.mark.parametrize("page", ["queue", "review", "explain"])
def test_evaluation_pages_permission_matrix(
    client_for, cast_member, request, page, report, kanwil_kaltim, kanwil_jatim
):
    url = {
        "queue": reverse("evaluation:queue"),
        "review": reverse("evaluation:review", args=[report.pk]),
        "explain": reverse("evaluation:explain", args=[report.region.pk, report.period.pk]),
    }[page]

    response = client_for(cast_member).get(url)

    assert response.status_code == MATRIX[request.node.callspec.params["cast_member"]][page]


@pytest.mark.django_db
@pytest.mark.parametrize("cast_member", ["officer_balikpapan", "evaluator_other"], indirect=True)
def test_only_the_kanwil_can_decide_or_reopen(
    client_for, cast_member, report, kanwil_kaltim, kanwil_jatim
):
    client = client_for(cast_member)
    choices = {f"keputusan-{r.pk}": "accepted" for r in items(report)}

    decided = client.post(
        reverse("evaluation:review", args=[report.pk]),
        {"putaran": 1, "verifikasi": "1", "confirmed": "1", **choices},
    )
    reopened = client.post(reverse("evaluation:reopen", args=[report.pk]), {"alasan": "x"})

    assert decided.status_code in (403, 404)
    assert reopened.status_code in (403, 404)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


@pytest.mark.django_db
def test_queue_shows_the_waiting_report_and_the_period_counts(client_for, evaluator_kaltim, report):
    response = client_for(evaluator_kaltim).get(reverse("evaluation:queue"))

    body = response.content.decode()
    assert "Kota Balikpapan" in body
    counts = response.context["counts"]
    assert [(c.counts.expected, c.counts.submitted, c.counts.on_time) for c in counts] == [
        (2, 1, 0)
    ]
    assert counts[0].counts.reporting_rate == Decimal("50.0")


@pytest.mark.django_db
def test_returning_through_the_screen_sends_the_item_notes_to_the_region(
    client_for, evaluator_kaltim, report
):
    first, *rest = items(report)
    data = {
        "putaran": 1,
        "kembalikan": "1",
        "confirmed": "1",
        "catatan": "Perbaiki SK.",
        f"keputusan-{first.pk}": "rejected",
        f"alasan-{first.pk}": "tanpa_ttd",
        f"catatan-{first.pk}": "Belum ada tanda tangan.",
    }
    data.update({f"keputusan-{r.pk}": "accepted" for r in rest})
    data["keputusan-999999"] = "rejected"  # a forged item is never read

    response = client_for(evaluator_kaltim).post(
        reverse("evaluation:review", args=[report.pk]), data
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    item = report.revision_requests.get().items.get()
    assert (item.requirement, item.reason, item.note) == (
        first,
        "tanpa_ttd",
        "Belum ada tanda tangan.",
    )


@pytest.mark.django_db
def test_a_missing_decision_keeps_the_choices_made_and_says_what_is_left(
    client_for, evaluator_kaltim, report
):
    first, *rest = items(report)

    response = client_for(evaluator_kaltim).post(
        reverse("evaluation:review", args=[report.pk]),
        {"putaran": 1, "verifikasi": "1", f"keputusan-{first.pk}": "accepted"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Keputusan belum lengkap" in body
    assert re.search(rf'id="terima-{first.pk}" value="accepted"\s+checked', body)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


@pytest.mark.django_db
def test_the_second_evaluator_sees_who_opened_the_report(
    client_for, evaluator_kaltim, admin_user, report
):
    client_for(evaluator_kaltim).get(reverse("evaluation:review", args=[report.pk]))

    response = client_for(admin_user).get(reverse("evaluation:review", args=[report.pk]))

    assert "Verifikator Kaltim membuka laporan ini" in response.content.decode()


@pytest.mark.django_db
def test_the_first_evaluator_coming_back_is_not_warned_about_the_second(
    evaluator_kaltim, admin_user, report
):
    url = reverse("evaluation:review", args=[report.pk])
    first = own_client(evaluator_kaltim)
    first.get(url)
    own_client(admin_user).get(url)

    again = first.get(url)

    assert again.context["others_open"] is None
    assert 'data-testid="others-open"' not in again.content.decode()


@pytest.mark.django_db
def test_the_queue_says_who_else_has_a_report_open(
    client_for, evaluator_kaltim, admin_user, report
):
    client_for(evaluator_kaltim).get(reverse("evaluation:review", args=[report.pk]))

    theirs = client_for(admin_user).get(reverse("evaluation:queue")).content.decode()
    mine = client_for(evaluator_kaltim).get(reverse("evaluation:queue")).content.decode()

    assert "sedang dibuka oleh Verifikator Kaltim" in theirs
    assert "sedang dibuka oleh" not in mine


@pytest.mark.django_db
def test_opening_the_review_screen_writes_nothing_to_the_database(
    evaluator_kaltim, admin_user, report
):
    from evaluation.models import ItemDecision, Review
    from reporting.models import ReportEvent

    url = reverse("evaluation:review", args=[report.pk])
    counts = [Review.objects.count(), ItemDecision.objects.count(), ReportEvent.objects.count()]
    first, second = own_client(evaluator_kaltim), own_client(admin_user)

    with CaptureQueriesContext(connection) as queries:
        for client in (first, second, first):
            assert client.get(url).status_code == 200

    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert [
        Review.objects.count(),
        ItemDecision.objects.count(),
        ReportEvent.objects.count(),
    ] == counts


@pytest.mark.django_db
def test_the_first_decision_through_the_screen_records_who_opened_it_and_when(
    evaluator_kaltim, admin_user, report
):
    from evaluation.models import Review

    url = reverse("evaluation:review", args=[report.pk])
    client = own_client(evaluator_kaltim)
    client.get(url)
    own_client(admin_user).get(url)

    client.post(
        url,
        {"putaran": 1, "verifikasi": "1", "confirmed": "1"}
        | {f"keputusan-{r.pk}": "accepted" for r in items(report)},
    )

    review = Review.objects.get(report=report, round=1)
    assert (review.opened_by, review.decided_by) == (evaluator_kaltim, evaluator_kaltim)
    assert review.opened_at < review.decided_at


@pytest.mark.django_db
def test_explanation_adds_up(client_for, evaluator_kaltim, report):
    decide(
        report,
        by=evaluator_kaltim,
        round=1,
        outcome="verified",
        choices={r.pk: ItemChoice(Decision.ACCEPTED) for r in items(report)},
    )

    response = client_for(evaluator_kaltim).get(
        reverse("evaluation:explain", args=[report.region.pk, report.period.pk])
    )

    body = response.content.decode()
    result = response.context["result"]
    # Submitted Sunday 12 Oct, two days after the deadline: T = 80, and C = R = 100.
    assert (
        str(result.completeness),
        str(result.timeliness),
        str(result.responsiveness),
        str(result.final),
    ) == ("100.00", "80.00", "100.00", "95.00")
    assert "Jumat, 10 Oktober 2025 pukul 23.59 WITA" in body
    assert "T = max(0, 100 − 10,00 × 2) = 80,00" in body
    assert "F = 0,50 × 100,00 + 0,25 × 80,00 + 0,25 × 100,00 = 95,00" in body


@pytest.mark.django_db
def test_queue_query_count_does_not_grow_with_the_data(
    client_for, evaluator_kaltim, regions, officer_balikpapan, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    kaltim = list(regions.filter(province__code__in=["64", "65"]).order_by("code"))
    period = build_period(kaltim, actions=2, items_per_action=1)
    client = client_for(evaluator_kaltim)

    def count_after(n):
        for region in kaltim[:n]:
            if not region.reports.exists():
                submitted_report(
                    region,
                    period,
                    officer_balikpapan,
                    at=datetime.datetime(2025, 10, 9, 9, 0, tzinfo=WITA),
                )
        cache.clear()  # the queue's figures are cached per score version: measure them computed
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("evaluation:queue")).status_code == 200
        return len(queries)

    small = count_after(2)
    large = count_after(12)

    assert large == small
