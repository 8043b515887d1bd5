"""Return for revision, resubmission, verification and reopening; every round stays visible."""

import datetime

import pytest
from django.urls import reverse

from reporting.models import (
    EventKind,
    Evidence,
    RejectionReason,
    ReportEvent,
    ReportStatus,
    RevisionItem,
    RevisionRequest,
)
from reporting.services import (
    DraftChanges,
    ReportingError,
    reopen_report,
    return_report,
    save_draft,
    submit_report,
    verify_report,
)
from tests.reporting.conftest import ON_TIME, inspected, pdf_upload, requirement_of

pytestmark = pytest.mark.django_db

RETURNED_AT = ON_TIME + datetime.timedelta(days=2)
RESUBMITTED_AT = ON_TIME + datetime.timedelta(days=4)


def kinds(report):
    return list(ReportEvent.objects.filter(report=report).values_list("kind", flat=True))


@pytest.fixture
def submitted(complete_draft, officer_balikpapan):
    return submit_report(complete_draft, by=officer_balikpapan, now=ON_TIME)


@pytest.fixture
def returned(submitted, actions, evaluator_kaltim):
    """Round 1 returned: the SK of Aksi 1 and the minutes of Aksi 2 are rejected."""
    return return_report(
        submitted,
        by=evaluator_kaltim,
        note="Dua dokumen perlu diperbaiki.",
        items=[
            (
                requirement_of(actions[0], submitted.period, "SK Tim Pelaksana"),
                RejectionReason.UNREADABLE,
                "Unggah hasil pindai yang jelas.",
            ),
            (
                requirement_of(actions[1], submitted.period, "Notulen rapat"),
                RejectionReason.WRONG_PERIOD,
                "",
            ),
        ],
        now=RETURNED_AT,
    )


def resubmit(report, actions, officer):
    """The officer rewrites Aksi 1, replaces its SK and sends round 2."""
    requirement = requirement_of(actions[0], report.period, "SK Tim Pelaksana")
    old = Evidence.objects.get(report=report, requirement=requirement, removed_at__isnull=True)
    entries = {e.action_id: (e.narrative, e.progress) for e in report.entries.all()}
    entries[actions[0].pk] = ("Setelah perbaikan: SK ditandatangani.", entries[actions[0].pk][1])
    saved = save_draft(
        report,
        DraftChanges(
            revision=report.revision,
            entries=entries,
            notes=report.notes,
            removals={old.pk},
            uploads=[(requirement.pk, inspected(pdf_upload("SK bertanda tangan.pdf")))],
        ),
        by=officer,
    )
    return submit_report(saved, by=officer, now=RESUBMITTED_AT)


def test_returning_with_notes_per_item_records_the_request_and_its_items(
    returned, actions, evaluator_kaltim
):
    # given round 1 returned with two rejected items (fixture)
    # then the report is back with the officer
    returned.refresh_from_db()
    assert returned.status == ReportStatus.RETURNED
    # and the request records who, when, which round and the general note
    request = RevisionRequest.objects.get(report=returned)
    assert (request.round, request.returned_by, request.returned_at, request.answered_at) == (
        1,
        evaluator_kaltim,
        RETURNED_AT,
        None,
    )
    assert request.note == "Dua dokumen perlu diperbaiki."
    assert not request.is_reopen
    # and each rejected item with its reason code and note
    items = {(i.requirement.name, i.reason, i.note) for i in RevisionItem.objects.all()}
    assert items == {
        ("SK Tim Pelaksana", "tidak_terbaca", "Unggah hasil pindai yang jelas."),
        ("Notulen rapat", "salah_periode", ""),
    }
    event = ReportEvent.objects.filter(report=returned).last()
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        EventKind.RETURNED,
        ReportStatus.SUBMITTED,
        ReportStatus.RETURNED,
        evaluator_kaltim,
    )


def test_a_return_must_say_what_to_fix(submitted, evaluator_kaltim):
    # when the evaluator returns without a note or an item
    with pytest.raises(ReportingError) as caught:
        return_report(submitted, by=evaluator_kaltim, note="   ")

    # then it is refused and the report stays submitted
    assert str(caught.value) == "Tuliskan apa yang harus diperbaiki."
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED
    assert not RevisionRequest.objects.exists()


def test_a_return_takes_reason_codes_not_labels(submitted, actions, evaluator_kaltim):
    requirement = requirement_of(actions[0], submitted.period, "SK Tim Pelaksana")

    # when a caller passes a label where the code belongs
    with pytest.raises(ValueError, match="Tanpa tanda tangan"):
        return_report(
            submitted,
            by=evaluator_kaltim,
            items=[(requirement, "Tanpa tanda tangan atau kop surat", "")],
        )

    # then nothing is recorded
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED
    assert not RevisionRequest.objects.exists()


def test_a_draft_cannot_be_returned(complete_draft, evaluator_kaltim):
    # when the evaluator tries to return a report that was never sent
    with pytest.raises(ReportingError):
        return_report(complete_draft, by=evaluator_kaltim, note="Perbaiki.")

    # then nothing happened
    complete_draft.refresh_from_db()
    assert complete_draft.status == ReportStatus.DRAFT
    assert kinds(complete_draft) == [EventKind.CREATED]


def test_the_edit_page_of_a_returned_report_shows_the_rejections_next_to_their_items(
    returned, actions, client_for, officer_balikpapan
):
    # when the officer opens the returned report
    response = client_for(officer_balikpapan).get(
        reverse("reporting:report-edit", args=[returned.period.pk])
    )

    # then the request and each rejection are shown
    content = response.content.decode()
    assert response.status_code == 200
    assert "Dua dokumen perlu diperbaiki." in content
    assert "Ditolak: Tidak terbaca — Unggah hasil pindai yang jelas." in content
    assert "Ditolak: Salah periode" in content


