"""Evidence and piagam in an S3-compatible bucket (moto's real HTTP API): stored there, never
under MEDIA_ROOT, and handed out by presigned URLs that the bucket answers itself."""

import datetime
import hashlib
import urllib.request
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import storage
from piagam import rendering, tasks
from piagam.models import CertificateBatch, CertificateStatus
from piagam.services import revoke
from reporting.models import Evidence
from tests.reporting.conftest import make_pdf, make_png, requirement_of
from tests.support import build_period, specimen_certificate, tiny_pdf

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
PIAGAM = tiny_pdf("piagam di bucket")


def files_under(root):
    return sorted(p.relative_to(root).as_posix() for p in Path(root).rglob("*") if p.is_file())


def upload(client, period, requirement, name, content, content_type="application/pdf", **extra):
    return client.post(
        reverse("reporting:evidence-upload", args=[period.pk, requirement.pk]),
        {f"dok-{requirement.pk}-files": SimpleUploadedFile(name, content, content_type), **extra},
        **JSON,
    )


def fetch(url):
    """What a browser gets from a presigned URL: the bucket answers, not the portal."""
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - the test's bucket
        return answer.read(), answer.headers


def test_an_upload_goes_into_the_bucket_and_its_preview_comes_from_it(
    bucket, tw3, actions, client_for, officer_balikpapan, evaluator_kaltim, settings
):
    # given the officer uploads a PDF
    requirement = requirement_of(actions[0], tw3)
    content = make_pdf("sk-tim")
    response = upload(client_for(officer_balikpapan), tw3, requirement, "SK Tim.pdf", content)

    # then it is stored in the bucket under its generated name, with its hash, not on disk
    assert response.status_code == 201
    evidence = Evidence.objects.get()
    assert bucket.keys() == [evidence.file.name]
    assert hashlib.sha256(bucket.get(evidence.file.name)).hexdigest() == evidence.sha256
    assert files_under(settings.MEDIA_ROOT) == []

    # when the evaluator previews it
    preview = client_for(evaluator_kaltim).get(
        reverse("reporting:evidence-file", args=[evidence.pk])
    )

    # then the portal answers with a presigned URL of a minute, which the bucket serves inline
    assert preview.status_code == 302
    location = preview["Location"]
    assert location.startswith(bucket.endpoint + "/" + bucket.name + "/")
    assert "X-Amz-Expires=60" in location
    body, headers = fetch(location)
    assert body == content
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith("inline")
    assert (
        "SK%20Tim.pdf" in headers["Content-Disposition"]
        or "SK Tim.pdf" in (headers["Content-Disposition"])
    )


def test_a_download_names_the_file_with_its_sniffed_type_as_an_attachment(
    bucket, tw3, actions, client_for, officer_balikpapan
):
    # given an image uploaded under a misleading declared type
    requirement = requirement_of(actions[0], tw3)
    client = client_for(officer_balikpapan)
    upload(client, tw3, requirement, "foto.png", make_png(3), content_type="application/pdf")
    evidence = Evidence.objects.get()

    # when it is downloaded
    answer = client.get(reverse("reporting:evidence-file", args=[evidence.pk]) + "?unduh=1")

    # then the bucket sends it as an attachment with the type sniffed on upload
    body, headers = fetch(answer["Location"])
    assert body == make_png(3)
    assert headers["Content-Type"] == "image/png"
    assert headers["Content-Disposition"].startswith("attachment")
    assert "foto.png" in headers["Content-Disposition"]


def test_a_replaced_file_keeps_its_object_and_the_new_one_is_added(
    bucket, tw3, actions, client_for, officer_balikpapan
):
    requirement = requirement_of(actions[0], tw3)
    client = client_for(officer_balikpapan)
    upload(client, tw3, requirement, "lama.pdf", make_pdf("lama"))
    old = Evidence.objects.get()

    response = upload(client, tw3, requirement, "baru.pdf", make_pdf("baru"), ganti=old.pk)

    assert response.status_code == 201
    new = Evidence.objects.exclude(pk=old.pk).get()
    old.refresh_from_db()
    assert old.removed_at is not None
    assert bucket.keys() == sorted([old.file.name, new.file.name])
    assert bucket.get(new.file.name) == make_pdf("baru")


def test_evidence_out_of_scope_is_404_and_no_url_is_given(
    bucket, tw3, actions, client_for, officer_balikpapan, officer_samarinda
):
    requirement = requirement_of(actions[0], tw3)
    upload(client_for(officer_balikpapan), tw3, requirement, "sk.pdf", make_pdf("sk"))
    evidence = Evidence.objects.get()

    answer = client_for(officer_samarinda).get(
        reverse("reporting:evidence-file", args=[evidence.pk])
    )

    assert answer.status_code == 404
    assert "Location" not in answer


