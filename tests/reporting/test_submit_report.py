"""submit_report: checks, stamps, the frozen version, the audit event and the window."""

import datetime

import pytest

from reporting.models import (
    EventKind,
    Evidence,
    Extension,
    ProgressStatus,
    ReportEvent,
    ReportStatus,
    ReportVersion,
)
from reporting.services import (
    AlreadySubmitted,
    DraftChanges,
    IncompleteReport,
    SubmissionClosed,
    return_report,
    save_draft,
    submit_report,
)
from tests.reporting.conftest import (
    AFTER_CLOSE,
    LATE,
    ON_TIME,
    full_changes,
    requirement_of,
)

pytestmark = pytest.mark.django_db


def events_of(report):
    return list(ReportEvent.objects.filter(report=report).values_list("kind", flat=True))


def test_first_submission_stamps_the_report_and_freezes_version_one(
    complete_draft, actions, officer_balikpapan
):
    # given a complete draft
    evidence = list(Evidence.objects.filter(report=complete_draft).order_by("pk"))

    # when the officer submits it on time
    submitted = submit_report(complete_draft, by=officer_balikpapan, now=ON_TIME)

    # then it is submitted with both stamps set to that moment
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED
    assert submitted.first_submitted_at == ON_TIME
    assert submitted.last_submitted_at == ON_TIME
    # and version 1 holds exactly what was sent: narratives and evidence references
    version = ReportVersion.objects.get(report=submitted)
    assert (version.number, version.submitted_at, version.submitted_by) == (
        1,
        ON_TIME,
        officer_balikpapan,
    )
    assert version.content["notes"] == "Catatan uji."
    assert version.content["entries"] == [
        {
            "action": action.pk,
            "narrative": f"Capaian periode ini. (aksi {action.number})",
            "progress": ProgressStatus.IN_PROGRESS,
        }
        for action in actions
    ]
    assert version.content["evidence"] == [
        {
            "id": item.pk,
            "requirement": item.requirement_id,
            "name": item.original_name,
            "sha256": item.sha256,
            "size": item.size,
            "content_type": "application/pdf",
        }
        for item in evidence
    ]
    # and the audit trail says who sent it, from which state
    event = ReportEvent.objects.filter(report=submitted).last()
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        EventKind.SUBMITTED,
        ReportStatus.DRAFT,
        ReportStatus.SUBMITTED,
        officer_balikpapan,
    )


def test_a_version_cannot_be_saved_again(complete_draft, officer_balikpapan):
    # given version 1
    submit_report(complete_draft, by=officer_balikpapan, now=ON_TIME)
    version = ReportVersion.objects.get(report=complete_draft)
    original = version.content

    # when someone changes it and saves
    version.content = {"entries": [], "evidence": [], "notes": "ditimpa", "proposals": ""}
    with pytest.raises(TypeError):
        version.save()

    # then the stored version is what was sent
    version.refresh_from_db()
    assert version.content == original


def test_the_version_keeps_a_file_later_removed_from_the_report(
    complete_draft, actions, officer_balikpapan, evaluator_kaltim
):
    # given version 1 sent with the SK of Aksi 1, then returned
    submit_report(complete_draft, by=officer_balikpapan, now=ON_TIME)
    requirement = requirement_of(actions[0], complete_draft.period)
    sent = Evidence.objects.get(report=complete_draft, requirement=requirement)
    returned = return_report(complete_draft, by=evaluator_kaltim, note="SK belum ditandatangani.")

    # when the officer takes that file off the report
    save_draft(
        returned,
        DraftChanges(revision=returned.revision, removals={sent.pk}),
        by=officer_balikpapan,
    )

    # then version 1 still lists it
    version = ReportVersion.objects.get(report=complete_draft, number=1)
    assert sent.pk in [item["id"] for item in version.content["evidence"]]


def test_a_second_submit_is_refused_and_creates_no_second_version(
    complete_draft, officer_balikpapan
):
    # given a report just submitted (the first click)
    submit_report(complete_draft, by=officer_balikpapan, now=ON_TIME)
    events_before = events_of(complete_draft)

    # when the second click of a double click arrives
    with pytest.raises(AlreadySubmitted):
        submit_report(complete_draft, by=officer_balikpapan, now=ON_TIME)

    # then there is still one version and one submission event
    assert ReportVersion.objects.filter(report=complete_draft).count() == 1
    assert events_of(complete_draft) == events_before == [EventKind.CREATED, EventKind.SUBMITTED]