def test_resubmission_answers_the_request_and_freezes_version_two(
    returned, actions, officer_balikpapan
):
    # given a returned report
    # when the officer fixes it and sends it again
    resubmit(returned, actions, officer_balikpapan)

    # then the request is answered at that moment
    returned.refresh_from_db()
    assert returned.status == ReportStatus.SUBMITTED
    assert RevisionRequest.objects.get(report=returned).answered_at == RESUBMITTED_AT
    # and the trail and the versions record both rounds
    assert kinds(returned) == [
        EventKind.CREATED,
        EventKind.SUBMITTED,
        EventKind.RETURNED,
        EventKind.RESUBMITTED,
    ]
    event = ReportEvent.objects.filter(report=returned).last()
    assert (event.from_status, event.to_status, event.reason) == (
        ReportStatus.RETURNED,
        ReportStatus.SUBMITTED,
        "Putaran 2",
    )
    v1, v2 = returned.versions.order_by("number")
    assert (v1.number, v2.number) == (1, 2)
    assert v2.submitted_at == RESUBMITTED_AT
    v1_names = {item["name"] for item in v1.content["evidence"]}
    v2_names = {item["name"] for item in v2.content["evidence"]}
    assert "SK bertanda tangan.pdf" in v2_names - v1_names


def test_every_round_stays_visible_on_the_detail_and_version_pages(
    returned, actions, officer_balikpapan, evaluator_kaltim, client_for
):
    # given round 2 sent after the return of round 1
    resubmit(returned, actions, officer_balikpapan)
    client = client_for(evaluator_kaltim)

    # when the evaluator opens the report and each version
    detail = client.get(reverse("reporting:report-detail", args=[returned.pk])).content.decode()
    pages = {
        number: client.get(
            reverse("reporting:report-version", args=[returned.pk, number])
        ).content.decode()
        for number in (1, 2)
    }

    # then the detail page lists both rounds and the answered request
    assert reverse("reporting:report-version", args=[returned.pk, 1]) in detail
    assert reverse("reporting:report-version", args=[returned.pk, 2]) in detail
    assert "Dua dokumen perlu diperbaiki." in detail
    assert "SK Tim Pelaksana: Tidak terbaca — Unggah hasil pindai yang jelas." in detail
    assert "dijawab" in detail and "belum dijawab" not in detail
    # and each version shows what was sent in that round only
    assert "Capaian periode ini. (aksi 1)" in pages[1]
    assert "Setelah perbaikan: SK ditandatangani." not in pages[1]
    assert "SK bertanda tangan.pdf" not in pages[1]
    assert "Setelah perbaikan: SK ditandatangani." in pages[2]
    assert "Capaian periode ini. (aksi 1)" not in pages[2]
    assert "SK bertanda tangan.pdf" in pages[2]


def test_verification_closes_the_report(submitted, evaluator_kaltim):
    # when the evaluator verifies the submitted report
    moment = ON_TIME + datetime.timedelta(days=3)
    verify_report(submitted, by=evaluator_kaltim, now=moment)

    # then it is verified at that moment, with an event
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.VERIFIED
    assert submitted.verified_at == moment
    assert kinds(submitted)[-1] == EventKind.VERIFIED


def test_only_a_submitted_report_can_be_verified(returned, evaluator_kaltim):
    # when the evaluator tries to verify a report that is with the officer
    with pytest.raises(ReportingError):
        verify_report(returned, by=evaluator_kaltim)

    # then it stays returned
    returned.refresh_from_db()
    assert returned.status == ReportStatus.RETURNED
    assert returned.verified_at is None


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_reopening_needs_a_written_reason(submitted, evaluator_kaltim, admin_user, reason):
    # given a verified report
    verify_report(submitted, by=evaluator_kaltim, now=ON_TIME + datetime.timedelta(days=3))

    # when the admin reopens it without a reason
    with pytest.raises(ReportingError) as caught:
        reopen_report(submitted, by=admin_user, reason=reason)

    # then it is refused and the report stays verified
    assert str(caught.value) == "Alasan membuka kembali laporan wajib diisi."
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.VERIFIED
    assert not RevisionRequest.objects.exists()


def test_reopening_sends_a_verified_report_back_with_the_reason(
    submitted, evaluator_kaltim, admin_user
):
    # given a verified report
    verify_report(submitted, by=evaluator_kaltim, now=ON_TIME + datetime.timedelta(days=3))
    moment = ON_TIME + datetime.timedelta(days=9)

    # when the admin reopens it with a reason
    reopen_report(submitted, by=admin_user, reason="Data penerima ganda.", now=moment)

    # then it is returned, no longer verified, with a reopening request and event
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.RETURNED
    assert submitted.verified_at is None
    request = RevisionRequest.objects.get(report=submitted)
    assert (request.is_reopen, request.note, request.returned_at, request.round) == (
        True,
        "Data penerima ganda.",
        moment,
        1,
    )
    event = ReportEvent.objects.filter(report=submitted).last()
    assert (event.kind, event.from_status, event.to_status, event.reason, event.actor) == (
        EventKind.REOPENED,
        ReportStatus.VERIFIED,
        ReportStatus.RETURNED,
        "Data penerima ganda.",
        admin_user,
    )


def test_only_a_verified_report_can_be_reopened(submitted, admin_user):
    # when the admin tries to reopen a report that is merely submitted
    with pytest.raises(ReportingError):
        reopen_report(submitted, by=admin_user, reason="Salah klik.")

    # then nothing changed
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED
    assert not RevisionRequest.objects.exists()
