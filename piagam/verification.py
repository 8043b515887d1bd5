"""The public check of a piagam: finding it, what its status means, comparing an uploaded file.

Anyone may use it without logging in, so nothing here says more than the piagam itself prints
(plus its status and checksum), lookups by number are throttled per client address, and an
uploaded file is only read, never stored.
"""

import functools
import hashlib
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from accounts.network import client_address

from .models import Certificate, CertificateStatus
from .signing import SignatureCheck, signing_certificate, validate_signature

logger = logging.getLogger(__name__)

# secrets.token_urlsafe(24) gives 32 characters; the column allows 64.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_NUMBER_LENGTH = 60

LOOKUP_LIMIT = 20  # lookups by number per client address per window
UPLOAD_LIMIT = 10  # uploaded files checked per client address per window
WINDOW_SECONDS = 60


class PublicStatus:
    """What the verification page calls a certificate's state."""

    VALID = "sah"
    REVOKED = "dicabut"
    PROCESSING = "diproses"


def public_status(certificate):
    if certificate.status == CertificateStatus.ISSUED:
        return PublicStatus.VALID
    if certificate.status == CertificateStatus.REVOKED:
        return PublicStatus.REVOKED
    # A failed rendering is retried by the ministry: to the public the piagam is not out yet.
    return PublicStatus.PROCESSING


def find_by_token(token):
    if not _TOKEN.fullmatch(token or ""):
        return None
    return Certificate.objects.filter(token=token).first()


def normalize_number(text):
    """'001 / piagam-ham / kaltim / 2025' and the like, as the number is stored."""
    return "".join((text or "").split()).upper()[:_NUMBER_LENGTH]


def find_by_number(text):
    number = normalize_number(text)
    if not number:
        return None
    return Certificate.objects.filter(number=number).first()


# --- the uploaded file ------------------------------------------------------------------------


@dataclass(frozen=True)
class FileCheck:
    """What the page says about a file someone uploaded to compare with a piagam."""

    sha256: str
    matches: bool
    signature: SignatureCheck | None  # None: the portal has no signing key configured
    signature_unavailable: bool = False  # a key is configured but could not be read


@functools.lru_cache(maxsize=4)
def _trust_root(path, modified_ns, passphrase):
    # Keyed by the file's modification time so that a replaced key is read again.
    return signing_certificate(path, passphrase=passphrase)


def trust_roots():
    """The portal's own signing certificate, the only signer a piagam may have."""
    path = settings.PIAGAM_SIGNING_PKCS12
    if not path:
        return None
    try:
        modified = Path(path).stat().st_mtime_ns
        return [_trust_root(str(path), modified, settings.PIAGAM_SIGNING_PASSPHRASE)]
    except (OSError, ValueError):
        logger.exception("piagam signing certificate %s cannot be read", path)
        return []


def check_file(certificate, uploaded):
    """Compare an uploaded (already inspected) PDF with the piagam and check its signature."""
    digest = uploaded.inspected.sha256
    matches = bool(certificate.sha256) and digest == certificate.sha256
    roots = trust_roots()
    if roots is None:
        return FileCheck(sha256=digest, matches=matches, signature=None)
    if not roots:
        return FileCheck(sha256=digest, matches=matches, signature=None, signature_unavailable=True)
    uploaded.seek(0)
    pdf = uploaded.read()
    uploaded.seek(0)
    return FileCheck(
        sha256=digest, matches=matches, signature=validate_signature(pdf, trust_roots=roots)
    )


# --- throttling -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Throttle:
    scope: str
    limit: int
    window: int = WINDOW_SECONDS

    def hit(self, request, now=None):
        """Count one request; the seconds to wait when it is over the limit, else None.

        A fixed window in the cache: at a window's edge a client may get up to twice the limit
        in a short burst, which is good enough against scraping numbers one by one.
        """
        now = int(now if now is not None else time.time())
        window_index = now // self.window
        address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
        key = f"piagam-throttle:{self.scope}:{address}:{window_index}"
        try:
            cache.add(key, 0, timeout=self.window * 2)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.set(key, 1, timeout=self.window * 2)
                count = 1
        except Exception:
            # Verification must stay available when the cache is down: let it through.
            logger.warning("piagam throttle cache unavailable", exc_info=True)
            return None
        if count > self.limit:
            return self.window - now % self.window
        return None


def lookup_throttle():
    return Throttle("lookup", int(getattr(settings, "PIAGAM_LOOKUP_LIMIT", LOOKUP_LIMIT)))


def upload_throttle():
    return Throttle("upload", int(getattr(settings, "PIAGAM_UPLOAD_LIMIT", UPLOAD_LIMIT)))


THROTTLED_MESSAGE = _(
    "Terlalu banyak permintaan pemeriksaan dari alamat Anda. Silakan coba lagi dalam "
    "%(seconds)s detik."
)
