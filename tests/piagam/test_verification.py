"""The public verification of a piagam: by its QR token, by its number, and by its file."""

import datetime
import hashlib
import io
import secrets
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from piagam.models import Certificate, CertificateBatch, CertificateStatus
from piagam.signing import create_self_signed_pkcs12, sign_pdf
from reporting.models import ReportingCycle
from tests.support import in_browser, tiny_pdf

PASSPHRASE = "frasa-sandi-uji-verifikasi"
LOOKUP = reverse("piagam:lookup")


@pytest.fixture(autouse=True)
def fresh_throttle():
    # The throttle counts in the cache, which outlives a test's database transaction.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def batch(regions, kanwil_kaltim, admin_user):
    cycle = ReportingCycle.objects.create(year=2025, name="RANHAM 2025")
    return CertificateBatch.objects.create(
        cycle=cycle,
        kanwil=kanwil_kaltim,
        place="Samarinda",
        issued_on=datetime.date(2025, 12, 10),
        created_by=admin_user,
    )


def make_certificate(
    batch, region, *, status=CertificateStatus.ISSUED, pdf=None, sequence=1, specimen=False
):
    code = batch.kanwil.code.upper()
    token = secrets.token_urlsafe(24)
    certificate = Certificate(
        batch=batch,
        cycle=batch.cycle,
        kanwil=batch.kanwil,
        region=region,
        issuer_code=code,
        year=2025,
        sequence=sequence,
        number=f"{sequence:03d}/PIAGAM-HAM/{code}/2025",
        categories=["terbaik", "paling_responsif"],
        score=Decimal("99.00"),
        recipient=region.government_name,
        issuer_name=batch.kanwil.name,
        place="Samarinda",
        issued_on=datetime.date(2025, 12, 10),
        signatory_name="Kepala Kantor Wilayah (contoh)",
        signatory_nip="NIP contoh 000000000000000000",
        signatory_title="Kepala Kantor Wilayah Kementerian HAM Kalimantan Timur",
        specimen=specimen,
        token=token,
        status=status,
    )
    if status in (CertificateStatus.ISSUED, CertificateStatus.REVOKED):
        pdf = pdf if pdf is not None else tiny_pdf(f"piagam-{sequence}")
        certificate.pdf = default_storage.save(f"piagam/2025/{token}.pdf", ContentFile(pdf))
        certificate.sha256 = hashlib.sha256(pdf).hexdigest()
        certificate.signed = pdf.count(b"/ByteRange") > 0
    certificate.save()
    return certificate


@pytest.fixture
def piagam(media, batch, balikpapan):
    return make_certificate(batch, balikpapan)


def verify_url(certificate):
    return reverse("piagam:verify", args=[certificate.token])


def stored_pdf(certificate):
    with certificate.pdf.open("rb") as file:
        return file.read()


