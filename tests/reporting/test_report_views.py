"""The officer's pages: who may open what, and what a forged or hostile form can do."""

import datetime
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reporting.models import (
    EventKind,
    Evidence,
    Extension,
    Period,
    ProgressStatus,
    Report,
    ReportEntry,
    ReportEvent,
    ReportStatus,
)
from reporting.requirements import report_requirements
from reporting.services import (
    DraftChanges,
    return_report,
    save_draft,
    start_report,
    submit_report,
)
from tests.reporting.conftest import (
    ON_TIME,
    fill_report,
    make_pdf,
    make_png,
    raw_multipart,
    requirement_of,
    stored_files,
)

pytestmark = pytest.mark.django_db

GENERATED_NAME = re.compile(r"^evidence/\d{4}/\d{2}/[0-9a-f]{32}\.pdf$")
NOT_SAVED = "Laporan belum disimpan: periksa isian yang ditandai merah."


def payload(region, period, *, revision, narrative="Narasi uji.", **extra):
    """A valid POST of the edit form: every assigned action filled in, nothing uploaded."""
    data = {"revision": revision, "notes": "", "proposals": "", "simpan": "1"}
    for block in report_requirements(region, period):
        data[f"aksi-{block.action.pk}-narrative"] = f"{narrative} (aksi {block.action.number})"
        data[f"aksi-{block.action.pk}-progress"] = ProgressStatus.IN_PROGRESS
    data.update(extra)
    return data


def pdf_file(name, label=None):
    return SimpleUploadedFile(name, make_pdf(label or name), content_type="application/pdf")


def edit_url(period):
    return reverse("reporting:report-edit", args=[period.pk])


def text(response):
    return html.unescape(response.content.decode())


# --- permission matrix --------------------------------------------------------------------


@pytest.fixture
def bpn_report(complete_draft, officer_balikpapan, evaluator_kaltim):
    """Balikpapan's TW3 2025 report: sent once (version 1), returned, with its files."""
    submit_report(complete_draft, by=officer_balikpapan, now=ON_TIME)
    return return_report(complete_draft, by=evaluator_kaltim, note="Lengkapi notulen.")


PAGES = [
    "reporting:officer-home",
    "reporting:report-edit",
    "reporting:report-detail",
    "reporting:report-version",
    "reporting:evidence-file",
]
# The status each member gets on each page, with Balikpapan's report (302: to the login page).
# The edit page is per period: Samarinda's officer gets Samarinda's own report there.
MATRIX = {
    "officer_balikpapan": [200, 200, 200, 200, 200],
    "officer_samarinda": [200, 200, 404, 404, 404],
    "evaluator_kaltim": [403, 403, 200, 200, 200],
    "evaluator_other": [403, 403, 404, 404, 404],
    "admin_user": [403, 403, 200, 200, 200],
    "anonymous": [302, 302, 302, 302, 302],
}


def page_url(name, report):
    evidence = Evidence.objects.filter(report=report).first()
    args = {
        "reporting:officer-home": [],
        "reporting:report-edit": [report.period.pk],
        "reporting:report-detail": [report.pk],
        "reporting:report-version": [report.pk, 1],
        "reporting:evidence-file": [evidence.pk],
    }[name]
    return reverse(name, args=args)


@pytest.mark.parametrize("cast_member", list(MATRIX), indirect=True)
@pytest.mark.parametrize("page", range(len(PAGES)))
def test_reporting_pages_permission_matrix(client_for, cast_member, request, page, bpn_report):
    name = request.node.callspec.params["cast_member"]
    url = page_url(PAGES[page], bpn_report)

    response = client_for(cast_member).get(url)
    response.close()

    assert response.status_code == MATRIX[name][page]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "cast_member", ["evaluator_kaltim", "evaluator_other", "admin_user"], indirect=True
)
def test_only_officers_may_post_the_edit_form(client_for, cast_member, bpn_report):
    # given Balikpapan's returned report
    data = payload(bpn_report.region, bpn_report.period, revision=bpn_report.revision)

    # when a non-officer posts the edit form of its period
    response = client_for(cast_member).post(edit_url(bpn_report.period), data)

    # then it is forbidden and nothing changed
    assert response.status_code == 403
    bpn_report.refresh_from_db()
    assert bpn_report.revision == 1
    assert not ReportEntry.objects.filter(narrative__startswith="Narasi uji.").exists()


