"""PAdES signatures on piagam PDFs: signing in the worker, checking on the verification page.

The portal signs with a key held in a PKCS#12 file (PIAGAM_SIGNING_PKCS12 and
PIAGAM_SIGNING_PASSPHRASE). A demo installation uses a self-signed certificate made by
`create_self_signed_pkcs12`; such a signature proves the file is unchanged since the portal
signed it, and "trusted" only says that the certificate is one the caller chose to trust.
"""

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

SIGNATURE_FIELD = "PiagamSignature"

# Only changes that leave the signed content alone (validation data added later for long-term
# validation) keep a signature "intact"; an appended revision that edits the page does not.
UNMODIFIED = {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES}


@dataclass(frozen=True)
class SignatureCheck:
    """What the verification page says about a piagam file's signature."""

    signed: bool
    intact: bool
    signer: str | None
    trusted: bool
    message: str


def create_self_signed_pkcs12(
    path: Path | str,
    *,
    passphrase: str,
    organisation: str = "Portal Aksi HAM (contoh)",
    days: int = 730,
) -> Path:
    """Write a new key and self-signed certificate; never replaces an existing file."""
    path = Path(path)
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, organisation),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        # Validators require non-repudiation (content_commitment) on a document signer.
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        name=organisation.encode(),
        key=key,
        cert=certificate,
        cas=None,
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: replacing the key would orphan every piagam signed with the old one.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    return path


def signing_certificate(pkcs12_path: Path | str, *, passphrase: str) -> x509.Certificate:
    """The certificate in the portal's PKCS#12 file, to pass as a trust root."""
    _key, certificate, _others = pkcs12.load_key_and_certificates(
        Path(pkcs12_path).read_bytes(), passphrase.encode()
    )
    if certificate is None:
        raise ValueError(f"{pkcs12_path} holds no certificate")
    return certificate


def sign_pdf(
    pdf_bytes: bytes,
    *,
    pkcs12_path: Path | str,
    passphrase: str,
    reason: str = "Piagam Penghargaan Aksi HAM",
    location: str | None = None,
) -> bytes:
    """Add an invisible PAdES baseline B signature as an incremental update."""
    signer = signers.SimpleSigner.load_pkcs12_data(
        Path(pkcs12_path).read_bytes(), other_certs=(), passphrase=passphrase.encode()
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        reason=reason,
        location=location,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes))
    return signers.sign_pdf(writer, metadata, signer=signer).getvalue()


def _as_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    # pyHanko's trust store takes asn1crypto certificates, not the DER its docstring promises.
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def validate_signature(
    pdf_bytes: bytes, *, trust_roots: Iterable[x509.Certificate] = ()
) -> SignatureCheck:
    """Check the last signature in the file against the given trust roots only.

    The operating system's TLS roots are never used (they say nothing about who may sign a
    piagam) and nothing is fetched from the network. pyHanko runs its own event loop, so call
    this from synchronous code.
    """
    try:
        reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
        signatures = reader.embedded_regular_signatures
    except (PdfError, ValueError, KeyError, TypeError):
        return SignatureCheck(
            False, False, None, False, _("Berkas ini bukan PDF yang dapat dibaca.")
        )
    if not signatures:
        return SignatureCheck(
            False, False, None, False, _("Dokumen ini tidak memuat tanda tangan elektronik.")
        )

    context = ValidationContext(
        trust_roots=[_as_asn1(root) for root in trust_roots], allow_fetching=False
    )
    try:
        status = validate_pdf_signature(signatures[-1], signer_validation_context=context)
    except Exception:  # a malformed signature is an answer for the page, not a crash
        return SignatureCheck(
            True, False, None, False, _("Tanda tangan elektronik rusak dan tidak dapat diperiksa.")
        )

    subject = status.signing_cert.subject
    signer = subject.native.get("common_name") or subject.human_friendly
    intact = status.intact and status.valid and status.modification_level in UNMODIFIED
    trusted = intact and status.trusted
    if not intact:
        message = _("Dokumen telah diubah setelah ditandatangani; tanda tangan tidak berlaku.")
    elif not trusted:
        message = _(
            "Dokumen utuh, tetapi sertifikat penanda tangan (%(signer)s) tidak berasal dari "
            "penerbit yang dipercaya portal ini."
        ) % {"signer": signer}
    else:
        message = _("Tanda tangan sah: dokumen utuh dan ditandatangani oleh %(signer)s.") % {
            "signer": signer
        }
    return SignatureCheck(True, intact, signer, trusted, message)