def upload(content, name="piagam.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type)


# --- what the page says -----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_issued_piagam_is_shown_as_valid_with_its_details_and_checksum(client, piagam):
    response = client.get(verify_url(piagam))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-status="sah"' in content and "SAH" in content
    assert "001/PIAGAM-HAM/KALTIM/2025" in content
    assert "Pemerintah Kota Balikpapan" in content
    assert (
        "sebagai daerah dengan pelaporan Aksi HAM terbaik dan paling responsif Tahun 2025"
        in content
    )
    assert "99,00" in content
    assert "Kantor Wilayah Kementerian HAM Kalimantan Timur" in content
    assert "Kepala Kantor Wilayah (contoh)" in content
    assert "Kepala Kantor Wilayah Kementerian HAM Kalimantan Timur" in content
    assert "NIP contoh 000000000000000000" in content
    assert piagam.sha256 in content
    assert 'data-testid="file-check"' in content
    assert "noindex" in content
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_revoked_piagam_says_dicabut_with_the_reason_and_date(client, piagam, admin_user):
    # given
    Certificate.objects.filter(pk=piagam.pk).update(
        status=CertificateStatus.REVOKED,
        revoked_at=datetime.datetime(2026, 2, 3, 4, 0, tzinfo=datetime.UTC),
        revoked_by=admin_user,
        revocation_reason="Nilai TW2 dikoreksi setelah audit.",
    )

    # when
    response = client.get(verify_url(piagam))

    # then
    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="dicabut"' in content and "DICABUT" in content
    assert "Nilai TW2 dikoreksi setelah audit." in content
    assert "3 Februari 2026" in content
    assert 'data-status="sah"' not in content
    assert admin_user.username not in content  # who revoked it stays internal


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [CertificateStatus.PENDING, CertificateStatus.RENDERING, CertificateStatus.FAILED]
)
def test_a_piagam_not_rendered_yet_is_being_processed(client, media, batch, balikpapan, status):
    certificate = make_certificate(batch, balikpapan, status=status)

    response = client.get(verify_url(certificate))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="diproses"' in content and "SEDANG DIPROSES" in content
    assert "001/PIAGAM-HAM/KALTIM/2025" in content
    assert 'data-testid="sha256"' not in content
    assert 'data-testid="file-check"' not in content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "token", ["tidak-ada-token-seperti-ini-sama-sekali", "x" * 65, "%3Cscript%3E"]
)
def test_an_unknown_token_is_a_not_found_page_that_says_nothing_more(client, piagam, token):
    response = client.get(f"/piagam/v/{token}/")

    content = response.content.decode()
    assert response.status_code == 404
    assert "Piagam tidak ditemukan." in content
    assert "Balikpapan" not in content
    assert 'data-testid="number"' not in content
    assert piagam.sha256 not in content


# --- by number --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_lookup_form_without_a_number_asks_for_one(client, piagam):
    response = client.get(LOOKUP)

    assert response.status_code == 200
    assert 'data-testid="lookup-form"' in response.content.decode()


@pytest.mark.django_db
def test_lookup_by_number_shows_the_piagam_however_the_number_is_typed(client, piagam):
    response = client.get(LOOKUP, {"nomor": " 001 / piagam-ham / kaltim / 2025 "})

    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="sah"' in content
    assert "Pemerintah Kota Balikpapan" in content
    # the QR code's token is not handed out to whoever knows the (guessable) number
    assert piagam.token not in content


@pytest.mark.django_db
def test_lookup_of_an_unknown_number_is_not_found(client, piagam):
    response = client.get(LOOKUP, {"nomor": "002/PIAGAM-HAM/KALTIM/2025"})

    content = response.content.decode()
    assert response.status_code == 404
    assert "Piagam tidak ditemukan." in content
    assert "Balikpapan" not in content


@pytest.mark.django_db
def test_lookups_beyond_the_limit_get_429_with_a_message_until_the_minute_is_over(client, piagam):
    # given: twenty lookups in the minute, found or not
    for n in range(20):
        response = client.get(LOOKUP, {"nomor": f"{n:03d}/PIAGAM-HAM/KALTIM/2025"})
        assert response.status_code in (200, 404)

    # when
    refused = client.get(LOOKUP, {"nomor": "001/PIAGAM-HAM/KALTIM/2025"})
    elsewhere = client.get(
        LOOKUP, {"nomor": "001/PIAGAM-HAM/KALTIM/2025"}, REMOTE_ADDR="198.51.100.7"
    )

    # then
    assert refused.status_code == 429
    assert "Terlalu banyak permintaan pemeriksaan" in refused.content.decode()
    assert "Balikpapan" not in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= 60
    assert elsewhere.status_code == 200  # another address has its own count