def test_anonymous_post_of_the_edit_form_goes_to_login(client, bpn_report):
    data = payload(bpn_report.region, bpn_report.period, revision=bpn_report.revision)

    response = client.post(edit_url(bpn_report.period), data)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not ReportEntry.objects.filter(narrative__startswith="Narasi uji.").exists()


@pytest.mark.parametrize(
    "page", ["reporting:report-detail", "reporting:report-version", "reporting:evidence-file"]
)
def test_a_missing_object_is_the_same_404_as_one_out_of_scope(client_for, evaluator_kaltim, page):
    args = {"reporting:report-version": [987654, 1]}.get(page, [987654])

    response = client_for(evaluator_kaltim).get(reverse(page, args=args))

    assert response.status_code == 404


def test_samarinda_edit_page_of_the_same_period_shows_only_samarinda(
    bpn_report, client_for, officer_samarinda
):
    # when Samarinda's officer opens TW3 2025
    response = client_for(officer_samarinda).get(edit_url(bpn_report.period))

    # then it is Samarinda's (new) report: nothing of Balikpapan's
    content = text(response)
    assert response.status_code == 200
    assert "Kota Samarinda" in content
    assert "Capaian periode ini." not in content
    assert "Lengkapi notulen." not in content
    for evidence in Evidence.objects.filter(report=bpn_report):
        assert reverse("reporting:evidence-file", args=[evidence.pk]) not in content


def test_a_period_without_assigned_actions_is_not_found(cycle, client_for, officer_balikpapan):
    # given a period in which no action has a measure
    today = timezone.localdate()
    empty = Period.objects.create(
        cycle=cycle,
        order=6,
        code="KOSONG",
        name="Periode tanpa aksi",
        starts_on=today,
        ends_on=today,
        opens_on=today,
        due_on=today,
        closes_on=today,
    )

    # when the officer opens it
    response = client_for(officer_balikpapan).get(edit_url(empty))

    # then there is nothing to report
    assert response.status_code == 404
    assert not Report.objects.exists()


# --- saving and submitting through the page ----------------------------------------------


def test_officer_saves_a_first_draft_through_the_page(
    open_period, actions, balikpapan, client_for, officer_balikpapan
):
    # given no report yet for the open period
    client = client_for(officer_balikpapan)
    assert client.get(edit_url(open_period)).status_code == 200
    data = payload(balikpapan, open_period, revision=0, notes="Catatan petugas.")

    # when the officer saves
    response = client.post(edit_url(open_period), data, follow=True)

    # then the report exists with the texts, and the page says it was saved
    report = Report.objects.get(region=balikpapan, period=open_period)
    assert (report.status, report.revision, report.notes) == ("draft", 1, "Catatan petugas.")
    assert sorted(report.entries.values_list("narrative", flat=True)) == [
        f"Narasi uji. (aksi {n})" for n in (1, 2, 3)
    ]
    assert list(ReportEvent.objects.filter(report=report).values_list("kind", flat=True)) == [
        EventKind.CREATED
    ]
    assert response.redirect_chain == [(edit_url(open_period), 302)]
    assert "Draf tersimpan:" in text(response)