def test_an_incomplete_report_is_refused_with_what_is_missing_per_action_and_item(
    draft, actions, officer_balikpapan
):
    # given a draft where Aksi 3 has no narrative and Aksi 1 lacks its SK
    changes = full_changes(draft)
    changes.entries[actions[2].pk] = ("  ", ProgressStatus.NOT_STARTED)
    sk = requirement_of(actions[0], draft.period, "SK Tim Pelaksana")
    changes.uploads = [(req_id, f) for req_id, f in changes.uploads if req_id != sk.pk]
    save_draft(draft, changes, by=officer_balikpapan)

    # when the officer submits
    with pytest.raises(IncompleteReport) as caught:
        submit_report(draft, by=officer_balikpapan, now=ON_TIME)

    # then every gap is named, per action and per item
    assert caught.value.missing == [
        "Aksi 1: data dukung \u201cSK Tim Pelaksana\u201d belum diunggah.",
        "Aksi 3: status \u201cBelum dimulai\u201d: tuliskan alasannya di kolom capaian.",
    ]
    # and nothing was submitted
    draft.refresh_from_db()
    assert draft.status == ReportStatus.DRAFT
    assert draft.first_submitted_at is None
    assert not ReportVersion.objects.filter(report=draft).exists()
    assert events_of(draft) == [EventKind.CREATED]


def test_an_empty_report_lists_every_action_and_every_item(draft, officer_balikpapan):
    # given a draft nobody filled in
    # when it is submitted
    with pytest.raises(IncompleteReport) as caught:
        submit_report(draft, by=officer_balikpapan, now=ON_TIME)

    # then each of the three actions is named with its narrative and two items
    missing = caught.value.missing
    assert len(missing) == 3 * 3
    for number in (1, 2, 3):
        assert f"Aksi {number}: capaian belum diisi." in missing
        assert f"Aksi {number}: data dukung \u201cSK Tim Pelaksana\u201d belum diunggah." in missing
        assert f"Aksi {number}: data dukung \u201cNotulen rapat\u201d belum diunggah." in missing


def test_a_removed_file_no_longer_counts_as_uploaded(complete_draft, actions, officer_balikpapan):
    # given a complete draft whose only "Notulen rapat" of Aksi 2 is then removed
    requirement = requirement_of(actions[1], complete_draft.period, "Notulen rapat")
    removed = Evidence.objects.get(report=complete_draft, requirement=requirement)
    save_draft(
        complete_draft,
        DraftChanges(
            revision=complete_draft.revision,
            entries={e.action_id: (e.narrative, e.progress) for e in complete_draft.entries.all()},
            notes=complete_draft.notes,
            removals={removed.pk},
        ),
        by=officer_balikpapan,
    )

    # when it is submitted
    with pytest.raises(IncompleteReport) as caught:
        submit_report(complete_draft, by=officer_balikpapan, now=ON_TIME)

    # then that item is missing again
    assert caught.value.missing == ["Aksi 2: data dukung \u201cNotulen rapat\u201d belum diunggah."]


def test_after_due_date_but_before_closing_a_submission_is_accepted_late(
    complete_draft, officer_balikpapan
):
    # given a complete draft, ten days after the due date (2025-10-10), before closing
    # when it is submitted
    submitted = submit_report(complete_draft, by=officer_balikpapan, now=LATE)

    # then it is accepted and stamped with the late moment
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED
    assert submitted.first_submitted_at == LATE
    assert LATE.date() > submitted.period.due_on


def test_after_closing_a_submission_is_refused(complete_draft, officer_balikpapan):
    # given a complete draft after TW3 closed on 2025-10-31
    # when it is submitted
    with pytest.raises(SubmissionClosed) as caught:
        submit_report(complete_draft, by=officer_balikpapan, now=AFTER_CLOSE)

    # then it is refused with the closing date, and nothing changed
    assert "sudah ditutup pada 31-10-2025" in str(caught.value)
    complete_draft.refresh_from_db()
    assert complete_draft.status == ReportStatus.DRAFT
    assert not ReportVersion.objects.filter(report=complete_draft).exists()


@pytest.mark.parametrize(
    ("utc_moment", "accepted"),
    [
        # 2025-10-31 23:30 WITA: the last half hour of the closing day in Balikpapan
        (datetime.datetime(2025, 10, 31, 15, 30, tzinfo=datetime.UTC), True),
        # 2025-11-01 00:30 WITA: still 31 October in UTC and in Jakarta, but closed here
        (datetime.datetime(2025, 10, 31, 16, 30, tzinfo=datetime.UTC), False),
    ],
)
def test_the_closing_day_ends_at_midnight_in_the_regions_own_time_zone(
    complete_draft, officer_balikpapan, utc_moment, accepted
):
    # given a complete draft of Balikpapan (Asia/Makassar, UTC+8)
    # when it is submitted around midnight of the closing day
    if accepted:
        submit_report(complete_draft, by=officer_balikpapan, now=utc_moment)
    else:
        with pytest.raises(SubmissionClosed):
            submit_report(complete_draft, by=officer_balikpapan, now=utc_moment)

    # then the region's local date decided
    complete_draft.refresh_from_db()
    assert (complete_draft.status == ReportStatus.SUBMITTED) is accepted


