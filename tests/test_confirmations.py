"""What cannot be undone asks first: submit, verify, return and issue.

With JavaScript a dialog on the page asks; without it the view answers the first post with a
confirmation page whose form carries every field again, plus confirmed=1.
"""

import datetime
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Review
from piagam.models import Certificate
from reporting.models import Evidence, ProgressStatus, Report, ReportStatus
from reporting.requirements import report_requirements
from reporting.services import DraftChanges, save_draft, start_report
from reporting.uploads import inspect_upload
from tests.piagam.test_certificate_views import award_cycle, awards_url, fingerprint, media
from tests.support import build_period, submitted_report, tiny_pdf

__all__ = ["award_cycle", "media"]  # fixtures shared with the piagam view tests

pytestmark = pytest.mark.django_db

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def confirmation_fields(body):
    """The fields the confirmation page's form would post (the CSRF token aside)."""
    form = body.split('data-testid="confirmation"')[1]
    return {
        html.unescape(name): html.unescape(value)
        for name, value in HIDDEN.findall(form)
        if name != "csrfmiddlewaretoken"
    }


def requirements(report_or_region, period):
    return [r for b in report_requirements(report_or_region, period) for r in b.requirements]


@pytest.fixture
def open_period(balikpapan, samarinda, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate(timezone.now(), balikpapan.zone)
    return build_period(
        [balikpapan, samarinda],
        year=today.year,
        actions=2,
        items_per_action=1,
        due_on=today + datetime.timedelta(days=5),
    )


@pytest.fixture
def complete_draft(open_period, balikpapan, officer_balikpapan):
    report = start_report(balikpapan, open_period, by=officer_balikpapan)
    uploads = []
    for requirement in requirements(balikpapan, open_period):
        upload = SimpleUploadedFile(f"{requirement.pk}.pdf", tiny_pdf(str(requirement.pk)))
        upload.inspected = inspect_upload(upload)
        uploads.append((requirement.pk, upload))
    blocks = report_requirements(balikpapan, open_period)
    return save_draft(
        report,
        DraftChanges(
            revision=report.revision,
            entries={
                b.action.pk: (f"Capaian & hasil {b.action.number}", ProgressStatus.DONE)
                for b in blocks
            },
            notes='Catatan "penting"',
            uploads=uploads,
        ),
        by=officer_balikpapan,
    )


def edit_payload(report, **extra):
    data = {"revision": report.revision, "notes": report.notes, "proposals": report.proposals}
    for entry in report.entries.all():
        data[f"aksi-{entry.action_id}-narrative"] = entry.narrative
        data[f"aksi-{entry.action_id}-progress"] = entry.progress
    return data | extra


# --- officer: submit ---------------------------------------------------------------------------


def test_the_report_form_offers_a_submit_dialog_and_loads_the_confirm_script(
    client_for, officer_balikpapan, complete_draft
):
    body = (
        client_for(officer_balikpapan)
        .get(reverse("reporting:report-edit", args=[complete_draft.period.pk]))
        .content.decode()
    )

    assert 'data-confirm="confirm-submit"' in body
    assert '<dialog id="confirm-submit"' in body
    assert "tidak dapat diubah lagi kecuali dikembalikan oleh Kanwil" in body
    assert "/static/js/confirm.js" in body
    assert "<script>" not in body  # no inline script


def test_submitting_without_confirmation_shows_what_will_happen_and_sends_nothing(
    client_for, officer_balikpapan, complete_draft
):
    # when the officer presses "Kirim laporan" without JavaScript
    client = client_for(officer_balikpapan)
    url = reverse("reporting:report-edit", args=[complete_draft.period.pk])
    response = client.post(url, edit_payload(complete_draft, kirim="1"))

    # then a confirmation page states the consequences; the report is still a draft
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="confirmation"' in body
    assert "Kirim laporan?" in body
    assert "dikirim ke Kanwil untuk diverifikasi" in body
    complete_draft.refresh_from_db()
    assert complete_draft.status == ReportStatus.DRAFT
    # and its form carries every field of the draft again, with confirmed=1
    fields = confirmation_fields(body)
    assert fields["confirmed"] == "1" and fields["kirim"] == "1"
    assert fields["notes"] == 'Catatan "penting"'
    assert fields["revision"] == str(complete_draft.revision)

    # when the officer confirms
    response = client.post(url, fields)

    # then the report is sent, with the files stored in the draft
    assert response.status_code == 302
    complete_draft.refresh_from_db()
    assert complete_draft.status == ReportStatus.SUBMITTED
    assert Evidence.objects.filter(report=complete_draft).count() == 2
    assert set(complete_draft.entries.values_list("narrative", flat=True)) == {
        "Capaian & hasil 1",
        "Capaian & hasil 2",
    }


def test_an_incomplete_report_says_what_is_missing_instead_of_asking_to_confirm(
    client_for, officer_balikpapan, open_period, balikpapan
):
    url = reverse("reporting:report-edit", args=[open_period.pk])

    data = {"revision": 0, "kirim": "1"}
    for block in report_requirements(balikpapan, open_period):
        data[f"aksi-{block.action.pk}-progress"] = ProgressStatus.NOT_STARTED

    response = client_for(officer_balikpapan).post(url, data)

    body = response.content.decode()
    assert 'data-testid="missing"' in body
    assert 'data-testid="confirmation"' not in body
    assert Report.objects.get(period=open_period).status == ReportStatus.DRAFT


# --- evaluator: verify and return --------------------------------------------------------------


@pytest.fixture
def submitted(balikpapan, samarinda, officer_balikpapan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    period = build_period([balikpapan, samarinda], actions=2, items_per_action=1)
    return submitted_report(
        balikpapan,
        period,
        officer_balikpapan,
        at=datetime.datetime(2025, 10, 9, 9, 0, tzinfo=balikpapan.zone),
    )


def test_the_review_screen_offers_verify_and_return_dialogs(
    client_for, evaluator_kaltim, submitted
):
    body = (
        client_for(evaluator_kaltim)
        .get(reverse("evaluation:review", args=[submitted.pk]))
        .content.decode()
    )

    assert 'data-confirm="confirm-verify"' in body
    assert 'data-confirm="confirm-return"' in body
    assert "dikunci sebagai terverifikasi" in body
    assert "/static/js/confirm.js" in body


def test_verifying_asks_first_then_verifies_with_the_same_decisions(
    client_for, evaluator_kaltim, submitted
):
    # given every item accepted
    client = client_for(evaluator_kaltim)
    url = reverse("evaluation:review", args=[submitted.pk])
    data = {"putaran": 1, "verifikasi": "1", "catatan": "Baik."}
    data |= {
        f"keputusan-{r.pk}": "accepted" for r in requirements(submitted.region, submitted.period)
    }

    # when the evaluator presses "Verifikasi" without JavaScript
    response = client.post(url, data)

    # then the page asks, and nothing is decided yet
    body = response.content.decode()
    assert "Verifikasi laporan?" in body
    assert "2 dari 2 butir diterima" in body
    assert not Review.objects.filter(report=submitted).exists()
    fields = confirmation_fields(body)
    assert fields == {**{k: str(v) for k, v in data.items()}, "confirmed": "1"}

    # when the evaluator confirms
    response = client.post(url, fields)

    # then the report is verified
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.VERIFIED


def test_returning_asks_first_naming_each_rejected_item(client_for, evaluator_kaltim, submitted):
    first, second = requirements(submitted.region, submitted.period)
    data = {
        "putaran": 1,
        "kembalikan": "1",
        f"keputusan-{first.pk}": "rejected",
        f"alasan-{first.pk}": "tanpa_ttd",
        f"catatan-{first.pk}": "Belum ditandatangani.",
        f"keputusan-{second.pk}": "accepted",
    }

    response = client_for(evaluator_kaltim).post(
        reverse("evaluation:review", args=[submitted.pk]), data
    )

    body = response.content.decode()
    assert "Kembalikan laporan?" in body
    assert f"Aksi 1 – {first.name}: ditolak (Tanpa tanda tangan atau kop surat)" in body
    assert "Belum ditandatangani." in body
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED


# --- admin: issue ------------------------------------------------------------------------------


def test_issuing_asks_first_listing_the_recipients_then_issues(
    client_for, admin_user, award_cycle, media
):
    # when the admin presses "Terbitkan" without JavaScript
    client = client_for(admin_user)
    url = awards_url(siklus=2025, kanwil="kaltim")
    data = {"place": "Samarinda", "issued_on": "2025-12-10", "proposals": fingerprint("kaltim")}
    response = client.post(url, data)

    # then the page says what will happen, and no number is given out
    body = response.content.decode()
    assert "Terbitkan piagam?" in body
    assert "2 piagam baru untuk cakupan" in body
    assert "Kota Balikpapan" in body
    assert Certificate.objects.count() == 0

    # when the admin confirms
    response = client.post(url, confirmation_fields(body))

    # then the piagam are numbered
    assert response.status_code == 302
    assert Certificate.objects.count() == 2


def test_the_awards_page_offers_an_issue_dialog(client_for, admin_user, award_cycle, media):
    body = client_for(admin_user).get(awards_url(siklus=2025, kanwil="kaltim")).content.decode()

    assert 'data-confirm="confirm-issue"' in body
    assert '<dialog id="confirm-issue"' in body
    assert "/static/js/confirm.js" in body


def test_reopening_a_verified_report_asks_first_then_reopens(
    client_for, evaluator_kaltim, submitted
):
    from reporting.services import verify_report

    # given a verified report; the review screen offers a dialog for reopening
    verify_report(submitted, by=evaluator_kaltim)
    client = client_for(evaluator_kaltim)
    review = client.get(reverse("evaluation:review", args=[submitted.pk])).content.decode()
    assert 'data-confirm="confirm-reopen"' in review and '<dialog id="confirm-reopen"' in review

    # when the evaluator presses "Buka kembali" without JavaScript
    url = reverse("evaluation:reopen", args=[submitted.pk])
    response = client.post(url, {"alasan": "Data dukung ternyata palsu."})

    # then the page says what will happen, and the report stays verified
    body = response.content.decode()
    assert "Buka kembali laporan yang sudah diverifikasi?" in body
    assert "Nilai dan peringkat dihitung ulang" in body
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.VERIFIED

    # when confirmed, it is reopened with the same reason
    response = client.post(url, confirmation_fields(body))
    submitted.refresh_from_db()
    assert response.status_code == 302
    assert submitted.status == ReportStatus.RETURNED


@pytest.mark.parametrize("decision", ["grant", "refuse"])
def test_deciding_an_extension_asks_first_then_decides(
    client_for, evaluator_kaltim, officer_balikpapan, open_period, decision
):
    from reporting.models import Extension, ExtensionRequest
    from reporting.services import request_extension

    # given a pending request
    request = request_extension(
        officer_balikpapan.region,
        open_period,
        due_on=open_period.due_on + datetime.timedelta(days=4),
        reason="Banjir.",
        by=officer_balikpapan,
    )
    client = client_for(evaluator_kaltim)
    url = reverse("reporting:extension-decide", args=[request.pk])
    data = {"decision": decision, "reason": "Tidak cukup alasan.", "due_on": ""}

    # when the evaluator presses "Kabulkan" or "Tolak"
    body = client.post(url, data).content.decode()

    # then the page says what will happen (the new deadline in the region's zone), nothing yet
    assert ("23.59 WITA" in body) == (decision == "grant")
    assert not Extension.objects.exists()
    assert ExtensionRequest.objects.get(pk=request.pk).is_pending

    # when confirmed
    client.post(url, confirmation_fields(body))
    assert not ExtensionRequest.objects.get(pk=request.pk).is_pending
    assert Extension.objects.exists() == (decision == "grant")


def test_replacing_the_calendar_address_asks_first(client_for, officer_balikpapan):
    from notifications.models import Profile

    client = client_for(officer_balikpapan)
    client.post(reverse("notifications:calendar"))  # the first address: made at once
    old = Profile.objects.get(user=officer_balikpapan).calendar_token

    body = client.post(reverse("notifications:calendar")).content.decode()
    assert "Alamat lama langsung tidak berlaku" in body
    assert Profile.objects.get(user=officer_balikpapan).calendar_token == old

    client.post(reverse("notifications:calendar"), confirmation_fields(body))
    assert Profile.objects.get(user=officer_balikpapan).calendar_token != old
