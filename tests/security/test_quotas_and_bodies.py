"""Quotas per item, per report and per request; bodies refused before they are read."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reporting.models import Evidence
from reporting.requirements import report_requirements
from reporting.services import DraftChanges, QuotaExceeded, save_draft
from tests.reporting.conftest import add_evidence_rows, inspected, make_pdf
from tests.security.conftest import edit_url, files_field, first_requirement, footprint, payload

pytestmark = pytest.mark.django_db


def pdfs(count, prefix="sk"):
    return [
        SimpleUploadedFile(f"{prefix}-{n}.pdf", make_pdf(f"{prefix}-{n}"), "application/pdf")
        for n in range(count)
    ]


@pytest.fixture
def officer(client_for, officer_balikpapan, actions, open_period):
    return client_for(officer_balikpapan)


def post(client, region, period, files_by_requirement):
    data = payload(region, period)
    for requirement, files in files_by_requirement.items():
        data[files_field(requirement)] = files
    return client.post(edit_url(period), data)


def test_more_files_on_one_item_than_its_quota_are_refused_and_none_stored(
    officer, officer_balikpapan, open_period, media, settings
):
    settings.EVIDENCE_MAX_FILES_PER_ITEM = 3
    requirement = first_requirement(officer_balikpapan.region, open_period)
    before = footprint(media)

    response = post(officer, officer_balikpapan.region, open_period, {requirement: pdfs(4)})

    assert "paling banyak memuat 3 berkas" in response.content.decode()
    assert footprint(media)["evidence"] == before["evidence"] == 0
    assert footprint(media)["files"] == []


def test_files_kept_on_an_item_count_towards_its_quota(
    officer, officer_balikpapan, open_period, media, settings
):
    # given an item that already holds two files, of at most three
    settings.EVIDENCE_MAX_FILES_PER_ITEM = 3
    requirement = first_requirement(officer_balikpapan.region, open_period)
    post(officer, officer_balikpapan.region, open_period, {requirement: pdfs(2, "lama")})
    assert Evidence.objects.count() == 2
    stored = footprint(media)["files"]
    revision = Evidence.objects.get(original_name="lama-0.pdf").report.revision

    # when two more are sent
    data = payload(officer_balikpapan.region, open_period, revision=revision)
    data[files_field(requirement)] = pdfs(2, "baru")
    response = officer.post(edit_url(open_period), data)

    # then none of them is kept
    assert "paling banyak memuat 3 berkas" in response.content.decode()
    assert Evidence.objects.count() == 2
    assert footprint(media)["files"] == stored


def test_more_bytes_on_one_item_than_its_quota_are_refused(
    officer, officer_balikpapan, open_period, media, settings
):
    settings.EVIDENCE_MAX_BYTES_PER_ITEM = 1000
    requirement = first_requirement(officer_balikpapan.region, open_period)

    response = post(officer, officer_balikpapan.region, open_period, {requirement: pdfs(3)})

    assert "paling banyak berjumlah 1000 B" in response.content.decode()
    assert Evidence.objects.count() == 0
    assert footprint(media)["files"] == []


def test_more_files_on_a_report_than_its_quota_are_refused(
    officer, officer_balikpapan, open_period, media, settings
):
    settings.EVIDENCE_MAX_FILES_PER_REPORT = 3
    blocks = report_requirements(officer_balikpapan.region, open_period)
    first, second = blocks[0].requirements[0], blocks[1].requirements[0]

    response = post(
        officer, officer_balikpapan.region, open_period, {first: pdfs(2, "a"), second: pdfs(2, "b")}
    )

    assert "Satu laporan paling banyak memuat 3 berkas" in response.content.decode()
    assert Evidence.objects.count() == 0
    assert footprint(media)["files"] == []


def test_the_save_service_refuses_a_report_over_its_byte_quota_and_writes_no_file(
    draft, officer_balikpapan, media, settings
):
    # given a report whose kept files already use most of its quota
    settings.EVIDENCE_MAX_BYTES_PER_REPORT = 4200
    requirement = first_requirement(draft.region, draft.period)
    add_evidence_rows(draft, requirement, 4, by=officer_balikpapan)  # 4 x ~1000 bytes
    upload = inspected(SimpleUploadedFile("sk.pdf", make_pdf("x"), "application/pdf"))
    changes = DraftChanges(revision=draft.revision, uploads=[(requirement.pk, upload)])

    # when / then
    with pytest.raises(QuotaExceeded):
        save_draft(draft, changes, by=officer_balikpapan)
    assert Evidence.objects.filter(report=draft).count() == 4
    assert footprint(media)["files"] == []


def test_removing_files_in_the_same_save_makes_room(draft, officer_balikpapan, media, settings):
    settings.EVIDENCE_MAX_FILES_PER_ITEM = 2
    requirement = first_requirement(draft.region, draft.period)
    add_evidence_rows(draft, requirement, 2, by=officer_balikpapan)
    old = Evidence.objects.filter(report=draft).first()
    upload = inspected(SimpleUploadedFile("sk.pdf", make_pdf("x"), "application/pdf"))
    changes = DraftChanges(
        revision=draft.revision, uploads=[(requirement.pk, upload)], removals={old.pk}
    )

    save_draft(draft, changes, by=officer_balikpapan)

    assert Evidence.objects.filter(report=draft, removed_at__isnull=True).count() == 2


def test_files_past_the_request_limit_are_dropped_with_a_message(
    officer, officer_balikpapan, open_period, media, settings
):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 50  # Django's own refusal stays out of the way
    settings.EVIDENCE_MAX_BYTES_PER_REPORT = 1000  # two PDFs of 448 bytes fit, a third not
    requirement = first_requirement(officer_balikpapan.region, open_period)

    response = post(officer, officer_balikpapan.region, open_period, {requirement: pdfs(3)})

    assert "satu kali simpan paling banyak" in response.content.decode()
    assert Evidence.objects.count() == 0
    assert footprint(media)["files"] == []


def test_a_request_with_more_files_than_django_allows_answers_400(
    officer, officer_balikpapan, open_period, media, settings
):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 5
    requirement = first_requirement(officer_balikpapan.region, open_period)

    response = post(officer, officer_balikpapan.region, open_period, {requirement: pdfs(6)})

    assert response.status_code == 400
    assert Evidence.objects.count() == 0
    assert footprint(media)["files"] == []


def test_a_report_body_declared_over_the_bound_is_refused_413_before_reading(
    officer, officer_balikpapan, open_period, media
):
    # given a declared body far over the report's quota, and a body that is not even there
    url = edit_url(open_period)

    # when
    response = officer.generic(
        "POST",
        url,
        b"",
        content_type="multipart/form-data; boundary=x",
        headers={"content-length": str(500 * 1024 * 1024)},
    )

    # then
    assert response.status_code == 413
    assert "Kiriman terlalu besar" in response.content.decode()
    assert footprint(media)["reports"] == 0


def test_the_public_check_refuses_a_body_over_one_pdf_413_before_reading(client, regions):
    # given the 113 MB body of the attack report (only its declared length is sent)
    url = reverse("piagam:lookup") + "?nomor=001/PIAGAM-HAM/KALTIM/2025"

    # when
    response = client.generic(
        "POST",
        url,
        b"",
        content_type="multipart/form-data; boundary=x",
        headers={"content-length": str(113 * 1024 * 1024)},
    )

    # then
    assert response.status_code == 413
    assert 'data-testid="too-large"' in response.content.decode()


def test_the_public_check_of_a_qr_token_refuses_a_big_body_too(client, regions):
    response = client.generic(
        "POST",
        reverse("piagam:verify", args=["abc"]),
        b"",
        content_type="multipart/form-data; boundary=x",
        headers={"content-length": str(20 * 1024 * 1024)},
    )

    assert response.status_code == 413