def test_officer_submits_a_complete_report_from_the_page(
    open_period, actions, balikpapan, client_for, officer_balikpapan, media
):
    # given the form with every narrative and one PDF per item
    data = payload(balikpapan, open_period, revision=0, kirim="1", confirmed="1")
    for block in report_requirements(balikpapan, open_period):
        for requirement in block.requirements:
            data[f"dok-{requirement.pk}-files"] = pdf_file(
                f"{requirement.name}.pdf", str(requirement.pk)
            )

    # when the officer sends it
    response = client_for(officer_balikpapan).post(edit_url(open_period), data, follow=True)

    # then it is submitted, the officer lands on the report, and the files are stored
    report = Report.objects.get(region=balikpapan, period=open_period)
    assert report.status == ReportStatus.SUBMITTED
    assert report.versions.count() == 1
    assert response.redirect_chain == [(reverse("reporting:report-detail", args=[report.pk]), 302)]
    assert "Laporan terkirim ke Kanwil. Terima kasih." in text(response)
    assert Evidence.objects.filter(report=report).count() == 6
    assert len(stored_files(media)) == 6


def test_sending_an_incomplete_report_saves_the_draft_and_lists_what_is_missing(
    open_period, actions, balikpapan, client_for, officer_balikpapan
):
    # given the form with narratives but no file
    data = payload(balikpapan, open_period, revision=0, kirim="1", confirmed="1")

    # when the officer sends it
    response = client_for(officer_balikpapan).post(edit_url(open_period), data)

    # then the draft is saved, not sent, and each missing item is named
    content = text(response)
    assert response.status_code == 200
    assert "belum dapat dikirim karena belum lengkap" in content
    for number in (1, 2, 3):
        assert f"Aksi {number}: data dukung \u201cSK Tim Pelaksana\u201d belum diunggah." in content
    report = Report.objects.get(region=balikpapan, period=open_period)
    assert (report.status, report.revision) == (ReportStatus.DRAFT, 1)
    assert report.entries.count() == 3
    # the re-rendered form carries the new revision, so the next save is not a conflict
    assert 'name="revision" value="1"' in content


def test_sending_after_the_period_closed_is_refused_but_the_draft_is_kept(
    complete_draft, client_for, officer_balikpapan
):
    # given TW3 2025, closed on 2025-10-31 (the real clock is past it)
    data = payload(
        complete_draft.region,
        complete_draft.period,
        revision=complete_draft.revision,
        narrative="Terlambat sekali.",
        kirim="1",
        confirmed="1",
    )

    # when the officer sends the complete report
    response = client_for(officer_balikpapan).post(edit_url(complete_draft.period), data)

    # then sending is refused with the closing date, but the edits are saved
    content = text(response)
    assert response.status_code == 200
    assert "Pelaporan periode ini sudah ditutup pada 31-10-2025." in content
    complete_draft.refresh_from_db()
    assert complete_draft.status == ReportStatus.DRAFT
    assert complete_draft.entries.filter(narrative__startswith="Terlambat sekali.").count() == 3


def test_an_extension_lets_the_page_send_after_the_period_closed(
    complete_draft, client_for, officer_balikpapan, admin_user
):
    # given an extension for Balikpapan that ends after today
    Extension.objects.create(
        region=complete_draft.region,
        period=complete_draft.period,
        due_on=timezone.localdate() + datetime.timedelta(days=5),
        reason="Perpanjangan uji.",
        granted_by=admin_user,
    )
    data = payload(
        complete_draft.region,
        complete_draft.period,
        revision=complete_draft.revision,
        kirim="1",
        confirmed="1",
    )

    # when the officer sends the report
    response = client_for(officer_balikpapan).post(edit_url(complete_draft.period), data)

    # then it is submitted
    assert response.status_code == 302
    complete_draft.refresh_from_db()
    assert complete_draft.status == ReportStatus.SUBMITTED


def test_a_submitted_report_is_not_editable_through_the_page(
    complete_draft, client_for, officer_balikpapan, media
):
    # given a submitted report
    submit_report(complete_draft, by=officer_balikpapan, now=ON_TIME)
    files_before = stored_files(media)
    client = client_for(officer_balikpapan)
    detail = reverse("reporting:report-detail", args=[complete_draft.pk])
    requirement = requirement_of(complete_draft.entries.first().action, complete_draft.period)
    data = payload(
        complete_draft.region,
        complete_draft.period,
        revision=complete_draft.revision,
        narrative="Diubah setelah dikirim.",
        **{f"dok-{requirement.pk}-files": pdf_file("baru.pdf")},
    )

    # when the officer opens or posts the edit page
    opened = client.get(edit_url(complete_draft.period))
    posted = client.post(edit_url(complete_draft.period), data, follow=True)

    # then both lead to the read-only report and nothing changed
    assert (opened.status_code, opened["Location"]) == (302, detail)
    assert posted.redirect_chain == [(detail, 302)]
    assert "sudah terkirim dan tidak dapat diubah lagi" in text(posted)
    assert not ReportEntry.objects.filter(narrative__startswith="Diubah").exists()
    assert stored_files(media) == files_before


