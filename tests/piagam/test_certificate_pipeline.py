"""Piagam through the real pipeline: issue in a transaction, a real Celery worker renders."""

import datetime
import hashlib
import io

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from pypdf import PdfReader

from piagam.models import Certificate, CertificateStatus
from piagam.services import issue_batch
from piagam.tasks import render_certificate, sweep_stuck
from tests.support import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def issue(cycle, kanwil, admin):
    # on_commit callbacks run here, as after a web request: the tasks go to the real broker.
    return issue_batch(
        cycle, kanwil, by=admin, place="Balikpapan", issued_on=datetime.date(2025, 12, 10)
    )


def issued(certificate):
    def done():
        certificate.refresh_from_db()
        return certificate.status in (CertificateStatus.ISSUED, CertificateStatus.FAILED)

    # Generous: the worker shares the machine with the browser tests of a parallel run.
    assert wait_for(done, timeout=150), "the worker did not finish the piagam"
    return certificate


def test_worker_renders_balikpapans_piagam_as_the_real_one_reads(
    awarded_kaltim_2025, kanwil_kaltim, admin_user
):
    batch = issue(awarded_kaltim_2025, kanwil_kaltim, admin_user)

    certificate = issued(batch.certificates.get())

    assert certificate.status == CertificateStatus.ISSUED, certificate.error
    assert certificate.number == "001/PIAGAM-HAM/KALTIM/2025"
    assert certificate.categories == ["terbaik", "tercepat", "paling_responsif"]
    with default_storage.open(certificate.pdf.name, "rb") as handle:
        pdf = handle.read()
    assert hashlib.sha256(pdf).hexdigest() == certificate.sha256
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Pemerintah Kota Balikpapan" in text
    assert "001/PIAGAM-HAM/KALTIM/2025" in text
    assert "terbaik, tercepat, dan paling responsif Tahun 2025" in text
    assert "Balikpapan, 10 Desember 2025" in text
    assert "SPESIMEN" in text  # the demo Kanwil's head is an example, so is the piagam


def test_the_same_certificate_enqueued_again_gives_one_pdf_and_one_number(
    awarded_kaltim_2025, kanwil_kaltim, admin_user, celery_worker_process
):
    certificate = issued(issue(awarded_kaltim_2025, kanwil_kaltim, admin_user).certificates.get())
    first_sha, first_pdf = certificate.sha256, certificate.pdf.name

    render_certificate.delay(certificate.pk)
    render_certificate.delay(certificate.pk)
    again = issue(awarded_kaltim_2025, kanwil_kaltim, admin_user)

    assert wait_for(lambda: celery_worker_process.log.read_text().count("skipped") >= 2)
    certificate.refresh_from_db()
    assert (certificate.sha256, certificate.pdf.name, certificate.attempts) == (
        first_sha,
        first_pdf,
        1,
    )
    assert again.certificates.count() == 0
    assert Certificate.objects.count() == 1
    # A second render would have been stored beside the first under a suffixed name.
    stored = (celery_worker_process.media_root / "piagam" / "2025").glob(f"{certificate.token}*")
    assert [path.name for path in stored] == [f"{certificate.token}.pdf"]


def test_the_sweep_rescues_a_piagam_whose_worker_died_while_rendering(
    awarded_kaltim_2025, kanwil_kaltim, admin_user
):
    certificate = issued(issue(awarded_kaltim_2025, kanwil_kaltim, admin_user).certificates.get())
    # As if a worker claimed it ten minutes ago and was killed before storing the PDF.
    Certificate.objects.filter(pk=certificate.pk).update(
        status=CertificateStatus.RENDERING,
        sha256="",
        pdf="",
        claimed_at=timezone.now() - datetime.timedelta(minutes=10),
    )

    rescued = sweep_stuck(
        pending_after=datetime.timedelta(minutes=2), rendering_after=datetime.timedelta(minutes=5)
    )

    assert rescued == [certificate.pk]
    certificate = issued(certificate)
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.sha256 and certificate.attempts == 2