@pytest.mark.django_db
def test_the_throttle_counts_the_address_the_trusted_proxy_saw_not_what_the_client_claims(
    client, piagam, settings
):
    # given: one reverse proxy in front, which appends the client's address
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(20):
        client.get(
            LOOKUP,
            {"nomor": "001/PIAGAM-HAM/KALTIM/2025"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.9",
        )

    # when: the same client claims yet another address
    refused = client.get(
        LOOKUP,
        {"nomor": "001/PIAGAM-HAM/KALTIM/2025"},
        HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.9",
    )
    other = client.get(
        LOOKUP, {"nomor": "001/PIAGAM-HAM/KALTIM/2025"}, HTTP_X_FORWARDED_FOR="203.0.113.10"
    )

    # then
    assert refused.status_code == 429
    assert other.status_code == 200


@pytest.mark.django_db
def test_the_qr_token_page_is_not_throttled_for_viewing(client, piagam):
    statuses = {client.get(verify_url(piagam)).status_code for _ in range(25)}

    assert statuses == {200}


# --- checking a file --------------------------------------------------------------------------


@pytest.mark.django_db
def test_uploading_the_issued_pdf_says_cocok(client, piagam):
    response = client.post(verify_url(piagam), {"file": upload(stored_pdf(piagam))})

    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-result="cocok"' in content
    assert response.context["check"].sha256 == piagam.sha256


@pytest.mark.django_db
def test_uploading_another_pdf_says_tidak_cocok(client, piagam):
    other = tiny_pdf("piagam-palsu")

    response = client.post(verify_url(piagam), {"file": upload(other)})

    content = response.content.decode()
    assert 'data-result="tidak-cocok"' in content
    assert hashlib.sha256(other).hexdigest() in content


@pytest.mark.django_db
def test_the_file_check_works_from_the_number_lookup_too(client, piagam):
    response = client.post(
        f"{LOOKUP}?nomor=001/PIAGAM-HAM/KALTIM/2025", {"file": upload(stored_pdf(piagam))}
    )

    assert response.status_code == 200
    assert 'data-result="cocok"' in response.content.decode()


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (png_bytes(), "piagam.pdf", "application/pdf"),  # an image claiming to be a PDF
        (b"bukan pdf sama sekali", "piagam.pdf", "application/pdf"),
        (b"%PDF-1.7\n rusak", "piagam.pdf", "application/pdf"),
    ],
)
def test_a_file_that_is_not_a_pdf_is_refused_with_a_message(
    client, piagam, content, name, content_type
):
    response = client.post(verify_url(piagam), {"file": upload(content, name, content_type)})

    assert response.status_code == 200
    assert response.context["check"] is None
    errors = " ".join(response.context["form"].errors["file"])
    assert "PDF" in errors
    assert 'data-testid="file-error"' in response.content.decode()


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(client, piagam, settings):
    settings.EVIDENCE_MAX_BYTES = 1024

    response = client.post(verify_url(piagam), {"file": upload(tiny_pdf("besar") + b" " * 2048)})

    assert response.context["check"] is None
    assert "Ukuran berkas melebihi batas" in " ".join(response.context["form"].errors["file"])


@pytest.mark.django_db
def test_anonymous_upload_passes_the_csrf_check_with_the_forms_token(piagam):
    # given: a browser that loads the page first, as anyone following the QR code does
    browser = Client(enforce_csrf_checks=True)
    browser.get(verify_url(piagam))
    token = browser.cookies["csrftoken"].value

    # when
    with_token = browser.post(
        verify_url(piagam), {"file": upload(stored_pdf(piagam)), "csrfmiddlewaretoken": token}
    )
    forged = Client(enforce_csrf_checks=True).post(
        verify_url(piagam), {"file": upload(stored_pdf(piagam))}
    )

    # then
    assert with_token.status_code == 200
    assert 'data-result="cocok"' in with_token.content.decode()
    assert forged.status_code == 403


@pytest.mark.django_db
def test_uploads_beyond_the_limit_get_429(client, piagam):
    pdf = stored_pdf(piagam)
    for _ in range(10):
        assert client.post(verify_url(piagam), {"file": upload(pdf)}).status_code == 200

    response = client.post(verify_url(piagam), {"file": upload(pdf)})

    assert response.status_code == 429
    assert client.get(verify_url(piagam)).status_code == 200  # reading is still fine


# --- the digital signature --------------------------------------------------------------------


@pytest.fixture(scope="module")
def portal_key(tmp_path_factory):
    return create_self_signed_pkcs12(
        tmp_path_factory.mktemp("signing") / "portal.p12", passphrase=PASSPHRASE
    )


@pytest.fixture
def signing(settings, portal_key):
    settings.PIAGAM_SIGNING_PKCS12 = str(portal_key)
    settings.PIAGAM_SIGNING_PASSPHRASE = PASSPHRASE
    return portal_key


