"""Hostile evidence files: refused with a message, nothing kept in the database or on disk."""

import resource
import time
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reporting.models import Evidence
from reporting.uploads import UploadRejected, inspect_upload
from tests.security.conftest import (
    ACTIVE_PDFS,
    edit_url,
    files_field,
    first_requirement,
    footprint,
    inflating_pdf,
    jpeg_declaring,
    payload,
    pdf_bytes,
    png_of_zeros,
    small_jpeg,
)

pytestmark = pytest.mark.django_db

ACTIVE = "Berkas PDF memuat konten aktif"
INFLATES = "Berkas PDF memuat data terkompresi yang mengembang"


def refusal(name, content):
    with pytest.raises(UploadRejected) as caught:
        inspect_upload(SimpleUploadedFile(name, content))
    return caught.value


@pytest.fixture
def officer(client_for, officer_balikpapan, actions, open_period):
    return client_for(officer_balikpapan)


def post_files(client, officer_balikpapan, period, files):
    requirement = first_requirement(officer_balikpapan.region, period)
    data = payload(officer_balikpapan.region, period)
    data[files_field(requirement)] = files
    return client.post(edit_url(period), data)


def assert_refused_and_nothing_kept(response, media, before, message):
    assert response.status_code == 200
    assert message in response.content.decode()
    after = footprint(media)
    assert after["evidence"] == before["evidence"]
    assert after["files"] == before["files"] == []


# --- images that cost --------------------------------------------------------------------


def test_a_9400_pixel_square_png_is_refused_from_its_header_in_under_50_ms_without_growth():
    # given the PNG of 9400x9400 pixels from the attack report (88 megapixels, all zero),
    # and a process that has inspected an image before, as a running web worker has
    content = png_of_zeros(9400, 9400)
    inspect_upload(SimpleUploadedFile("klein.jpg", small_jpeg()))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    # when it is inspected as the web process would
    started = time.perf_counter()
    with pytest.raises(UploadRejected) as caught:
        inspect_upload(SimpleUploadedFile("bom.png", content))
    elapsed = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    with pytest.raises(UploadRejected):
        inspect_upload(SimpleUploadedFile("bom.png", content))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    # then it is refused before a pixel is decoded: fast, and no memory to speak of
    assert caught.value.code == "evidence_image_too_large"
    assert "40 megapiksel" in caught.value.messages[0]
    print(f"9400x9400 PNG refused in {elapsed * 1000:.1f} ms, peak {peak / 1024:.0f} KiB")
    assert elapsed < 0.050
    assert peak < 2 * 1024 * 1024  # the file is read once in 64 KiB chunks
    assert rss_after - rss_before < 20 * 1024  # KiB; decoding would add about 250 MB


@pytest.mark.parametrize(
    ("size", "code"),
    [
        pytest.param((9000, 9000), "evidence_image_too_large", id="81-megapixels"),
        pytest.param((6000, 6000), "evidence_truncated_image", id="36-megapixels-no-data"),
    ],
)
def test_a_tiny_jpeg_declaring_a_huge_frame_is_refused(size, code):
    # given a JPEG of under a kilobyte whose header declares millions of pixels
    content = jpeg_declaring(*size)
    assert len(content) < 1024

    # when / then: refused without a decode the browser would later repeat
    started = time.perf_counter()
    assert refusal("foto.jpg", content).code == code
    assert time.perf_counter() - started < 0.050


def test_an_image_over_a_lower_configured_pixel_limit_is_refused(settings):
    settings.EVIDENCE_MAX_PIXELS = 1_000_000

    error = refusal("foto.jpg", small_jpeg((1200, 1000)))

    assert error.code == "evidence_image_too_large"
    assert "1 megapiksel" in error.messages[0]


def test_a_png_of_many_pixels_with_its_data_cut_off_is_refused():
    content = png_of_zeros(3000, 3000, rows_of_zeros=False)

    assert refusal("scan.png", content).code == "evidence_invalid_image"


def test_a_pixel_bomb_through_the_form_stores_nothing(
    officer, officer_balikpapan, open_period, media
):
    before = footprint(media)

    response = post_files(
        officer,
        officer_balikpapan,
        open_period,
        [SimpleUploadedFile("bom.png", png_of_zeros(9400, 9400), "image/png")],
    )

    assert_refused_and_nothing_kept(response, media, before, "Resolusi gambar terlalu besar")


# --- PDFs with active content or inflation -------------------------------------------------


@pytest.mark.parametrize("build", list(ACTIVE_PDFS.values()), ids=list(ACTIVE_PDFS))
def test_a_pdf_with_active_content_is_refused_with_a_clear_message(build):
    error = refusal("laporan.pdf", pdf_bytes(build))

    assert error.code == "evidence_pdf_active"
    assert error.messages[0].startswith(ACTIVE)


@pytest.mark.parametrize("kind", ["open-action-javascript", "embedded-file"])
def test_an_active_pdf_through_the_form_stores_nothing(
    officer, officer_balikpapan, open_period, media, kind
):
    before = footprint(media)

    response = post_files(
        officer,
        officer_balikpapan,
        open_period,
        [SimpleUploadedFile("sk.pdf", pdf_bytes(ACTIVE_PDFS[kind]), "application/pdf")],
    )

    assert_refused_and_nothing_kept(response, media, before, ACTIVE)


