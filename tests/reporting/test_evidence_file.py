"""The evidence download view, and the flag on files that another report also used."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reporting.models import Assignment, Evidence, Report, ReportStatus
from reporting.services import DraftChanges, save_draft, start_report
from tests.reporting.conftest import (
    fill_report,
    inspected,
    make_pdf,
    make_png,
    requirement_of,
)

pytestmark = pytest.mark.django_db


def upload_to(report, requirement, name, content, *, by):
    """Save one file on the report through the service; returns its evidence row."""
    uploaded = SimpleUploadedFile("x", content, content_type="application/octet-stream")
    uploaded.name = name  # exactly as a client sent it, past the basename of the setter
    save_draft(
        report,
        DraftChanges(revision=report.revision, uploads=[(requirement.pk, inspected(uploaded))]),
        by=by,
    )
    report.refresh_from_db()
    return Evidence.objects.filter(report=report).latest("pk")


def fetch(client, evidence, query=""):
    response = client.get(reverse("reporting:evidence-file", args=[evidence.pk]) + query)
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    response.close()
    return response, body


@pytest.fixture
def sk_pdf(draft, actions, officer_balikpapan):
    content = make_pdf("SK Tim Pelaksana Balikpapan")
    requirement = requirement_of(actions[0], draft.period)
    evidence = upload_to(
        draft, requirement, '../../rahasia/SK Tim "final"\u202e.pdf', content, by=officer_balikpapan
    )
    return evidence, content


def test_a_file_is_served_inline_with_its_sniffed_type_and_safe_headers(
    sk_pdf, client_for, evaluator_kaltim
):
    # given Balikpapan's SK as a PDF
    evidence, content = sk_pdf

    # when the Kanwil's evaluator opens it
    response, body = fetch(client_for(evaluator_kaltim), evidence)

    # then it comes back as it was uploaded, shown in the browser, never sniffed or cached
    assert response.status_code == 200
    assert body == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="SK Tim \\"final\\".pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_unduh_asks_the_browser_to_download_under_the_sanitised_name(
    sk_pdf, client_for, officer_balikpapan
):
    # given the SK uploaded under a name with directories and a direction override
    evidence, _content = sk_pdf

    # when the officer asks for a download
    response, _body = fetch(client_for(officer_balikpapan), evidence, "?unduh=1")

    # then it is an attachment named without any of that
    disposition = response["Content-Disposition"]
    assert disposition == 'attachment; filename="SK Tim \\"final\\".pdf"'
    assert "rahasia" not in disposition and "/" not in disposition
    assert "\u202e" not in disposition


def test_the_type_comes_from_the_content_not_from_the_name(
    draft, actions, client_for, officer_balikpapan
):
    # given a PNG uploaded under a .pdf name
    requirement = requirement_of(actions[0], draft.period, "Notulen rapat")
    evidence = upload_to(draft, requirement, "notulen.pdf", make_png(), by=officer_balikpapan)

    # when it is fetched
    response, body = fetch(client_for(officer_balikpapan), evidence)

    # then it is served as the PNG it is
    assert response["Content-Type"] == "image/png"
    assert body == make_png()
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_file_missing_from_storage_is_not_found(sk_pdf, client_for, officer_balikpapan, media):
    # given the stored file is gone from disk
    evidence, _content = sk_pdf
    (media / evidence.file.name).unlink()

    # when it is fetched
    response, _body = fetch(client_for(officer_balikpapan), evidence)

    # then the answer is 404, not a server error
    assert response.status_code == 404


def test_a_removed_file_can_still_be_fetched_for_the_versions_that_list_it(
    sk_pdf, draft, client_for, evaluator_kaltim, officer_balikpapan
):
    # given the SK taken off the report
    evidence, content = sk_pdf
    draft.refresh_from_db()
    save_draft(
        draft,
        DraftChanges(revision=draft.revision, removals={evidence.pk}),
        by=officer_balikpapan,
    )

    # when the evaluator fetches it
    response, body = fetch(client_for(evaluator_kaltim), evidence)

    # then it is still there: rows and files are never deleted
    assert response.status_code == 200
    assert body == content


# --- the same file used elsewhere ------------------------------------------------------------


def mark_sent(report):
    # Only files another region actually sent are flagged; the rest of its report is not needed.
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.SUBMITTED, first_submitted_at=timezone.now()
    )


@pytest.fixture
def shared_file(draft, actions, samarinda, officer_balikpapan, officer_samarinda):
    """Balikpapan's SK of Aksi 1 and the very same bytes sent by Samarinda for its own SK."""
    content = make_pdf("SK yang dipakai dua daerah")
    requirement = requirement_of(actions[0], draft.period)
    mine = upload_to(draft, requirement, "SK Balikpapan.pdf", content, by=officer_balikpapan)
    theirs = start_report(samarinda, draft.period, by=officer_samarinda)
    upload_to(theirs, requirement, "SK Samarinda.pdf", content, by=officer_samarinda)
    mark_sent(theirs)
    return mine


