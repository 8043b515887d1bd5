"""Files stored in the draft as soon as they are chosen (the form's script posts each one)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from reporting.models import Evidence, Report
from reporting.services import submit_report
from tests.reporting.conftest import (
    ON_TIME,
    make_pdf,
    make_png,
    requirement_of,
    stored_files,
)

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def upload_url(period, requirement):
    return reverse("reporting:evidence-upload", args=[period.pk, requirement.pk])


def pdf_file(name, label=None):
    return SimpleUploadedFile(name, make_pdf(label or name), content_type="application/pdf")


def post_file(client, period, requirement, upload, **extra):
    return client.post(
        upload_url(period, requirement),
        {f"dok-{requirement.pk}-files": upload, **extra},
        **JSON,
    )


def test_a_chosen_file_is_stored_in_a_new_draft_at_once(
    tw3, actions, balikpapan, client_for, officer_balikpapan, media
):
    # given Balikpapan has not started its TW3 report
    requirement = requirement_of(actions[0], tw3)
    assert not Report.objects.exists()

    # when the officer's page sends one chosen file
    response = post_file(client_for(officer_balikpapan), tw3, requirement, pdf_file("sk-tim.pdf"))

    # then the draft exists and holds the file, under a generated name
    assert response.status_code == 201
    report = Report.objects.get(region=balikpapan, period=tw3)
    evidence = Evidence.objects.get(report=report)
    assert evidence.requirement == requirement
    assert evidence.original_name == "sk-tim.pdf"
    assert stored_files(media) == [evidence.file.name]
    answer = response.json()
    assert answer["files"][0]["id"] == evidence.pk
    assert answer["files"][0]["name"] == "sk-tim.pdf"
    assert answer["files"][0]["url"] == reverse("reporting:evidence-file", args=[evidence.pk])
    assert answer["files"][0]["uploaded_at"].endswith("WITA")


def test_a_stored_file_does_not_make_the_open_form_stale(
    draft, actions, client_for, officer_balikpapan
):
    # given the form was opened at the draft's revision
    requirement = requirement_of(actions[0], draft.period)
    revision = draft.revision
    client = client_for(officer_balikpapan)

    # when a file is stored beside it
    post_file(client, draft.period, requirement, pdf_file("notulen.pdf"))

    # then the draft's revision is unchanged, so the form's next save is not a conflict
    draft.refresh_from_db()
    assert draft.revision == revision
    # and the form, opened again, shows the stored file
    page = client.get(reverse("reporting:report-edit", args=[draft.period.pk]))
    assert "notulen.pdf" in page.content.decode()


def test_several_files_of_one_pick_are_each_stored(draft, actions, client_for, officer_balikpapan):
    # given an item of the draft
    requirement = requirement_of(actions[1], draft.period, "Notulen rapat")
    client = client_for(officer_balikpapan)

    # when two files are sent, one request each, as the page's script does
    first = post_file(client, draft.period, requirement, pdf_file("a.pdf"))
    second = post_file(
        client, draft.period, requirement, SimpleUploadedFile("b.png", make_png(), "image/png")
    )

    # then both are in the draft
    assert (first.status_code, second.status_code) == (201, 201)
    names = set(Evidence.objects.filter(report=draft).values_list("original_name", flat=True))
    assert names == {"a.pdf", "b.png"}


def test_replacing_a_file_keeps_the_old_row_but_takes_it_off_the_draft(
    draft, actions, client_for, officer_balikpapan, media
):
    # given a stored file
    requirement = requirement_of(actions[0], draft.period)
    client = client_for(officer_balikpapan)
    old_id = post_file(client, draft.period, requirement, pdf_file("lama.pdf")).json()["files"][0][
        "id"
    ]

    # when the officer replaces it ("Ganti")
    response = post_file(client, draft.period, requirement, pdf_file("baru.pdf"), ganti=old_id)

    # then the new file is in the draft and the old one is kept on record, taken off
    assert response.status_code == 201
    assert response.json()["replaced"] == old_id
    old = Evidence.objects.get(pk=old_id)
    assert old.removed_at is not None
    assert old.removed_by == officer_balikpapan
    current = Evidence.objects.filter(report=draft, removed_at__isnull=True)
    assert [e.original_name for e in current] == ["baru.pdf"]
    assert len(stored_files(media)) == 2


def test_replacing_a_file_of_another_item_is_refused(
    draft, actions, client_for, officer_balikpapan
):
    # given a file stored for the first item
    first = requirement_of(actions[0], draft.period, "SK Tim Pelaksana")
    other = requirement_of(actions[0], draft.period, "Notulen rapat")
    client = client_for(officer_balikpapan)
    old_id = post_file(client, draft.period, first, pdf_file("lama.pdf")).json()["files"][0]["id"]

    # when a "replacement" names it under another item
    response = post_file(client, draft.period, other, pdf_file("baru.pdf"), ganti=old_id)

    # then nothing changes
    assert response.status_code == 400
    assert Evidence.objects.filter(report=draft).count() == 1
    assert Evidence.objects.get(pk=old_id).removed_at is None


@pytest.mark.parametrize(
    "target",
    ["other_regions_requirement", "unknown_requirement", "unknown_period"],
)
def test_ids_outside_the_officers_report_are_not_found(
    tw3, actions, samarinda_only_action, client_for, officer_balikpapan, media, target
):
    # given ids that are not part of Balikpapan's report
    own = requirement_of(actions[0], tw3)
    theirs = requirement_of(samarinda_only_action, tw3)
    url = {
        "other_regions_requirement": upload_url(tw3, theirs),
        "unknown_requirement": reverse("reporting:evidence-upload", args=[tw3.pk, 999_999]),
        "unknown_period": reverse("reporting:evidence-upload", args=[999_999, own.pk]),
    }[target]

    # when Balikpapan's officer posts a file to them
    response = client_for(officer_balikpapan).post(
        url, {f"dok-{theirs.pk}-files": pdf_file("x.pdf"), f"dok-{own.pk}-files": pdf_file("y.pdf")}
    )

    # then the answer is 404 and nothing is stored
    assert response.status_code == 404
    assert not Report.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize("user", ["evaluator_kaltim", "admin_user", "anonymous"])
def test_only_officers_may_store_files(draft, actions, client_for, request, user, media):
    # given Balikpapan's draft and someone who is not an officer
    requirement = requirement_of(actions[0], draft.period)
    member = request.getfixturevalue(user)

    # when they post a file to its item
    response = post_file(client_for(member), draft.period, requirement, pdf_file("x.pdf"))

    # then it is refused (anonymous: to the login page) and nothing is stored
    assert response.status_code == (302 if user == "anonymous" else 403)
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_an_officer_always_stores_into_its_own_regions_draft(
    draft, actions, samarinda, client_for, officer_samarinda
):
    # given an item that Balikpapan and Samarinda both report, and Balikpapan's draft
    requirement = requirement_of(actions[0], draft.period)

    # when Samarinda's officer posts a file to the same address
    response = post_file(
        client_for(officer_samarinda), draft.period, requirement, pdf_file("s.pdf")
    )

    # then it lands in Samarinda's report, never in Balikpapan's
    assert response.status_code == 201
    assert not Evidence.objects.filter(report=draft).exists()
    assert Evidence.objects.get().report.region == samarinda


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("skrip.pdf", b"#!/bin/sh\nrm -rf /\n", "skrip.pdf: Jenis berkas tidak diizinkan"),
        ("rusak.pdf", b"%PDF-1.7\n" + b"garbage " * 200, "rusak.pdf: Berkas bukan PDF yang sah."),
        ("kosong.pdf", b"", "Berkas kosong."),
    ],
)
def test_a_hostile_file_is_refused_with_its_message_and_nothing_is_stored(
    tw3, actions, client_for, officer_balikpapan, media, name, content, message
):
    # given an item of Balikpapan's report, not started yet
    requirement = requirement_of(actions[0], tw3)

    # when a hostile file is sent
    response = post_file(
        client_for(officer_balikpapan),
        tw3,
        requirement,
        SimpleUploadedFile(name, content, "application/pdf"),
    )

    # then the answer names the reason, and no report, row or file was made
    assert response.status_code == 400
    assert any(message in error for error in response.json()["errors"])
    assert not Report.objects.exists()
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_an_oversize_file_is_refused_while_it_streams_in(
    draft, actions, client_for, officer_balikpapan, media, settings
):
    # given a limit of 1 KB and a larger, otherwise valid PDF
    settings.EVIDENCE_MAX_BYTES = 1024
    requirement = requirement_of(actions[0], draft.period)
    content = make_pdf("besar " + "x" * 2000)
    assert len(content) > 1024

    # when it is sent
    response = post_file(
        client_for(officer_balikpapan),
        draft.period,
        requirement,
        SimpleUploadedFile("besar.pdf", content, "application/pdf"),
    )

    # then it is refused with the limit named and nothing stored
    assert response.status_code == 400
    assert "besar.pdf: Ukuran berkas melebihi batas 1 KB." in response.json()["errors"]
    assert stored_files(media) == []


def test_files_are_refused_once_the_report_is_submitted(
    complete_draft, actions, client_for, officer_balikpapan, media
):
    # given the report was sent
    submit_report(complete_draft, by=officer_balikpapan, now=ON_TIME)
    requirement = requirement_of(actions[0], complete_draft.period)
    before = stored_files(media)

    # when a file is posted to it
    response = post_file(
        client_for(officer_balikpapan), complete_draft.period, requirement, pdf_file("telat.pdf")
    )

    # then it is refused with a message and nothing is added
    assert response.status_code == 409
    assert "sudah dikirim" in response.json()["errors"][0]
    assert not Evidence.objects.filter(original_name="telat.pdf").exists()
    assert stored_files(media) == before


def test_the_csrf_token_is_required(draft, actions, officer_balikpapan, media):
    # given a client that checks CSRF as a browser's requests are checked
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_balikpapan)
    requirement = requirement_of(actions[0], draft.period)

    # when a file is posted without the token
    response = post_file(client, draft.period, requirement, pdf_file("x.pdf"))

    # then it is refused and nothing is stored
    assert response.status_code == 403
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_a_get_is_not_allowed(draft, actions, client_for, officer_balikpapan):
    requirement = requirement_of(actions[0], draft.period)

    response = client_for(officer_balikpapan).get(upload_url(draft.period, requirement))

    assert response.status_code == 405


def test_the_form_offers_the_upload_address_and_a_replace_control_per_file(
    draft, actions, client_for, officer_balikpapan
):
    # given a stored file
    requirement = requirement_of(actions[0], draft.period)
    client = client_for(officer_balikpapan)
    post_file(client, draft.period, requirement, pdf_file("sk.pdf"))

    # when the form is opened
    page = client.get(reverse("reporting:report-edit", args=[draft.period.pk])).content.decode()

    # then the item says where its files go, and the file has its "Ganti" control
    assert f'data-upload-url="{upload_url(draft.period, requirement)}"' in page
    assert "data-replace" in page
    assert "js/evidence-upload.js" in page