def test_a_pdf_opening_on_a_page_is_not_active_content():
    # given an ordinary PDF whose OpenAction is a destination, as office suites write
    from pypdf.generic import ArrayObject, NameObject

    def build(writer):
        page = writer.pages[0].indirect_reference
        writer._root_object[NameObject("/OpenAction")] = ArrayObject([page, NameObject("/Fit")])

    # when / then
    assert inspect_upload(SimpleUploadedFile("sk.pdf", pdf_bytes(build))).content_type == (
        "application/pdf"
    )


def test_a_pdf_whose_stream_inflates_far_beyond_the_file_is_refused_early():
    # given a PDF under a megabyte whose page stream inflates to 64 MB
    content = inflating_pdf(64 * 1024 * 1024)
    assert len(content) < 1024 * 1024

    # when
    tracemalloc.start()
    started = time.perf_counter()
    error = refusal("laporan.pdf", content)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    # then it stops at the bound instead of inflating everything
    assert error.code == "evidence_pdf_inflation"
    assert error.messages[0].startswith(INFLATES)
    assert peak < 40 * 1024 * 1024
    assert elapsed < 3


def test_an_inflating_pdf_through_the_form_stores_nothing(
    officer, officer_balikpapan, open_period, media
):
    before = footprint(media)

    response = post_files(
        officer,
        officer_balikpapan,
        open_period,
        [SimpleUploadedFile("sk.pdf", inflating_pdf(64 * 1024 * 1024), "application/pdf")],
    )

    assert_refused_and_nothing_kept(response, media, before, INFLATES)


# --- disguised files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("laporan.pdf", b"\x7fELF\x02\x01\x01\x00" + bytes(120), id="elf-as-pdf"),
        pytest.param("foto.jpg", b"MZ\x90\x00\x03\x00" + b"This program" + bytes(64), id="exe-jpg"),
        pytest.param("scan.png", b"#!/bin/sh\nrm -rf /\n", id="script-as-png"),
        pytest.param("sk.pdf", b"<html><script>alert(1)</script></html>", id="html-as-pdf"),
        pytest.param(
            "logo.png",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            id="svg-as-png",
        ),
        pytest.param("arsip.pdf", b"PK\x03\x04" + bytes(60), id="zip-as-pdf"),
        pytest.param("foto.gif", b"GIF89a\x01\x00\x01\x00" + bytes(30), id="gif-not-allowed"),
    ],
)
def test_a_disguised_file_is_refused_by_its_content(name, content):
    assert refusal(name, content).code in ("evidence_type", "evidence_invalid_pdf")


def test_a_disguised_executable_through_the_form_stores_nothing(
    officer, officer_balikpapan, open_period, media
):
    before = footprint(media)

    response = post_files(
        officer,
        officer_balikpapan,
        open_period,
        [SimpleUploadedFile("laporan.pdf", b"MZ\x90\x00" + bytes(200), "application/pdf")],
    )

    assert_refused_and_nothing_kept(response, media, before, "Jenis berkas tidak diizinkan")


def test_an_oversized_file_is_dropped_while_streaming_and_nothing_is_kept(
    officer, officer_balikpapan, open_period, media, settings
):
    settings.EVIDENCE_MAX_BYTES = 64 * 1024
    before = footprint(media)

    response = post_files(
        officer,
        officer_balikpapan,
        open_period,
        [SimpleUploadedFile("besar.pdf", pdf_bytes() + bytes(128 * 1024), "application/pdf")],
    )

    assert_refused_and_nothing_kept(response, media, before, "Ukuran berkas melebihi batas")


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        pytest.param("laporan.html", "laporan.pdf", id="html-named-pdf"),
        pytest.param("laporan\u202efdp.exe", "laporanfdp.pdf", id="right-to-left-override"),
        pytest.param("lap\u2066oran\u2069.pdf.exe", "laporan.pdf.pdf", id="isolates"),
        pytest.param("\u200fsk\u200e.pdf", "sk.pdf", id="direction-marks"),
        pytest.param("notulen", "notulen.pdf", id="no-extension"),
        pytest.param("SK TIM.PDF", "SK TIM.PDF", id="own-extension-kept"),
        pytest.param("..\\..\\x.svg", "x.pdf", id="path-and-svg"),
    ],
)
def test_the_display_name_takes_the_verified_extension_and_loses_bidi_characters(name, shown):
    upload = SimpleUploadedFile("x", pdf_bytes(tail=b"<html><script>alert(1)</script></html>"))
    upload.name = name  # after construction: Django would clean it

    assert inspect_upload(upload).original_name == shown


def test_a_pdf_named_html_is_stored_and_served_as_a_pdf_in_a_sandbox(
    officer, officer_balikpapan, open_period, media
):
    # given a valid PDF with HTML after its end, uploaded as laporan.html
    content = pdf_bytes(tail=b"<html><script>alert(document.cookie)</script></html>")

    # when
    post_files(
        officer,
        officer_balikpapan,
        open_period,
        [SimpleUploadedFile("laporan.html", content, "text/html")],
    )
    evidence = Evidence.objects.get()
    response = officer.get(f"/laporan/data-dukung/{evidence.pk}/?unduh=1")

    # then it is a PDF by every name and header
    assert evidence.original_name == "laporan.pdf"
    assert evidence.file.name.endswith(".pdf")
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="laporan.pdf"' in response["Content-Disposition"]
    directives = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert directives[0] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_the_refusal_of_an_active_pdf_reads_in_english_too():
    from django.utils import translation

    with translation.override("en"):
        error = refusal("laporan.pdf", pdf_bytes(ACTIVE_PDFS["open-action-javascript"]))

        assert error.messages[0].startswith("The PDF contains active content")
