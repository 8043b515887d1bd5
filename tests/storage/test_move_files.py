"""Moving existing files into the bucket and back: every hash checked, resumable."""

import hashlib
import io

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command

from reporting.models import Evidence
from tests.reporting.conftest import add_evidence_rows, requirement_of
from tests.storage.conftest import new_bucket

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_files(settings, tmp_path, tw3, actions, balikpapan, officer_balikpapan):
    """Three evidence files on local disk, as a portal that ran without a bucket has them."""
    from reporting.services import start_report

    settings.MEDIA_ROOT = tmp_path / "media"
    report = start_report(balikpapan, tw3, by=officer_balikpapan)
    requirement = requirement_of(actions[0], tw3)
    add_evidence_rows(report, requirement, 3, by=officer_balikpapan, content_key="uji")
    local = FileSystemStorage(location=settings.MEDIA_ROOT)
    for index, row in enumerate(Evidence.objects.order_by("file")):
        local.save(row.file.name, io.BytesIO(f"uji-{index}".encode()))
    return local


@pytest.fixture
def target_bucket(s3_endpoint, settings):
    from ranham_portal.settings import object_storage

    bucket = new_bucket(s3_endpoint)
    settings.OBJECT_STORAGE = object_storage({"STORAGE_URL": bucket.url})
    return bucket


def move(*args):
    out = io.StringIO()
    call_command("move_files", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_local_files_go_into_the_bucket_with_their_hashes_and_a_second_run_skips_them(
    local_files, target_bucket
):
    rows = list(Evidence.objects.order_by("file"))

    first = move("--to-bucket")
    second = move("--to-bucket")

    assert "copied 3, already there 0" in first
    assert "copied 0, already there 3" in second
    assert target_bucket.keys() == [row.file.name for row in rows]
    for row in rows:
        assert hashlib.sha256(target_bucket.get(row.file.name)).hexdigest() == row.sha256


def test_a_stopped_run_resumes_and_replaces_a_partial_object(local_files, target_bucket):
    rows = list(Evidence.objects.order_by("file"))
    target_bucket.put(rows[0].file.name, b"%PDF-half")  # cut off mid-way last time

    output = move("--to-bucket")

    assert "copied 3, already there 0" in output
    assert hashlib.sha256(target_bucket.get(rows[0].file.name)).hexdigest() == rows[0].sha256


def test_files_come_back_from_the_bucket_to_local_disk(local_files, target_bucket, settings):
    move("--to-bucket")
    for name in [row.file.name for row in Evidence.objects.all()]:
        local_files.delete(name)

    output = move("--to-local")

    assert "copied 3" in output
    for row in Evidence.objects.all():
        with local_files.open(row.file.name) as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == row.sha256


def test_a_file_whose_bytes_differ_from_its_row_is_reported_and_not_copied(
    local_files, target_bucket
):
    row = Evidence.objects.order_by("file").first()
    local_files.delete(row.file.name)
    local_files.save(row.file.name, io.BytesIO(b"%PDF-tampered"))

    with pytest.raises(CommandError):
        move("--to-bucket")

    assert row.file.name not in target_bucket.keys()
    assert len(target_bucket.keys()) == 2


def test_without_a_bucket_configured_the_command_says_so(local_files, settings):
    settings.OBJECT_STORAGE = None

    with pytest.raises(CommandError, match="STORAGE_URL"):
        move("--to-bucket")