def test_a_double_click_on_send_submits_once(
    open_period, actions, balikpapan, client_for, officer_balikpapan
):
    # given the complete form of the open period, sent twice as a double click does
    data = payload(balikpapan, open_period, revision=0, kirim="1", confirmed="1")
    client = client_for(officer_balikpapan)
    for block in report_requirements(balikpapan, open_period):
        for requirement in block.requirements:
            data[f"dok-{requirement.pk}-files"] = pdf_file(f"{requirement.name}.pdf")

    # when both clicks arrive
    first = client.post(edit_url(open_period), data)
    for key, value in data.items():
        if key.endswith("-files"):
            value.seek(0)
    second = client.post(edit_url(open_period), data)

    # then the report was sent once: one version, one submission event, one set of files
    report = Report.objects.get(region=balikpapan, period=open_period)
    detail = reverse("reporting:report-detail", args=[report.pk])
    assert (first.status_code, first["Location"]) == (302, detail)
    assert (second.status_code, second["Location"]) == (302, detail)
    assert report.versions.count() == 1
    assert ReportEvent.objects.filter(report=report, kind=EventKind.SUBMITTED).count() == 1
    assert Evidence.objects.filter(report=report).count() == 6


def test_the_edit_form_still_checks_csrf_although_uploads_are_limited_first(
    draft, actions, officer_balikpapan, media
):
    # given a browser session without the form's CSRF token
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_balikpapan)
    requirement = requirement_of(actions[0], draft.period)
    data = payload(
        draft.region,
        draft.period,
        revision=draft.revision,
        **{f"dok-{requirement.pk}-files": pdf_file("SK.pdf")},
    )

    # when a forged cross-site POST arrives
    response = client.post(edit_url(draft.period), data)

    # then it is refused and nothing was stored
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.revision == 0
    assert stored_files(media) == []
    # while the same POST with the page's token goes through
    client.get(edit_url(draft.period))
    data["csrfmiddlewaretoken"] = client.cookies["csrftoken"].value
    data[f"dok-{requirement.pk}-files"].seek(0)
    assert client.post(edit_url(draft.period), data).status_code == 302
    assert len(stored_files(media)) == 1


# --- forged fields -------------------------------------------------------------------------


def test_removing_another_regions_evidence_is_rejected_and_changes_nothing(
    complete_draft, actions, samarinda, client_for, officer_balikpapan, officer_samarinda
):
    # given Samarinda's draft with its files
    theirs = fill_report(
        start_report(samarinda, complete_draft.period, by=officer_samarinda), by=officer_samarinda
    )
    their_file = Evidence.objects.filter(report=theirs).first()
    requirement = requirement_of(actions[0], complete_draft.period)
    data = payload(
        complete_draft.region,
        complete_draft.period,
        revision=complete_draft.revision,
        narrative="Isian bersama pemalsuan.",
        **{f"dok-{requirement.pk}-remove": [their_file.pk]},
    )

    # when Balikpapan's officer posts Samarinda's evidence id as one to remove
    response = client_for(officer_balikpapan).post(edit_url(complete_draft.period), data)

    # then the form is refused with the message, and nothing was saved anywhere
    content = text(response)
    assert response.status_code == 200
    assert "Berkas yang dipilih bukan milik butir ini." in content
    assert NOT_SAVED in content
    assert "Isian bersama pemalsuan. (aksi 1)" in content
    their_file.refresh_from_db()
    assert their_file.removed_at is None
    assert not Evidence.objects.filter(removed_at__isnull=False).exists()
    revision = complete_draft.revision
    complete_draft.refresh_from_db()
    assert complete_draft.revision == revision
    assert not ReportEntry.objects.filter(narrative__startswith="Isian bersama").exists()


