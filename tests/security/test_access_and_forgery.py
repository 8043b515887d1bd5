"""Other regions' ids, other Kanwil, anonymous visitors, forged fields and missing CSRF tokens:
each refused, with nothing stored and nothing of another region shown."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from evaluation.models import Review
from reporting.models import Evidence, Report, ReportEntry, ReportEvent, ReportStatus
from reporting.services import start_report, submit_report
from tests.reporting.conftest import (
    ON_TIME,
    fill_report,
    make_pdf,
    requirement_of,
)
from tests.security.conftest import edit_url, files_field, first_requirement, footprint, payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def samarinda_report(tw3, actions, samarinda, officer_samarinda):
    """Samarinda's TW3 report, sent: another region's data for Balikpapan's officer."""
    report = start_report(samarinda, tw3, by=officer_samarinda)
    fill_report(report, by=officer_samarinda, narrative="Rahasia Samarinda")
    return submit_report(report, by=officer_samarinda, now=ON_TIME)


def report_urls(report):
    evidence = Evidence.objects.filter(report=report).first()
    return {
        "detail": reverse("reporting:report-detail", args=[report.pk]),
        "version": reverse("reporting:report-version", args=[report.pk, 1]),
        "evidence": reverse("reporting:evidence-file", args=[evidence.pk]),
        "review": reverse("evaluation:review", args=[report.pk]),
        "explain": reverse("evaluation:explain", args=[report.region.pk, report.period.pk]),
    }


@pytest.mark.parametrize("page", ["detail", "version", "evidence"])
@pytest.mark.parametrize("cast_member", ["officer_balikpapan", "evaluator_other"], indirect=True)
def test_another_regions_report_answers_404_and_shows_nothing(
    client_for, cast_member, samarinda_report, page
):
    response = client_for(cast_member).get(report_urls(samarinda_report)[page])

    assert response.status_code == 404
    assert b"Rahasia Samarinda" not in b"".join(response)