def test_an_extension_beyond_closing_allows_a_submission_after_closing(
    complete_draft, officer_balikpapan, admin_user
):
    # given an extension for Balikpapan to 2025-11-15, later than closing (2025-10-31)
    Extension.objects.create(
        region=complete_draft.region,
        period=complete_draft.period,
        due_on=datetime.date(2025, 11, 15),
        reason="Bencana banjir.",
        granted_by=admin_user,
    )

    # when the report is submitted on 2025-11-05
    submitted = submit_report(complete_draft, by=officer_balikpapan, now=AFTER_CLOSE)

    # then it is accepted
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED
    assert submitted.first_submitted_at == AFTER_CLOSE


def test_an_extension_that_ends_before_closing_does_not_reopen_a_closed_period(
    complete_draft, officer_balikpapan, admin_user
):
    # given an extension to 2025-10-20: later than the due date, earlier than closing
    Extension.objects.create(
        region=complete_draft.region,
        period=complete_draft.period,
        due_on=datetime.date(2025, 10, 20),
        reason="Gangguan jaringan.",
        granted_by=admin_user,
    )

    # when the report is submitted after closing
    # then it is still refused
    with pytest.raises(SubmissionClosed):
        submit_report(complete_draft, by=officer_balikpapan, now=AFTER_CLOSE)
    complete_draft.refresh_from_db()
    assert complete_draft.status == ReportStatus.DRAFT


def test_another_regions_extension_does_not_help(
    complete_draft, officer_balikpapan, admin_user, samarinda
):
    # given an extension granted to Samarinda, not Balikpapan
    Extension.objects.create(
        region=samarinda,
        period=complete_draft.period,
        due_on=datetime.date(2025, 11, 15),
        reason="Untuk Samarinda.",
        granted_by=admin_user,
    )

    # when Balikpapan submits after closing
    # then it is refused
    with pytest.raises(SubmissionClosed):
        submit_report(complete_draft, by=officer_balikpapan, now=AFTER_CLOSE)


def test_resubmission_keeps_the_first_submission_time(
    complete_draft, officer_balikpapan, evaluator_kaltim
):
    # given a report submitted on time and returned
    submit_report(complete_draft, by=officer_balikpapan, now=ON_TIME)
    return_report(
        complete_draft,
        by=evaluator_kaltim,
        note="Perbaiki notulen.",
        now=ON_TIME + datetime.timedelta(days=2),
    )
    again = ON_TIME + datetime.timedelta(days=4)

    # when it is submitted again
    submit_report(complete_draft, by=officer_balikpapan, now=again)

    # then the first submission time stays, the last one moves
    complete_draft.refresh_from_db()
    assert complete_draft.first_submitted_at == ON_TIME
    assert complete_draft.last_submitted_at == again
    assert list(complete_draft.versions.values_list("number", flat=True)) == [1, 2]


# --- the audit trail is append-only ------------------------------------------------------


@pytest.fixture
def submitted_event(complete_draft, officer_balikpapan):
    submit_report(complete_draft, by=officer_balikpapan, now=ON_TIME)
    return ReportEvent.objects.get(report=complete_draft, kind=EventKind.SUBMITTED)


def test_an_event_cannot_be_saved_again(submitted_event):
    # given a stored event
    # when someone edits and saves it
    submitted_event.reason = "diubah"
    with pytest.raises(TypeError):
        submitted_event.save()

    # then it is unchanged
    submitted_event.refresh_from_db()
    assert submitted_event.reason == "Putaran 1"


def test_an_event_cannot_be_deleted(submitted_event):
    # when someone deletes it
    with pytest.raises(TypeError):
        submitted_event.delete()

    # then it is still there
    assert ReportEvent.objects.filter(pk=submitted_event.pk).exists()


def test_events_cannot_be_updated_or_deleted_in_bulk(submitted_event):
    # given the audit trail of a report
    trail = ReportEvent.objects.filter(report=submitted_event.report)
    count = trail.count()

    # when someone updates or deletes it through a queryset
    with pytest.raises(TypeError):
        trail.update(reason="diubah")
    with pytest.raises(TypeError):
        trail.delete()
    with pytest.raises(TypeError):
        ReportEvent.objects.all().delete()

    # then every row is as it was
    assert trail.count() == count
    assert not ReportEvent.objects.filter(reason="diubah").exists()