def test_fields_for_an_action_not_assigned_to_the_region_are_ignored(
    draft, samarinda_only_action, client_for, officer_balikpapan, media
):
    # given Aksi 4, assigned to Samarinda only, and its SK item
    foreign = requirement_of(samarinda_only_action, draft.period)
    data = payload(
        draft.region,
        draft.period,
        revision=draft.revision,
        **{
            f"aksi-{samarinda_only_action.pk}-narrative": "Disusupkan.",
            f"aksi-{samarinda_only_action.pk}-progress": ProgressStatus.DONE,
            f"dok-{foreign.pk}-files": pdf_file("susupan.pdf"),
        },
    )

    # when Balikpapan's officer posts them along with the real form
    response = client_for(officer_balikpapan).post(edit_url(draft.period), data)

    # then the real form is saved and the forged fields were never read
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.revision == 1
    assert set(draft.entries.values_list("action__number", flat=True)) == {1, 2, 3}
    assert not ReportEntry.objects.filter(action=samarinda_only_action).exists()
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_a_stale_form_shows_the_conflict_keeps_the_typed_text_and_saves_nothing(
    draft, actions, client_for, officer_balikpapan, media
):
    # given a colleague saved the draft (revision 1) after this form was opened at revision 0
    save_draft(
        draft,
        DraftChanges(
            revision=0, entries={actions[0].pk: ("Teks rekan.", ProgressStatus.IN_PROGRESS)}
        ),
        by=officer_balikpapan,
    )
    requirement = requirement_of(actions[0], draft.period)
    data = payload(
        draft.region,
        draft.period,
        revision=0,
        narrative="Teks yang saya ketik sendiri.",
        **{f"dok-{requirement.pk}-files": pdf_file("SK.pdf")},
    )
    client = client_for(officer_balikpapan)

    # when the stale form is posted
    response = client.post(edit_url(draft.period), data)

    # then the conflict is explained, the typed text and the stored text are both shown
    content = text(response)
    assert response.status_code == 200
    assert "sudah diubah orang lain (atau di tab lain)" in content
    assert 'data-testid="conflict"' in content
    assert "Teks yang saya ketik sendiri. (aksi 1)" in content
    assert "Teks rekan." in content
    # and nothing was saved: no text, no evidence row, no file
    draft.refresh_from_db()
    assert draft.revision == 1
    assert list(draft.entries.values_list("narrative", flat=True)) == ["Teks rekan."]
    assert not Evidence.objects.exists()
    assert stored_files(media) == []
    # and the form now carries the stored revision: saving again is a deliberate overwrite
    assert 'name="revision" value="1"' in content
    data["revision"] = 1
    data.pop(f"dok-{requirement.pk}-files")
    assert client.post(edit_url(draft.period), data).status_code == 302
    assert (
        draft.entries.get(action=actions[0]).narrative == "Teks yang saya ketik sendiri. (aksi 1)"
    )


# --- hostile uploads -----------------------------------------------------------------------

DISALLOWED = "Jenis berkas tidak diizinkan: hanya PDF, JPEG, atau PNG."


