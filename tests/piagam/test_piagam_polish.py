"""The piagam's finish: no empty NIP line, the address on one line, a specimen never "SAH"."""

import subprocess
from dataclasses import replace

import pytest

from piagam.pdf import render_piagam, render_piagam_html
from tests.piagam.test_pdf import CONTENT
from tests.piagam.test_verification import batch, make_certificate, media, verify_url

__all__ = ["batch", "media"]  # fixtures shared with the verification tests

# A real host and a token of the length the portal makes (secrets.token_urlsafe(24)).
LONG_URL = "https://aksiham.kemenham.go.id/piagam/verifikasi/Zq8_Xk2vXh9TzR4mWcN-7Kq2vXh9TzR4"


def pdf_lines(pdf, tmp_path):
    path = tmp_path / "piagam.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [line.strip() for line in text.splitlines()]


def test_a_blank_nip_prints_no_nip_line(tmp_path):
    # given a signatory without a NIP (a minister, say)
    content = replace(CONTENT, signatory_nip="")

    # when the piagam is rendered
    html = render_piagam_html(content)
    lines = pdf_lines(render_piagam(content), tmp_path)

    # then there is no empty "NIP." anywhere, and the name is still printed
    assert "NIP." not in html
    assert not any("NIP" in line for line in lines)
    assert any("Kepala Kantor Wilayah (contoh)" in line for line in lines)


def test_a_nip_is_printed_when_there_is_one(tmp_path):
    lines = pdf_lines(render_piagam(CONTENT), tmp_path)

    assert any("NIP. 000000000000000000" in line for line in lines)


def test_the_verification_address_is_printed_unbroken_on_one_line(tmp_path):
    # given a piagam with a long, realistic verification address
    content = replace(CONTENT, verification_url=LONG_URL)

    # when its text is extracted line by line
    lines = pdf_lines(render_piagam(content), tmp_path)

    # then one line holds the whole address
    assert any(LONG_URL in line for line in lines), lines


@pytest.mark.django_db
def test_a_specimen_is_shown_as_a_specimen_never_as_valid(client, batch, balikpapan, media):
    # given an issued specimen
    certificate = make_certificate(batch, balikpapan, specimen=True)

    # when the public opens its verification page
    content = client.get(verify_url(certificate)).content.decode()

    # then it says specimen, not "SAH"
    assert "SPESIMEN: bukan piagam resmi" in content
    assert 'data-status="spesimen"' in content
    assert 'data-status="sah"' not in content
    assert ">SAH<" not in content
    assert "alert-success" not in content


@pytest.mark.django_db
def test_a_real_piagam_is_still_shown_as_valid(client, batch, balikpapan, media):
    certificate = make_certificate(batch, balikpapan, specimen=False)

    content = client.get(verify_url(certificate)).content.decode()

    assert 'data-status="sah"' in content
    assert "SPESIMEN" not in content
