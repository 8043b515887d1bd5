import io
import re
import stat
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader

from piagam.pdf import PiagamContent, render_piagam
from piagam.signing import (
    create_self_signed_pkcs12,
    sign_pdf,
    signing_certificate,
    validate_signature,
)

PASSPHRASE = "frasa-sandi-uji-2025"


@pytest.fixture(scope="module")
def portal_key(tmp_path_factory):
    return create_self_signed_pkcs12(
        tmp_path_factory.mktemp("signing") / "portal.p12", passphrase=PASSPHRASE
    )


@pytest.fixture(scope="module")
def portal_certificate(portal_key):
    return signing_certificate(portal_key, passphrase=PASSPHRASE)


@pytest.fixture(scope="module")
def unsigned_piagam():
    return render_piagam(
        PiagamContent(
            number="002/PIAGAM-HAM/KALTIM/2025",
            recipient="Pemerintah Kota Samarinda",
            categories=("tercepat",),
            year=2025,
            score=Decimal("91.25"),
            place="Samarinda",
            issued_on=date(2025, 12, 10),
            signatory_name="Kepala Kantor Wilayah (contoh)",
            signatory_nip="000000000000000000",
            signatory_title="Kepala Kantor Wilayah Kementerian HAM Kalimantan Timur",
            issuer_name="Kantor Wilayah Kementerian HAM Kalimantan Timur",
            verification_url="https://ranham.example.go.id/piagam/verifikasi/uji",
            specimen=True,
        )
    )


@pytest.fixture(scope="module")
def signed_piagam(unsigned_piagam, portal_key):
    return sign_pdf(
        unsigned_piagam, pkcs12_path=portal_key, passphrase=PASSPHRASE, location="Samarinda"
    )


def test_signed_piagam_is_intact_and_trusted_with_the_portal_certificate_as_root(
    signed_piagam, portal_certificate
):
    check = validate_signature(signed_piagam, trust_roots=[portal_certificate])

    assert check.signed
    assert check.intact
    assert check.trusted
    assert check.signer == "Portal Aksi HAM (contoh)"
    assert check.message.startswith("Tanda tangan sah")


def test_signature_is_pades_with_reason_and_location(signed_piagam):
    signature = PdfReader(io.BytesIO(signed_piagam)).trailer["/Root"]["/AcroForm"]["/Fields"][0]
    value = signature.get_object()["/V"].get_object()

    assert value["/SubFilter"] == "/ETSI.CAdES.detached"
    assert value["/Reason"] == "Piagam Penghargaan Aksi HAM"
    assert value["/Location"] == "Samarinda"


def test_signing_keeps_the_pdfa_declaration(signed_piagam):
    xmp = PdfReader(io.BytesIO(signed_piagam)).xmp_metadata.stream.get_data().decode()

    assert 'pdfaid:part="3"' in xmp


def test_signature_is_not_trusted_without_trust_roots(signed_piagam):
    check = validate_signature(signed_piagam)

    assert check.signed
    assert check.intact
    assert not check.trusted
    assert "tidak berasal dari penerbit yang dipercaya" in check.message


def test_signature_is_not_trusted_by_another_certificate(signed_piagam, tmp_path):
    other_key = create_self_signed_pkcs12(
        tmp_path / "other.p12", passphrase=PASSPHRASE, organisation="Portal Aksi HAM (contoh)"
    )
    # Same name, different key: trust must follow the key, not the name.
    other = signing_certificate(other_key, passphrase=PASSPHRASE)

    check = validate_signature(signed_piagam, trust_roots=[other])

    assert check.intact
    assert not check.trusted


def test_flipping_a_byte_inside_the_signed_range_breaks_the_signature(
    signed_piagam, portal_certificate
):
    start, first_length, _, _ = map(
        int, re.search(rb"/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]", signed_piagam).groups()
    )
    # Inside the first content stream: the file still parses, only the digest differs.
    offset = signed_piagam.index(b"stream\n") + 40
    assert start <= offset < start + first_length
    tampered = bytearray(signed_piagam)
    tampered[offset] ^= 0x01

    check = validate_signature(bytes(tampered), trust_roots=[portal_certificate])

    assert check.signed
    assert not check.intact
    assert not check.trusted
    assert check.message.startswith("Dokumen telah diubah")


def test_a_revision_appended_after_signing_breaks_the_signature(signed_piagam, portal_certificate):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_piagam))
    overlay = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 40 Tf 100 300 Td (Nilai 100,00) Tj ET")
    )
    writer.add_stream_to_page(0, overlay)
    output = io.BytesIO()
    writer.write(output)

    check = validate_signature(output.getvalue(), trust_roots=[portal_certificate])

    assert check.signed
    assert not check.intact
    assert not check.trusted


def test_unsigned_pdf_is_reported_as_unsigned(unsigned_piagam, portal_certificate):
    check = validate_signature(unsigned_piagam, trust_roots=[portal_certificate])

    assert not check.signed
    assert not check.intact
    assert check.signer is None
    assert check.message == "Dokumen ini tidak memuat tanda tangan elektronik."


def test_bytes_that_are_not_a_pdf_are_reported_as_unreadable():
    check = validate_signature(b"bukan PDF")

    assert not check.signed
    assert check.message == "Berkas ini bukan PDF yang dapat dibaca."


def test_wrong_passphrase_cannot_sign(unsigned_piagam, portal_key):
    with pytest.raises(ValueError, match="PKCS#12"):
        sign_pdf(unsigned_piagam, pkcs12_path=portal_key, passphrase="salah")


def test_key_file_is_private_and_never_overwritten(tmp_path):
    path = create_self_signed_pkcs12(tmp_path / "kunci" / "demo.p12", passphrase=PASSPHRASE)
    before = path.read_bytes()

    with pytest.raises(FileExistsError):
        create_self_signed_pkcs12(path, passphrase=PASSPHRASE)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() == before


def test_certificate_carries_organisation_and_validity(tmp_path):
    path = create_self_signed_pkcs12(
        tmp_path / "demo.p12", passphrase=PASSPHRASE, organisation="Kanwil Uji (contoh)", days=30
    )

    certificate = signing_certificate(path, passphrase=PASSPHRASE)

    assert (
        certificate.subject.rfc4514_string() == "CN=Kanwil Uji (contoh),O=Kanwil Uji (contoh),C=ID"
    )
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert lifetime.days == 30


def test_command_creates_key_and_prints_the_environment(tmp_path):
    out = io.StringIO()
    path = tmp_path / "signing" / "demo.p12"

    call_command("create_demo_signing_key", "--out", path, "--passphrase", PASSPHRASE, stdout=out)

    assert signing_certificate(path, passphrase=PASSPHRASE)
    assert f"PIAGAM_SIGNING_PKCS12={path}" in out.getvalue()
    assert f"PIAGAM_SIGNING_PASSPHRASE={PASSPHRASE}" in out.getvalue()


def test_command_refuses_to_replace_an_existing_key(tmp_path):
    path = create_self_signed_pkcs12(tmp_path / "demo.p12", passphrase=PASSPHRASE)

    with pytest.raises(CommandError, match="sudah ada"):
        call_command("create_demo_signing_key", "--out", path, "--passphrase", "lain")
