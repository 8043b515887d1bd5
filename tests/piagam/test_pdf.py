import io
import subprocess
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from piagam.pdf import (
    PiagamContent,
    PiagamRenderError,
    ResourceRefused,
    category_sentence,
    get_renderer,
    indonesian_date,
    indonesian_decimal,
    piagam_static_dir,
    render_piagam,
    render_piagam_html,
)

VERIFICATION_URL = "https://ranham.example.go.id/piagam/verifikasi/7Kq2vXh9TzR4mWcN"

CONTENT = PiagamContent(
    number="001/PIAGAM-HAM/KALTIM/2025",
    recipient="Pemerintah Kota Balikpapan",
    categories=("terbaik", "tercepat", "paling responsif"),
    year=2025,
    score=Decimal("99.00"),
    place="Balikpapan",
    issued_on=date(2025, 12, 10),
    signatory_name="Kepala Kantor Wilayah (contoh)",
    signatory_nip="000000000000000000",
    signatory_title="Kepala Kantor Wilayah Kementerian HAM Kalimantan Timur",
    issuer_name="Kantor Wilayah Kementerian HAM Kalimantan Timur",
    verification_url=VERIFICATION_URL,
    specimen=False,
)


@pytest.fixture(scope="module")
def piagam_pdf():
    return render_piagam(CONTENT)


@pytest.fixture(scope="module")
def piagam_text(piagam_pdf):
    # Line breaks fall where the layout wraps; the assertions are about words, not layout.
    return " ".join(PdfReader(io.BytesIO(piagam_pdf)).pages[0].extract_text().split())


@pytest.mark.parametrize(
    ("categories", "expected"),
    [
        (("terbaik",), "sebagai daerah dengan pelaporan Aksi HAM terbaik Tahun 2025"),
        (
            ("terbaik", "tercepat"),
            "sebagai daerah dengan pelaporan Aksi HAM terbaik dan tercepat Tahun 2025",
        ),
        (
            ("terbaik", "tercepat", "paling responsif"),
            "sebagai daerah dengan pelaporan Aksi HAM terbaik, tercepat, dan paling responsif "
            "Tahun 2025",
        ),
    ],
)
def test_category_sentence_joins_categories_the_indonesian_way(categories, expected):
    assert category_sentence(categories, 2025) == expected


def test_category_sentence_needs_a_category():
    with pytest.raises(ValueError, match="at least one"):
        category_sentence((), 2025)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 12, 10), "10 Desember 2025"),
        (date(2026, 1, 1), "1 Januari 2026"),
        (date(1945, 8, 17), "17 Agustus 1945"),
        (date(2025, 5, 2), "2 Mei 2025"),
    ],
)
def test_indonesian_date_uses_indonesian_month_names(day, expected):
    assert indonesian_date(day) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("99.00"), "99,00"),
        (Decimal("80"), "80,00"),
        (Decimal("87.455"), "87,46"),
        (Decimal("1234.5"), "1.234,50"),
    ],
)
def test_score_is_written_with_a_decimal_comma(value, expected):
    assert indonesian_decimal(value) == expected


def test_piagam_html_is_in_bahasa_indonesia():
    html = render_piagam_html(CONTENT)

    assert '<html lang="id">' in html
    assert "diberikan kepada" in html


def test_piagam_html_escapes_data_from_the_database():
    html = render_piagam_html(replace(CONTENT, recipient='Kota <img src="http://x/">'))

    assert "Kota &lt;img" in html
    assert '<img src="http://x/">' not in html


def test_piagam_shows_recipient_categories_score_place_date_and_number(piagam_text):
    assert "PIAGAM PENGHARGAAN" in piagam_text
    assert "diberikan kepada Pemerintah Kota Balikpapan" in piagam_text
    assert (
        "sebagai daerah dengan pelaporan Aksi HAM terbaik, tercepat, dan paling responsif "
        "Tahun 2025" in piagam_text
    )
    assert "dengan nilai capaian 99,00" in piagam_text
    assert "Balikpapan, 10 Desember 2025" in piagam_text
    assert "Nomor: 001/PIAGAM-HAM/KALTIM/2025" in piagam_text
    assert "Kantor Wilayah Kementerian HAM Kalimantan Timur".upper() in piagam_text