def detail_of(client, report):
    response = client.get(reverse("reporting:report-detail", args=[report.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("cast_member", ["evaluator_kaltim", "admin_user"], indirect=True)
def test_a_file_also_sent_by_another_region_is_flagged_for_the_evaluator(
    shared_file, draft, client_for, cast_member
):
    # when the evaluator opens Balikpapan's report
    content = detail_of(client_for(cast_member), draft)

    # then the shared file carries the flag naming where else it was used
    assert content.count('data-testid="duplicate"') == 1
    assert "juga dipakai: Kota Samarinda \u2013 Triwulan III 2025" in content


def test_the_duplicate_flag_is_not_shown_to_the_officer(
    shared_file, draft, client_for, officer_balikpapan
):
    # when Balikpapan's officer opens its own report
    content = detail_of(client_for(officer_balikpapan), draft)

    # then the file is listed, without the flag or the other region's name
    assert "SK Balikpapan.pdf" in content
    assert "juga dipakai" not in content
    assert "Samarinda" not in content


def test_files_with_different_content_are_not_flagged(
    complete_draft, samarinda, client_for, evaluator_kaltim, officer_samarinda
):
    # given both regions completed their reports with files of their own
    fill_report(
        start_report(samarinda, complete_draft.period, by=officer_samarinda), by=officer_samarinda
    )

    # when the evaluator opens Balikpapan's report
    content = detail_of(client_for(evaluator_kaltim), complete_draft)

    # then nothing is flagged
    assert Evidence.objects.count() == 12
    assert "juga dipakai" not in content


@pytest.fixture
def shared_with_surabaya(draft, actions, surabaya, officer_balikpapan, admin_user):
    """Balikpapan's SK, and the same bytes in Surabaya's report (a region of Kanwil Jatim)."""
    content = make_pdf("SK yang juga dipakai di Jawa Timur")
    requirement = requirement_of(actions[0], draft.period)
    upload_to(draft, requirement, "SK Balikpapan.pdf", content, by=officer_balikpapan)
    Assignment.objects.create(action=actions[0], region=surabaya)
    theirs = start_report(surabaya, draft.period, by=admin_user)
    upload_to(theirs, requirement, "SK Surabaya.pdf", content, by=admin_user)
    mark_sent(theirs)


def test_a_duplicate_outside_the_evaluators_kanwil_is_flagged_without_naming_the_region(
    shared_with_surabaya, draft, client_for, evaluator_kaltim
):
    # when the Kaltim evaluator opens Balikpapan's report
    content = detail_of(client_for(evaluator_kaltim), draft)

    # then the file is flagged, but the region it may not see is not named
    assert content.count('data-testid="duplicate"') == 1
    assert "juga dipakai: daerah lain di luar wilayah kerja Anda" in content
    assert "Surabaya" not in content


def test_the_admin_sees_which_region_outside_the_kanwil_used_the_file(
    shared_with_surabaya, draft, client_for, admin_user
):
    # when the admin (who sees every region) opens Balikpapan's report
    content = detail_of(client_for(admin_user), draft)

    # then the other region is named
    assert "juga dipakai: Kota Surabaya \u2013 Triwulan III 2025" in content