@pytest.mark.parametrize("page", ["detail", "version", "evidence", "review", "explain"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, samarinda_report, page):
    response = client.get(report_urls(samarinda_report)[page])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_another_kanwils_evaluator_cannot_decide_on_a_report(
    client_for, evaluator_other, samarinda_report
):
    response = client_for(evaluator_other).post(
        reverse("evaluation:review", args=[samarinda_report.pk]), {"putaran": 1, "verifikasi": "1"}
    )

    assert response.status_code == 404
    samarinda_report.refresh_from_db()
    assert samarinda_report.status == ReportStatus.SUBMITTED
    assert not Review.objects.exists()


def test_an_officer_cannot_reopen_or_review(client_for, officer_samarinda, samarinda_report):
    client = client_for(officer_samarinda)
    events = ReportEvent.objects.filter(report=samarinda_report).count()

    review = client.post(reverse("evaluation:review", args=[samarinda_report.pk]), {})
    reopen = client.post(reverse("evaluation:reopen", args=[samarinda_report.pk]), {"alasan": "x"})

    assert (review.status_code, reopen.status_code) == (403, 403)
    assert ReportEvent.objects.filter(report=samarinda_report).count() == events


def test_a_period_without_assignments_is_not_found_for_the_edit_form(
    client_for, officer_balikpapan, cycle, media
):
    # given a period of the cycle with no action assigned to Balikpapan
    period = cycle.periods.get(code="TW1")

    response = client_for(officer_balikpapan).get(edit_url(period))

    assert response.status_code == 404
    assert Report.objects.count() == 0


# --- forged form fields -----------------------------------------------------------------------


def test_a_file_posted_for_another_regions_requirement_is_never_read(
    client_for,
    officer_balikpapan,
    open_period,
    actions,
    samarinda_only_action,
    media,
):
    # given the requirement of an action that only Samarinda reports
    foreign = requirement_of(samarinda_only_action, open_period)
    data = payload(officer_balikpapan.region, open_period)
    data[files_field(foreign)] = [SimpleUploadedFile("x.pdf", make_pdf("x"), "application/pdf")]

    # when Balikpapan's officer posts it
    client_for(officer_balikpapan).post(edit_url(open_period), data)

    # then nothing was stored for it
    assert not Evidence.objects.filter(requirement=foreign).exists()
    assert footprint(media)["files"] == []


def test_a_forged_status_field_does_not_move_the_report(
    client_for, officer_balikpapan, open_period, actions, media
):
    data = payload(officer_balikpapan.region, open_period)
    data.update({"status": ReportStatus.VERIFIED, "verified_at": "2025-01-01", "region": 999})

    client_for(officer_balikpapan).post(edit_url(open_period), data)

    report = Report.objects.get()
    assert report.status == ReportStatus.DRAFT
    assert report.verified_at is None
    assert report.region == officer_balikpapan.region


def test_removing_another_reports_evidence_is_refused(
    client_for, officer_balikpapan, open_period, actions, samarinda_report, media
):
    foreign = Evidence.objects.filter(report=samarinda_report).first()
    requirement = first_requirement(officer_balikpapan.region, open_period)
    data = payload(officer_balikpapan.region, open_period)
    data[f"dok-{requirement.pk}-remove"] = [foreign.pk]

    response = client_for(officer_balikpapan).post(edit_url(open_period), data)

    assert "bukan milik butir ini" in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.removed_at is None


@pytest.mark.parametrize("forged_round", ["99", "0", "satu", ""])
def test_a_forged_round_number_records_no_decision(
    client_for, evaluator_kaltim, samarinda_report, forged_round
):
    response = client_for(evaluator_kaltim).post(
        reverse("evaluation:review", args=[samarinda_report.pk]),
        {"putaran": forged_round, "verifikasi": "1"},
    )

    assert response.status_code in (200, 302)
    samarinda_report.refresh_from_db()
    assert samarinda_report.status == ReportStatus.SUBMITTED
    assert not Review.objects.filter(outcome__gt="").exists()


def test_a_stale_revision_does_not_overwrite_the_draft(
    client_for, officer_balikpapan, complete_draft, media
):
    stored = ReportEntry.objects.filter(report=complete_draft).values_list("narrative", flat=True)
    before = sorted(stored)

    client_for(officer_balikpapan).post(
        edit_url(complete_draft.period),
        payload(officer_balikpapan.region, complete_draft.period, revision=0),
    )

    assert sorted(stored) == before


# --- CSRF ---------------------------------------------------------------------------------------


@pytest.fixture
def strict_client():
    return Client(enforce_csrf_checks=True)


def test_the_edit_form_without_a_token_answers_403_and_stores_nothing(
    strict_client, officer_balikpapan, open_period, actions, media
):
    strict_client.force_login(officer_balikpapan)
    data = payload(officer_balikpapan.region, open_period)
    requirement = first_requirement(officer_balikpapan.region, open_period)
    data[files_field(requirement)] = [SimpleUploadedFile("x.pdf", make_pdf(), "application/pdf")]

    response = strict_client.post(edit_url(open_period), data)

    assert response.status_code == 403
    assert footprint(media) == {
        "reports": 0,
        "entries": 0,
        "evidence": 0,
        "events": 0,
        "files": [],
    }


def test_a_review_without_a_token_answers_403(strict_client, evaluator_kaltim, samarinda_report):
    strict_client.force_login(evaluator_kaltim)

    response = strict_client.post(
        reverse("evaluation:review", args=[samarinda_report.pk]), {"putaran": 1, "verifikasi": "1"}
    )

    assert response.status_code == 403
    assert not Review.objects.exists()


def test_a_reopen_without_a_token_answers_403(strict_client, admin_user, samarinda_report):
    strict_client.force_login(admin_user)

    response = strict_client.post(
        reverse("evaluation:reopen", args=[samarinda_report.pk]), {"alasan": "x"}
    )

    assert response.status_code == 403


def test_a_public_file_check_without_a_token_answers_403(strict_client, regions):
    response = strict_client.post(
        reverse("piagam:verify", args=["abc"]),
        {"file": SimpleUploadedFile("p.pdf", make_pdf(), "application/pdf")},
    )

    assert response.status_code == 403