def test_a_missing_object_is_a_404_not_a_dead_link(
    bucket, tw3, actions, client_for, officer_balikpapan
):
    requirement = requirement_of(actions[0], tw3)
    client = client_for(officer_balikpapan)
    upload(client, tw3, requirement, "sk.pdf", make_pdf("sk"))
    evidence = Evidence.objects.get()
    bucket.client.delete_object(Bucket=bucket.name, Key=evidence.file.name)

    answer = client.get(reverse("reporting:evidence-file", args=[evidence.pk]))

    assert answer.status_code == 404


# --- piagam -----------------------------------------------------------------------------------


@pytest.fixture
def certificate(balikpapan, kanwil_kaltim, admin_user, monkeypatch):
    monkeypatch.setattr(rendering, "render_bytes", lambda certificate: (PIAGAM, False))
    monkeypatch.setattr(tasks.render_certificate, "apply_async", lambda *a, **k: None)
    period = build_period([balikpapan], actions=1, items_per_action=1)
    batch = CertificateBatch.objects.create(
        cycle=period.cycle,
        kanwil=kanwil_kaltim,
        place="Balikpapan",
        issued_on=datetime.date(2025, 12, 10),
        created_by=admin_user,
    )
    return specimen_certificate(batch, balikpapan)


def test_a_rendered_piagam_is_put_into_the_bucket_under_its_fixed_name_and_checked(
    bucket, certificate, settings
):
    assert tasks.render_certificate.apply(args=[certificate.pk]).get() == "issued"

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    assert bucket.keys() == [f"piagam/2025/{certificate.token}.pdf"]
    assert bucket.get(certificate.pdf.name) == PIAGAM
    assert certificate.sha256 == hashlib.sha256(PIAGAM).hexdigest()
    assert files_under(settings.MEDIA_ROOT) == []


def test_a_piagam_whose_stored_bytes_differ_is_not_issued(bucket, certificate, monkeypatch):
    # given a bucket that hands back other bytes than it was given
    monkeypatch.setattr(storage, "sha256_of", lambda name, storage=None: "0" * 64)

    outcome = tasks.render_certificate.apply(args=[certificate.pk]).get()

    certificate.refresh_from_db()
    assert outcome == "retrying"
    assert certificate.status == CertificateStatus.PENDING
    assert "SHA-256" in certificate.error


def test_the_piagam_download_is_a_presigned_url_and_stops_when_revoked(
    bucket, certificate, client_for, officer_balikpapan, admin_user
):
    tasks.render_certificate.apply(args=[certificate.pk]).get()
    url = reverse("piagam:certificate-pdf", args=[certificate.pk])

    # the officer gets the PDF from the bucket, as an attachment with its number in the name
    answer = client_for(officer_balikpapan).get(url)
    assert answer.status_code == 302
    body, headers = fetch(answer["Location"])
    assert body == PIAGAM
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith("attachment")
    assert "piagam-001-PIAGAM-HAM-KALTIM-2025.pdf" in headers["Content-Disposition"]

    # once revoked, the officer gets nothing and the admin a copy marked as revoked
    certificate.refresh_from_db()
    revoke(certificate, by=admin_user, reason="Data tidak benar")
    assert client_for(officer_balikpapan).get(url).status_code == 404
    admin_answer = client_for(admin_user).get(url)
    assert "DICABUT-piagam-001" in fetch(admin_answer["Location"])[1]["Content-Disposition"]


def test_the_hourly_cleanup_removes_old_unreferenced_objects_from_the_bucket(bucket, certificate):
    tasks.render_certificate.apply(args=[certificate.pk]).get()
    certificate.refresh_from_db()
    bucket.put("piagam/2025/stray.pdf", b"%PDF-stray")

    # nothing is an hour old yet: nothing goes
    assert rendering.remove_orphan_files(older_than=datetime.timedelta(hours=1)) == []
    # two hours later, the stray object goes and the piagam stays
    later = datetime.datetime.now(datetime.UTC).timestamp() + 7200
    removed = rendering.remove_orphan_files(older_than=datetime.timedelta(hours=1), now=later)

    assert removed == ["piagam/2025/stray.pdf"]
    assert bucket.keys() == [certificate.pdf.name]


def test_a_bucket_url_names_the_bucket_its_endpoint_region_and_keys():
    from ranham_portal.settings import object_storage

    options = object_storage(
        {"STORAGE_URL": "s3://bukti?endpoint_url=http://minio:9000&region=id-jkt&access_key=a"}
    )

    assert options["bucket_name"] == "bukti"
    assert options["endpoint_url"] == "http://minio:9000"
    assert options["region_name"] == "id-jkt"
    assert options["access_key"] == "a"
    assert options["querystring_expire"] == 60
    assert options["addressing_style"] == "path"
    assert object_storage({}) is None
    aws = object_storage({"AWS_STORAGE_BUCKET_NAME": "b", "AWS_S3_REGION_NAME": "ap-southeast-3"})
    assert (aws["bucket_name"], aws["region_name"]) == ("b", "ap-southeast-3")
    assert "endpoint_url" not in aws