def test_piagam_shows_signatory_title_name_and_nip(piagam_text):
    assert "Kepala Kantor Wilayah Kementerian HAM Kalimantan Timur" in piagam_text
    assert "Kepala Kantor Wilayah (contoh)" in piagam_text
    assert "NIP. 000000000000000000" in piagam_text


def test_piagam_tells_how_to_verify_it(piagam_text):
    assert "Verifikasi keaslian: pindai kode QR atau buka" in piagam_text
    assert "ranham.example.go.id/piagam/verifikasi/" in piagam_text


def test_long_region_name_stays_on_one_line_of_one_page():
    name = "Pemerintah Kabupaten Kepulauan Siau Tagulandang Biaro"

    pdf = render_piagam(replace(CONTENT, recipient=name))

    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 1
    assert name in pages[0].extract_text().splitlines()


def test_piagam_is_one_a4_landscape_page(piagam_pdf):
    reader = PdfReader(io.BytesIO(piagam_pdf))

    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(842, abs=1)
    assert float(box.height) == pytest.approx(595, abs=1)


def test_piagam_declares_pdfa_3b(piagam_pdf):
    xmp = PdfReader(io.BytesIO(piagam_pdf)).xmp_metadata.stream.get_data().decode()

    assert 'pdfaid:part="3"' in xmp
    assert 'pdfaid:conformance="B"' in xmp


def test_piagam_embeds_its_fonts(piagam_pdf):
    # PDF/A forbids relying on the reader's fonts: every font must travel with the file.
    reader = PdfReader(io.BytesIO(piagam_pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]

    assert fonts
    for font in fonts.values():
        descendant = font.get_object()["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"]


def test_qr_code_opens_the_verification_url(piagam_pdf, tmp_path):
    pdf_path = tmp_path / "piagam.pdf"
    pdf_path.write_bytes(piagam_pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", pdf_path, tmp_path / "page"],
        check=True,
    )

    with Image.open(tmp_path / "page.png") as page:
        barcodes = zxingcpp.read_barcodes(page)

    assert [(b.format, b.text) for b in barcodes] == [
        (zxingcpp.BarcodeFormat.QRCode, VERIFICATION_URL)
    ]


def test_specimen_piagam_says_so(piagam_text):
    specimen = render_piagam(replace(CONTENT, specimen=True))
    text = PdfReader(io.BytesIO(specimen)).pages[0].extract_text()

    assert "SPESIMEN – CONTOH" in text
    assert "bukan piagam resmi" in text
    assert "SPESIMEN" not in piagam_text


def test_renderer_is_built_once_per_process():
    assert get_renderer() is get_renderer()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://example.com/font.woff2",
        "ftp://example.com/logo.png",
        "file:///etc/passwd",
        "file://otherhost" + str(piagam_static_dir() / "emblem.svg"),
        (piagam_static_dir() / ".." / ".." / "manage.py").as_uri(),
    ],
)
def test_fetcher_refuses_anything_but_own_static_files(url):
    with pytest.raises(ResourceRefused):
        get_renderer().fetcher(url)


def test_fetcher_serves_own_static_files_and_data_uris():
    fetcher = get_renderer().fetcher

    emblem = fetcher((piagam_static_dir() / "emblem.svg").as_uri())
    data = fetcher("data:text/plain;base64,SEFN")

    assert emblem.content_type == "image/svg+xml"
    assert b"<svg" in emblem.read()
    assert data.read() == b"HAM"


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/pixel.png", "file:///etc/passwd"])
def test_render_fails_instead_of_fetching_a_foreign_url(url):
    html = f'<html lang="id"><body><img src="{url}"></body></html>'

    with pytest.raises(PiagamRenderError) as error:
        get_renderer().html_to_pdf(html)

    assert isinstance(error.value.__cause__, ResourceRefused)