@pytest.mark.parametrize(
    ("name", "content", "limit", "message"),
    [
        pytest.param(
            "laporan.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00This program cannot be run in DOS mode" + bytes(512),
            None,
            f"laporan.pdf: {DISALLOWED}",
            id="windows-executable-named-pdf",
        ),
        pytest.param(
            "laporan.pdf",
            b"\x7fELF\x02\x01\x01\x00" + bytes(600),
            None,
            f"laporan.pdf: {DISALLOWED}",
            id="elf-executable-named-pdf",
        ),
        pytest.param(
            "foto.png",
            b"<html><script>alert(document.cookie)</script></html>",
            None,
            f"foto.png: {DISALLOWED}",
            id="html-named-png",
        ),
        pytest.param(
            "besar.pdf",
            make_pdf("besar") + b"%" + b"x" * 4096,
            1024,
            "besar.pdf: Ukuran berkas melebihi batas 1 KB.",
            id="over-the-limit",
        ),
        pytest.param("kosong.pdf", b"", None, "kosong.pdf: Berkas kosong.", id="empty"),
        pytest.param(
            "rusak.pdf",
            b"%PDF-1.7\n" + b"garbage " * 200,
            None,
            "rusak.pdf: Berkas bukan PDF yang sah.",
            id="pdf-signature-garbage-body",
        ),
    ],
)
def test_a_hostile_upload_is_refused_with_its_message_and_nothing_is_stored(
    draft, actions, client_for, officer_balikpapan, media, settings, name, content, limit, message
):
    # given the form with a typed narrative, a good file for one item and the hostile one
    if limit:
        settings.EVIDENCE_MAX_BYTES = limit
    good = requirement_of(actions[0], draft.period, "SK Tim Pelaksana")
    target = requirement_of(actions[0], draft.period, "Notulen rapat")
    data = payload(
        draft.region,
        draft.period,
        revision=draft.revision,
        narrative="Narasi yang tidak boleh hilang.",
        **{
            f"dok-{good.pk}-files": SimpleUploadedFile("ok.png", make_png(), "image/png"),
            f"dok-{target.pk}-files": SimpleUploadedFile(name, content, "application/pdf"),
        },
    )

    # when the officer saves
    response = client_for(officer_balikpapan).post(edit_url(draft.period), data)

    # then the page comes back with the message next to the item and the typed text kept
    content_shown = text(response)
    assert response.status_code == 200
    assert message in content_shown
    assert NOT_SAVED in content_shown
    assert "Narasi yang tidak boleh hilang. (aksi 1)" in content_shown
    # and nothing at all was stored: no row, no file, no text
    assert not Evidence.objects.exists()
    assert stored_files(media) == []
    draft.refresh_from_db()
    assert draft.revision == 0
    assert not draft.entries.exists()


@pytest.mark.parametrize(
    ("sent_name", "shown_name"),
    [
        ("../../../etc/cron.d/SK Tim Pelaksana.pdf", "SK Tim Pelaksana.pdf"),
        ("..\\..\\Windows\\System32\\SK\x07 Tim\x1b.pdf", "SK Tim.pdf"),
        ("/var/www/../../SK\u202egpj.pdf", "SKgpj.pdf"),
    ],
)
def test_a_valid_file_with_a_hostile_name_is_stored_under_a_generated_name(
    draft, actions, balikpapan, client_for, officer_balikpapan, media, sent_name, shown_name
):
    # given a valid PDF whose name, as the client sends it, climbs directories
    requirement = requirement_of(actions[0], draft.period)
    fields = payload(balikpapan, draft.period, revision=draft.revision)
    body, content_type = raw_multipart(
        fields, [(f"dok-{requirement.pk}-files", sent_name, make_pdf("valid"), "application/pdf")]
    )
    client = client_for(officer_balikpapan)

    # when the officer saves
    response = client.post(edit_url(draft.period), body, content_type=content_type)

    # then the file is accepted, stored under a generated name inside MEDIA_ROOT
    assert response.status_code == 302
    evidence = Evidence.objects.get(report=draft)
    assert GENERATED_NAME.match(evidence.file.name)
    assert stored_files(media) == [evidence.file.name]
    assert not (media.parent / "etc").exists()
    # and its name is kept and shown only sanitised
    assert evidence.original_name == shown_name
    page = text(client.get(edit_url(draft.period)))
    link = reverse("reporting:evidence-file", args=[evidence.pk])
    assert re.search(rf'href="{link}"[^>]*>{re.escape(shown_name)}</a>', page)
    for hostile in ("../", "..\\", "\x07", "\x1b", "\u202e"):
        assert hostile not in page
