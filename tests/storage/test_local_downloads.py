"""Local files: nginx sends them when SENDFILE_NGINX is set, else Python streams them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import storage
from reporting.models import Evidence
from tests.reporting.conftest import make_pdf, requirement_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence(settings, tmp_path, tw3, actions, client_for, officer_balikpapan):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_ALLOWED_TYPES = ["application/pdf"]
    requirement = requirement_of(actions[0], tw3)
    client_for(officer_balikpapan).post(
        reverse("reporting:evidence-upload", args=[tw3.pk, requirement.pk]),
        {
            f"dok-{requirement.pk}-files": SimpleUploadedFile(
                "SK Tim.pdf", make_pdf("sk"), "application/pdf"
            )
        },
        HTTP_ACCEPT="application/json",
    )
    return Evidence.objects.get()


def test_with_nginx_the_answer_is_an_internal_redirect_with_the_files_name_and_type(
    evidence, settings, client_for, officer_balikpapan
):
    settings.SENDFILE_NGINX = True

    answer = client_for(officer_balikpapan).get(
        reverse("reporting:evidence-file", args=[evidence.pk]) + "?unduh=1"
    )

    assert answer.status_code == 200
    assert answer["X-Accel-Redirect"] == "/_berkas/" + evidence.file.name
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"].startswith("attachment")
    assert "SK Tim.pdf" in answer["Content-Disposition"]
    assert answer["Content-Security-Policy"].startswith("sandbox")
    assert answer.content == b""


def test_without_nginx_the_file_is_streamed_as_before(
    evidence, settings, client_for, officer_balikpapan
):
    settings.SENDFILE_NGINX = False

    answer = client_for(officer_balikpapan).get(
        reverse("reporting:evidence-file", args=[evidence.pk])
    )

    assert answer.status_code == 200
    assert "X-Accel-Redirect" not in answer
    assert b"".join(answer.streaming_content) == make_pdf("sk")
    assert answer["Content-Disposition"].startswith("inline")


def test_a_local_put_replaces_whole_and_leaves_no_temporary_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    storage.put("piagam/2025/a.pdf", b"first")
    storage.put("piagam/2025/a.pdf", b"second")

    assert storage.read("piagam/2025/a.pdf") == b"second"
    assert sorted(storage.walk("piagam")) == ["piagam/2025/a.pdf"]
