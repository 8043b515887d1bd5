"""save_draft: the officer's edits, optimistic concurrency, uploads and removals."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reporting.models import Evidence, ProgressStatus, ReportEntry, ReportStatus
from reporting.services import (
    AlreadySubmitted,
    DraftChanges,
    StaleReport,
    save_draft,
    start_report,
    submit_report,
)
from tests.reporting.conftest import (
    ON_TIME,
    fill_report,
    full_changes,
    inspected,
    make_pdf,
    make_png,
    pdf_upload,
    requirement_of,
    sha256,
    stored_files,
)

pytestmark = pytest.mark.django_db

GENERATED_NAME = re.compile(r"^evidence/\d{4}/\d{2}/[0-9a-f]{32}\.(pdf|png)$")


def test_saving_stores_narratives_progress_notes_and_proposals_and_bumps_revision(
    draft, actions, officer_balikpapan
):
    # given an empty draft at revision 0
    changes = DraftChanges(
        revision=0,
        entries={
            actions[0].pk: ("Tim pelaksana dibentuk dengan SK Wali Kota.", ProgressStatus.DONE),
            actions[1].pk: ("Rapat koordinasi pertama.", ProgressStatus.IN_PROGRESS),
        },
        notes="Data triwulan menyusul.",
        proposals="Mohon bimbingan teknis penyusunan laporan.",
    )

    # when the officer saves
    saved = save_draft(draft, changes, by=officer_balikpapan)

    # then everything is stored and the revision moved on
    draft.refresh_from_db()
    assert saved.revision == draft.revision == 1
    assert draft.notes == "Data triwulan menyusul."
    assert draft.proposals == "Mohon bimbingan teknis penyusunan laporan."
    assert draft.status == ReportStatus.DRAFT
    stored = {e.action_id: (e.narrative, e.progress) for e in draft.entries.all()}
    assert stored == {
        actions[0].pk: ("Tim pelaksana dibentuk dengan SK Wali Kota.", ProgressStatus.DONE),
        actions[1].pk: ("Rapat koordinasi pertama.", ProgressStatus.IN_PROGRESS),
    }


def test_saving_again_updates_the_entries_in_place(draft, actions, officer_balikpapan):
    # given a draft saved once
    save_draft(
        draft,
        DraftChanges(revision=0, entries={actions[0].pk: ("Awal.", ProgressStatus.IN_PROGRESS)}),
        by=officer_balikpapan,
    )

    # when it is saved with the current revision and a new text
    saved = save_draft(
        draft,
        DraftChanges(revision=1, entries={actions[0].pk: ("Selesai.", ProgressStatus.DONE)}),
        by=officer_balikpapan,
    )

    # then the one entry changed and the revision moved again
    assert saved.revision == 2
    entries = list(ReportEntry.objects.filter(report=draft))
    assert [(e.narrative, e.progress) for e in entries] == [("Selesai.", ProgressStatus.DONE)]


def test_a_stale_revision_is_refused_and_changes_nothing(draft, actions, officer_balikpapan, media):
    # given a colleague saved the draft after this form was opened at revision 0
    save_draft(draft, DraftChanges(revision=0, notes="Versi rekan."), by=officer_balikpapan)
    stale = DraftChanges(
        revision=0,
        entries={actions[0].pk: ("Isian saya.", ProgressStatus.DONE)},
        notes="Versi saya.",
        uploads=[(requirement_of(actions[0], draft.period).pk, inspected(pdf_upload()))],
    )

    # when the stale form is saved
    with pytest.raises(StaleReport) as caught:
        save_draft(draft, stale, by=officer_balikpapan)

    # then it is refused with the stored report, and nothing of it was kept
    assert caught.value.report.revision == 1
    assert "sudah diubah orang lain" in str(caught.value)
    draft.refresh_from_db()
    assert (draft.revision, draft.notes) == (1, "Versi rekan.")
    assert not ReportEntry.objects.filter(report=draft).exists()
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_uploads_become_evidence_rows_with_hash_size_type_and_a_generated_storage_name(
    draft, actions, officer_balikpapan, media
):
    # given a PDF and a PNG for the two items of Aksi 1
    pdf, png = make_pdf("SK"), make_png()
    sk = requirement_of(actions[0], draft.period, "SK Tim Pelaksana")
    minutes = requirement_of(actions[0], draft.period, "Notulen rapat")
    pdf_file = inspected(
        SimpleUploadedFile("SK Tim Pelaksana 2025.pdf", pdf, content_type="application/pdf")
    )
    png_file = inspected(SimpleUploadedFile("foto rapat.png", png, content_type="image/png"))
    changes = DraftChanges(revision=0, uploads=[(sk.pk, pdf_file), (minutes.pk, png_file)])

    # when the draft is saved
    save_draft(draft, changes, by=officer_balikpapan)

    # then each file is a row with what the server established about it
    rows = {e.requirement_id: e for e in Evidence.objects.filter(report=draft)}
    assert set(rows) == {sk.pk, minutes.pk}
    for row, content, original, mime in [
        (rows[sk.pk], pdf, "SK Tim Pelaksana 2025.pdf", "application/pdf"),
        (rows[minutes.pk], png, "foto rapat.png", "image/png"),
    ]:
        assert row.original_name == original
        assert row.content_type == mime
        assert row.size == len(content)
        assert row.sha256 == sha256(content)
        assert row.uploaded_by == officer_balikpapan
        assert row.removed_at is None
        # stored under a generated name, never the client's
        assert GENERATED_NAME.match(row.file.name), row.file.name
        assert "SK" not in row.file.name and "rapat" not in row.file.name
        assert (media / row.file.name).read_bytes() == content
    assert len(stored_files(media)) == 2


def test_a_hostile_original_name_is_kept_only_sanitised_for_display(
    draft, actions, officer_balikpapan, media
):
    # given a valid PDF whose name climbs directories and hides control characters
    hostile = SimpleUploadedFile("x.pdf", make_pdf("x"), content_type="application/pdf")
    hostile.name = "../../etc/SK\x00 Tim\u202e fdp.exe\x1b.pdf"  # bypass the basename setter
    requirement = requirement_of(actions[0], draft.period)

    # when it is saved
    save_draft(
        draft,
        DraftChanges(revision=0, uploads=[(requirement.pk, inspected(hostile))]),
        by=officer_balikpapan,
    )

    # then the displayed name has neither directories nor control characters
    row = Evidence.objects.get(report=draft)
    assert row.original_name == "SK Tim fdp.exe.pdf"
    assert GENERATED_NAME.match(row.file.name)
    assert [p.split("/")[0] for p in stored_files(media)] == ["evidence"]
    assert not (media.parent / "etc").exists()


def test_a_failure_after_a_file_was_written_leaves_no_file_and_no_row(
    draft, actions, officer_balikpapan, media
):
    # given two uploads, the second of which was never inspected by the form
    first = inspected(pdf_upload("satu.pdf"))
    second = pdf_upload("dua.pdf")  # no .inspected: the service fails on it
    requirement = requirement_of(actions[0], draft.period)
    changes = DraftChanges(
        revision=0,
        entries={actions[0].pk: ("Teks.", ProgressStatus.DONE)},
        uploads=[(requirement.pk, first), (requirement.pk, second)],
    )

    # when the save fails half-way
    with pytest.raises(AttributeError):
        save_draft(draft, changes, by=officer_balikpapan)

    # then the first file was removed again along with the rolled-back rows
    assert stored_files(media) == []
    assert not Evidence.objects.exists()
    assert not ReportEntry.objects.filter(report=draft).exists()
    draft.refresh_from_db()
    assert draft.revision == 0


def test_removal_marks_the_evidence_removed_and_keeps_the_row(
    complete_draft, actions, officer_balikpapan, media
):
    # given a draft with a file for every item
    target = Evidence.objects.filter(report=complete_draft).first()
    files_before = stored_files(media)

    # when the officer takes one file off the report
    save_draft(
        complete_draft,
        DraftChanges(revision=complete_draft.revision, removals={target.pk}),
        by=officer_balikpapan,
    )

    # then the row stays, marked removed by whom, and its file is still there
    target.refresh_from_db()
    assert target.removed_at is not None
    assert target.removed_by == officer_balikpapan
    assert Evidence.objects.filter(report=complete_draft).count() == 6
    assert Evidence.objects.filter(report=complete_draft, removed_at__isnull=True).count() == 5
    assert stored_files(media) == files_before


def test_a_replacement_is_a_new_row_and_the_old_one_is_kept(
    complete_draft, actions, officer_balikpapan
):
    # given the stored SK of Aksi 1
    requirement = requirement_of(actions[0], complete_draft.period)
    old = Evidence.objects.get(report=complete_draft, requirement=requirement)

    # when it is replaced in one save: removed, and a new file uploaded
    save_draft(
        complete_draft,
        DraftChanges(
            revision=complete_draft.revision,
            removals={old.pk},
            uploads=[(requirement.pk, inspected(pdf_upload("SK revisi.pdf")))],
        ),
        by=officer_balikpapan,
    )

    # then both rows exist; only the new one counts
    rows = list(Evidence.objects.filter(report=complete_draft, requirement=requirement))
    assert [(r.original_name, r.removed_at is None) for r in rows] == [
        ("SK Tim Pelaksana.pdf", False),
        ("SK revisi.pdf", True),
    ]
    assert rows[0].file.name != rows[1].file.name


def test_removing_evidence_of_another_report_changes_nothing(
    complete_draft, samarinda, tw3, officer_samarinda, officer_balikpapan
):
    # given Samarinda's draft with its own files
    theirs = fill_report(start_report(samarinda, tw3, by=officer_samarinda), by=officer_samarinda)
    their_file = Evidence.objects.filter(report=theirs).first()

    # when Balikpapan's draft is saved with Samarinda's evidence id among the removals
    save_draft(
        complete_draft,
        DraftChanges(revision=complete_draft.revision, removals={their_file.pk}),
        by=officer_balikpapan,
    )

    # then Samarinda's file is untouched
    their_file.refresh_from_db()
    assert their_file.removed_at is None
    assert Evidence.objects.filter(removed_at__isnull=False).count() == 0


def test_a_submitted_report_refuses_edits(complete_draft, actions, officer_balikpapan, media):
    # given a submitted report
    submitted = submit_report(complete_draft, by=officer_balikpapan, now=ON_TIME)
    files_before = stored_files(media)
    changes = full_changes(submitted, narrative="Perubahan setelah dikirim")

    # when the officer tries to save a draft on it
    with pytest.raises(AlreadySubmitted) as caught:
        save_draft(submitted, changes, by=officer_balikpapan)

    # then it is refused and nothing changed: no text, no new file, same revision
    assert str(caught.value) == "Laporan sudah dikirim dan tidak dapat diubah lagi."
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED
    assert submitted.revision == complete_draft.revision
    assert not ReportEntry.objects.filter(narrative__startswith="Perubahan").exists()
    assert Evidence.objects.filter(report=submitted).count() == 6
    assert stored_files(media) == files_before
