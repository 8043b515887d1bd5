"""Quotas live in the service every door calls: the upload-as-you-choose endpoint keeps them
exactly as the report form does."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reporting.models import Evidence
from reporting.services import QuotaExceeded, start_report, store_evidence
from tests.reporting.conftest import add_evidence_rows, inspected, make_pdf
from tests.security.conftest import first_requirement, footprint

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def pdf(name):
    return SimpleUploadedFile(name, make_pdf(name), content_type="application/pdf")


def upload(client, period, requirement, *files):
    return client.post(
        reverse("reporting:evidence-upload", args=[period.pk, requirement.pk]),
        {f"dok-{requirement.pk}-files": list(files)},
        **JSON,
    )


@pytest.fixture
def officer(client_for, officer_balikpapan, actions, open_period):
    return client_for(officer_balikpapan)


def test_the_upload_endpoint_refuses_an_eleventh_file_on_one_item(
    officer, officer_balikpapan, open_period, media
):
    # given an item that already holds the ten files it may hold
    requirement = first_requirement(officer_balikpapan.region, open_period)
    report = start_report(officer_balikpapan.region, open_period, by=officer_balikpapan)
    add_evidence_rows(report, requirement, 10, by=officer_balikpapan)
    before = footprint(media)

    # when one more is chosen
    response = upload(officer, open_period, requirement, pdf("kesebelas.pdf"))

    # then it is refused with the form's message and nothing is stored
    assert response.status_code == 400
    assert "paling banyak memuat 10 berkas" in " ".join(response.json()["errors"])
    assert footprint(media) == before


def test_the_upload_endpoint_keeps_the_files_per_report_quota(
    officer, officer_balikpapan, open_period, media, settings
):
    settings.EVIDENCE_MAX_FILES_PER_REPORT = 3
    region = officer_balikpapan.region
    report = start_report(region, open_period, by=officer_balikpapan)
    requirement = first_requirement(region, open_period)
    add_evidence_rows(report, requirement, 3, by=officer_balikpapan)

    response = upload(officer, open_period, requirement, pdf("keempat.pdf"))

    assert response.status_code == 400
    assert "Satu laporan paling banyak memuat 3 berkas" in " ".join(response.json()["errors"])
    assert Evidence.objects.count() == 3


def test_the_upload_endpoint_keeps_the_bytes_per_report_quota(
    officer, officer_balikpapan, open_period, media, settings
):
    # given a report whose files already come to 99.99 MB of its 100 MB
    region = officer_balikpapan.region
    report = start_report(region, open_period, by=officer_balikpapan)
    requirement = first_requirement(region, open_period)
    add_evidence_rows(report, requirement, 3, by=officer_balikpapan)
    Evidence.objects.update(size=(100 * 1024 * 1024 - 1000) // 3)

    response = upload(officer, open_period, requirement, pdf("besar.pdf"), pdf("lagi.pdf"))

    assert response.status_code == 400
    assert Evidence.objects.count() == 3
    assert footprint(media)["files"] == []


def test_a_batch_that_would_pass_the_quota_stores_none_of_its_files(
    officer, officer_balikpapan, open_period, media
):
    region = officer_balikpapan.region
    report = start_report(region, open_period, by=officer_balikpapan)
    requirement = first_requirement(region, open_period)
    add_evidence_rows(report, requirement, 9, by=officer_balikpapan)

    response = upload(officer, open_period, requirement, pdf("a.pdf"), pdf("b.pdf"))

    assert response.status_code == 400
    assert Evidence.objects.count() == 9


def test_the_service_itself_refuses_past_the_quota_whoever_calls_it(
    officer_balikpapan, actions, open_period, media
):
    region = officer_balikpapan.region
    report = start_report(region, open_period, by=officer_balikpapan)
    requirement = first_requirement(region, open_period)
    add_evidence_rows(report, requirement, 10, by=officer_balikpapan)

    with pytest.raises(QuotaExceeded):
        store_evidence(report, requirement.pk, inspected(pdf("x.pdf")), by=officer_balikpapan)
    assert Evidence.objects.count() == 10


def test_a_replacement_on_a_full_item_is_still_allowed(
    officer, officer_balikpapan, open_period, media
):
    region = officer_balikpapan.region
    report = start_report(region, open_period, by=officer_balikpapan)
    requirement = first_requirement(region, open_period)
    add_evidence_rows(report, requirement, 10, by=officer_balikpapan)
    old = Evidence.objects.first()

    response = officer.post(
        reverse("reporting:evidence-upload", args=[open_period.pk, requirement.pk]),
        {f"dok-{requirement.pk}-files": pdf("ganti.pdf"), "ganti": old.pk},
        **JSON,
    )

    assert response.status_code == 201
    assert Evidence.objects.filter(removed_at__isnull=True).count() == 10