@pytest.mark.django_db
def test_a_signed_piagam_matches_and_its_signature_is_valid(
    client, media, batch, balikpapan, signing
):
    # given
    signed = sign_pdf(tiny_pdf("piagam-ttd"), pkcs12_path=signing, passphrase=PASSPHRASE)
    certificate = make_certificate(batch, balikpapan, pdf=signed)

    # when
    response = client.post(verify_url(certificate), {"file": upload(signed)})

    # then
    check = response.context["check"]
    assert check.matches
    assert check.signature.trusted
    content = response.content.decode()
    assert 'data-result="cocok"' in content
    assert "Tanda tangan sah" in content


@pytest.mark.django_db
def test_a_pdf_signed_by_someone_else_is_intact_but_not_trusted(
    client, media, batch, balikpapan, signing, tmp_path
):
    # given: the issued piagam is signed by the portal; the upload by another key
    certificate = make_certificate(
        batch,
        balikpapan,
        pdf=sign_pdf(tiny_pdf("asli"), pkcs12_path=signing, passphrase=PASSPHRASE),
    )
    stranger = create_self_signed_pkcs12(
        tmp_path / "lain.p12", passphrase="lain-lain", organisation="Penerbit Lain"
    )
    forged = sign_pdf(tiny_pdf("palsu"), pkcs12_path=stranger, passphrase="lain-lain")

    # when
    response = client.post(verify_url(certificate), {"file": upload(forged)})

    # then
    check = response.context["check"]
    assert not check.matches
    assert check.signature.intact and not check.signature.trusted
    assert "Penerbit Lain" in response.content.decode()


@pytest.mark.django_db
def test_an_unsigned_upload_is_reported_when_the_portal_signs(client, piagam, signing):
    response = client.post(verify_url(piagam), {"file": upload(stored_pdf(piagam))})

    check = response.context["check"]
    assert check.matches
    assert not check.signature.signed
    assert "tidak memuat tanda tangan elektronik" in response.content.decode()


@pytest.mark.django_db
def test_without_a_signing_key_only_the_checksum_is_compared(client, piagam, settings):
    settings.PIAGAM_SIGNING_PKCS12 = ""

    response = client.post(verify_url(piagam), {"file": upload(stored_pdf(piagam))})

    assert response.context["check"].signature is None
    content = response.content.decode()
    assert 'data-testid="signature-result"' not in content
    assert "hanya sidik SHA-256 yang dibandingkan" in content


@pytest.mark.django_db
def test_a_revoked_piagam_file_still_matches_but_the_page_warns(client, piagam):
    Certificate.objects.filter(pk=piagam.pk).update(
        status=CertificateStatus.REVOKED, revoked_at=timezone.now(), revocation_reason="Salah."
    )

    response = client.post(verify_url(piagam), {"file": upload(stored_pdf(piagam))})

    content = response.content.decode()
    assert 'data-result="cocok"' in content
    assert "Perhatian: piagam ini sudah dicabut." in content


# --- in a real browser ------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_someone_who_scanned_the_qr_code_can_check_a_file_in_a_browser(
    media, batch, balikpapan, tmp_path, live_server, monkeypatch
):
    # given: the piagam file as its recipient received it; the visitor is not logged in.
    # (A "no-referrer" policy once made the browser send "Origin: null", refused as CSRF.)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    piagam = make_certificate(batch, balikpapan)
    received = tmp_path / "piagam-balikpapan.pdf"
    received.write_bytes(stored_pdf(piagam))

    def check_the_file(browser):
        page = browser.new_context(locale="id-ID", base_url=live_server.url).new_page()
        page.set_default_timeout(15_000)
        page.goto(verify_url(piagam))
        page.set_input_files("input[type=file]", str(received))
        page.get_by_role("button", name="Periksa berkas").click()
        page.wait_for_load_state()
        return (
            page.get_by_test_id("status").inner_text(),
            page.get_by_test_id("hash-result").get_attribute("data-result"),
        )

    # when
    status, result = in_browser(check_the_file)

    # then
    assert status.startswith("SAH")
    assert result == "cocok"
