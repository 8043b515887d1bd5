"""Acceptance of uploaded evidence files (data dukung).

Everything a client sends about a file is treated as a claim, never as a fact: the type is
sniffed from the content and then parsed, the size is counted by the server while the body
streams in, the name is kept for display only and the storage name is generated.

A view that accepts evidence::

    @login_required
    @limit_evidence_uploads
    def evidence_upload(request, pk):
        form = EvidenceForm(request.POST or None, request.FILES or None)
        mark_oversize_uploads(form, request)
        if form.is_valid():
            for uploaded in form.cleaned_data["files"]:
                inspected = uploaded.inspected
                name = generate_storage_name(inspected)
                ...

``limit_evidence_uploads`` installs :class:`EvidenceSizeLimitUploadHandler` before the body
is parsed (and keeps the CSRF check, see :func:`install_upload_handlers`);
``mark_oversize_uploads`` hands the files that handler dropped to the form, whose
:class:`EvidenceFileField` reports them next to its other errors.
"""

import hashlib
import string
import unicodedata
import uuid
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps

import filetype
import pypdf
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from PIL import Image, ImageFile

from accounts.middleware import check_form_fields

DEFAULT_ALLOWED_TYPES = ("application/pdf", "image/jpeg", "image/png")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# An image is refused from its header above this many pixels, before anything is decoded.
DEFAULT_MAX_PIXELS = 40_000_000
# Quotas: what one evidence item and one report may hold, counting the files kept on it.
DEFAULT_MAX_FILES_PER_ITEM = 10
DEFAULT_MAX_BYTES_PER_ITEM = 50 * 1024 * 1024
DEFAULT_MAX_FILES_PER_REPORT = 100
DEFAULT_MAX_BYTES_PER_REPORT = 100 * 1024 * 1024
DEFAULT_MAX_PDF_PAGES = 500
# What decoding one image may take in the web process: Pillow keeps 4 bytes per pixel (1 for
# greyscale and palette images); with the decoder's own buffers an accepted upload stays
# under 50 MB. JPEGs are decoded at 1/8 scale (draft), 1/64 of that.
DEFAULT_MAX_DECODE_BYTES = 40 * 1024 * 1024
# The decoded streams of a PDF may be at most this many times the file, and never above the
# ceiling; small files get the floor, so that an ordinary text PDF is never refused.
PDF_INFLATION_RATIO = 20
PDF_INFLATION_FLOOR = 5 * 1024 * 1024
PDF_INFLATION_CEILING = 50 * 1024 * 1024
# A hostile PDF can hold millions of tiny objects; no evidence document comes near this.
PDF_MAX_OBJECTS = 50_000
MAX_NAME_LENGTH = 255

# Pillow formats that may legitimately carry each image type: phones write some JPEGs as
# MPO (a JPEG with extra frames), which Pillow then reports under that name.
_PILLOW_FORMATS = {
    "image/jpeg": ("JPEG", "MPO"),
    "image/png": ("PNG",),
    "image/gif": ("GIF",),
    "image/webp": ("WEBP",),
}
_PDF = "application/pdf"
# The extensions a display name may keep for each verified type; any other is replaced.
_EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe"),
    "image/png": (".png",),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
}
_SUPPORTED_TYPES = frozenset({_PDF, *_PILLOW_FORMATS})
_TYPE_LABELS = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WebP",
}
# filetype never looks further than this into a file.
_SNIFF_BYTES = 8192
_READ_CHUNK = 64 * 1024
_FALLBACK_NAME = _("berkas")


class UploadRejected(ValidationError):
    """An uploaded file that may not be stored; the message is shown to the uploader."""


@dataclass(frozen=True)
class InspectedUpload:
    """What the server established about an accepted upload."""

    original_name: str
    content_type: str
    size: int
    sha256: str
    extension: str


def allowed_types():
    types = tuple(getattr(settings, "EVIDENCE_ALLOWED_TYPES", DEFAULT_ALLOWED_TYPES))
    unsupported = sorted(set(types) - _SUPPORTED_TYPES)
    if unsupported:
        # A type we cannot parse would be accepted on its magic bytes alone.
        raise ImproperlyConfigured(
            f"EVIDENCE_ALLOWED_TYPES has types reporting.uploads cannot validate: "
            f"{', '.join(unsupported)}; supported: {', '.join(sorted(_SUPPORTED_TYPES))}."
        )
    if not types:
        raise ImproperlyConfigured("EVIDENCE_ALLOWED_TYPES must name at least one type.")
    return types


def max_upload_bytes():
    limit = getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)
    if not isinstance(limit, int) or limit <= 0:
        raise ImproperlyConfigured("EVIDENCE_MAX_BYTES must be a positive number of bytes.")
    return limit


def max_image_pixels():
    limit = getattr(settings, "EVIDENCE_MAX_PIXELS", DEFAULT_MAX_PIXELS)
    if not isinstance(limit, int) or limit <= 0:
        raise ImproperlyConfigured("EVIDENCE_MAX_PIXELS must be a positive number of pixels.")
    return limit


def max_pdf_pages():
    return int(getattr(settings, "EVIDENCE_MAX_PDF_PAGES", DEFAULT_MAX_PDF_PAGES))


def _lower_pillow_ceiling():
    # Pillow's own ceiling (about 89 megapixels) lets a 9400x9400 PNG through; lower it to the
    # evidence limit so that even code that forgets our header check cannot decode a bomb.
    configured = getattr(settings, "EVIDENCE_MAX_PIXELS", DEFAULT_MAX_PIXELS)
    if Image.MAX_IMAGE_PIXELS is None or Image.MAX_IMAGE_PIXELS > configured:
        Image.MAX_IMAGE_PIXELS = configured


_lower_pillow_ceiling()


def format_size(num_bytes):
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if num_bytes >= factor:
            value = num_bytes / factor
            shown = int(value) if value.is_integer() else number_format(value, decimal_pos=1)
            return f"{shown} {unit}"
    return f"{num_bytes} B"


def _join_alternatives(labels):
    if len(labels) == 1:
        return labels[0]
    if len(labels) == 2:
        return gettext("%(first)s atau %(last)s") % {"first": labels[0], "last": labels[1]}
    return gettext("%(items)s, atau %(last)s") % {
        "items": ", ".join(labels[:-1]),
        "last": labels[-1],
    }


def _rejected_type():
    labels = [_TYPE_LABELS[mime] for mime in allowed_types()]
    return UploadRejected(
        _("Jenis berkas tidak diizinkan: hanya %(types)s."),
        code="evidence_type",
        params={"types": _join_alternatives(labels)},
    )


def _rejected_size(limit):
    return UploadRejected(
        _("Ukuran berkas melebihi batas %(limit)s."),
        code="evidence_too_large",
        params={"limit": format_size(limit)},
    )


def _rejected_request_quota():
    return UploadRejected(
        _(
            "Berkas tidak diterima: satu kali simpan paling banyak %(files)s berkas dengan "
            "jumlah %(size)s. Unggah sisanya pada penyimpanan berikutnya."
        ),
        code="evidence_request_quota",
        params={
            "files": max_files_per_request(),
            "size": format_size(max_bytes_per_request()),
        },
    )


def _rejected_empty():
    return UploadRejected(_("Berkas kosong."), code="evidence_empty")


def sanitize_display_name(name, fallback=None):
    """Reduce a client-supplied file name to something safe to show and to offer on download.

    The result never reaches the file system: storage names come from
    :func:`generate_storage_name`.
    """
    fallback = str(_FALLBACK_NAME) if fallback is None else fallback
    name = unicodedata.normalize("NFC", str(name or ""))
    # Control and format characters go before the directory split so that a NUL or a
    # right-to-left override cannot hide a separator or disguise the extension.
    name = "".join(
        " " if char.isspace() else char
        for char in name
        if char.isspace() or not unicodedata.category(char).startswith("C")
    )
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    if len(name) >= 2 and name[1] == ":" and name[0] in string.ascii_letters:
        name = name[2:]  # drive-relative Windows path such as "C:laporan.pdf"
    name = " ".join(name.split()).strip(". ")
    if not name:
        return fallback
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, suffix = name.rpartition(".")
        if dot and stem and len(suffix) <= 16:
            keep = MAX_NAME_LENGTH - len(suffix) - 1
            name = f"{stem[:keep].rstrip('. ')}.{suffix}"
        else:
            name = name[:MAX_NAME_LENGTH].rstrip(". ")
    return name


def display_name_for_type(name, mime):
    """The sanitised display name, ending in an extension of the type the content proved.

    The stem is kept: "laporan.html" holding a PDF is offered as "laporan.pdf", and
    "laporan<U+202E>fdp.exe" as "laporanfdp.pdf" (the override is gone before the split).
    """
    accepted = _EXTENSIONS[mime]
    extension = accepted[0]
    shown = sanitize_display_name(name, fallback=f"{_FALLBACK_NAME}{extension}")
    stem, dot, suffix = shown.rpartition(".")
    if dot and stem and f".{suffix.lower()}" in accepted:
        return shown
    stem = (stem if dot and stem else shown).rstrip(". ") or str(_FALLBACK_NAME)
    return f"{stem[: MAX_NAME_LENGTH - len(extension)].rstrip('. ')}{extension}"


def inspect_upload(uploaded_file):
    """Decide whether ``uploaded_file`` may be stored as evidence.

    Returns an :class:`InspectedUpload` or raises :class:`UploadRejected` with a message for
    the uploader. The file is left rewound so that storage can read it again.
    """
    limit = max_upload_bytes()
    declared_size = getattr(uploaded_file, "size", None)
    if declared_size is not None and declared_size > limit:
        raise _rejected_size(limit)

    digest = hashlib.sha256()
    head = bytearray()
    size = 0
    for chunk in uploaded_file.chunks(_READ_CHUNK):
        size += len(chunk)
        if size > limit:
            # Reached only when the size attribute lied, e.g. a file built by hand.
            raise _rejected_size(limit)
        digest.update(chunk)
        if len(head) < _SNIFF_BYTES:
            head += chunk[: _SNIFF_BYTES - len(head)]
    if size == 0:
        raise _rejected_empty()

    kind = filetype.guess(bytes(head))
    if kind is None or kind.mime not in allowed_types():
        raise _rejected_type()

    uploaded_file.seek(0)
    try:
        if kind.mime == _PDF:
            _check_pdf(uploaded_file, size)
        else:
            _check_image(uploaded_file, kind.mime, size)
    finally:
        uploaded_file.seek(0)

    extension = f".{kind.extension}"
    return InspectedUpload(
        original_name=display_name_for_type(getattr(uploaded_file, "name", ""), kind.mime),
        content_type=kind.mime,
        size=size,
        sha256=digest.hexdigest(),
        extension=extension,
    )


_ACTIVE_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/AA",
        "/Launch",
        "/EmbeddedFiles",
        "/EmbeddedFile",
        "/EF",
        "/XFA",
        "/RichMedia",
        "/RichMediaContent",
    }
)
_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/RichMediaExecute"})
# Actions that reach outside the document: a web address, a form sent to a server, another
# file (on a network share, too) or data imported from one.
_OUTWARD_ACTIONS = frozenset({"/URI", "/SubmitForm", "/GoToR", "/GoToE", "/ImportData"})
_ACTIVE_SUBTYPES = frozenset({"/RichMedia", "/FileAttachment", "/EmbeddedFile", "/3D", "/Movie"})


def _rejected_active_pdf():
    return UploadRejected(
        _(
            "Berkas PDF memuat konten aktif (JavaScript, tindakan otomatis, peluncuran "
            "program, berkas sisipan, atau formulir XFA) yang tidak diizinkan. Cetak ulang "
            "dokumen sebagai PDF biasa (misalnya dengan “Cetak ke PDF”), lalu unggah lagi."
        ),
        code="evidence_pdf_active",
    )


def _rejected_outward_pdf():
    return UploadRejected(
        _(
            "Berkas PDF memuat tautan atau tindakan yang menjangkau ke luar dokumen (membuka "
            "alamat web, mengirim formulir, atau membuka berkas lain). Simpan ulang dokumen "
            "tanpa tautan (misalnya dengan “Cetak ke PDF”), lalu unggah lagi."
        ),
        code="evidence_pdf_outward",
    )


def _rejected_inflation():
    return UploadRejected(
        _(
            "Berkas PDF memuat data terkompresi yang mengembang jauh melebihi ukuran berkasnya. "
            "Cetak ulang dokumen sebagai PDF biasa, lalu unggah lagi."
        ),
        code="evidence_pdf_inflation",
    )


def _rejected_pages(limit):
    return UploadRejected(
        _("Berkas PDF memiliki lebih dari %(limit)s halaman."),
        code="evidence_pdf_pages",
        params={"limit": limit},
    )


def pdf_inflation_budget(size):
    return min(PDF_INFLATION_CEILING, max(PDF_INFLATION_RATIO * size, PDF_INFLATION_FLOOR))


def _check_pdf(stream, size):
    invalid = UploadRejected(_("Berkas bukan PDF yang sah."), code="evidence_invalid_pdf")
    # pypdf raises a zoo of exception types on hostile input (PdfReadError, KeyError,
    # ValueError, RecursionError ...); every one of them means "not a PDF we can show".
    # Missing optional crypto support (DependencyError) is a deployment fault and is left
    # to surface loudly instead of being blamed on the uploader.
    try:
        # The recovery of a damaged deflate stream goes byte by byte in Python: keep it short.
        with pypdf.apply_configuration(zlib_maximum_recovery_input_length=256 * 1024):
            reader = pypdf.PdfReader(stream)
            if reader.is_encrypted and not reader.decrypt(""):
                raise UploadRejected(
                    _("Berkas PDF dilindungi kata sandi; unggah versi tanpa kata sandi."),
                    code="evidence_pdf_locked",
                )
            # A PDF without a page is no evidence, and reading one resolves the page tree.
            reader.pages[0].mediabox  # noqa: B018
            if len(reader.pages) > max_pdf_pages():
                raise _rejected_pages(max_pdf_pages())
            _walk_pdf(reader, pdf_inflation_budget(size))
    except (UploadRejected, pypdf.errors.DependencyError):
        raise
    except Exception as exc:
        raise invalid from exc


def _walk_pdf(reader, budget):
    """Visit every object reachable from the trailer once: refuse active content, and
    decode each stream within what is left of ``budget`` (decoding stops at the limit)."""
    pending = [reader.trailer]
    seen = set()
    visited = 0
    while pending:
        node = pending.pop()
        if isinstance(node, pypdf.generic.IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            raise _rejected_inflation()
        if isinstance(node, pypdf.generic.DictionaryObject):
            if _ACTIVE_KEYS & set(node.keys()):
                raise _rejected_active_pdf()
            if node.get("/S") in _ACTIVE_ACTIONS or node.get("/Subtype") in _ACTIVE_SUBTYPES:
                raise _rejected_active_pdf()
            if node.get("/S") in _OUTWARD_ACTIONS:
                raise _rejected_outward_pdf()
            if isinstance(node, pypdf.generic.StreamObject):
                budget -= _decoded_length(node, budget)
            pending.extend(dict.values(node))
        elif isinstance(node, pypdf.generic.ArrayObject):
            pending.extend(list.__iter__(node))


_DECODING_LIMITS = (
    "zlib_maximum_output_length",
    "lzw_maximum_output_length",
    "run_length_maximum_output_length",
    "brotli_maximum_output_length",
    "jbig2_maximum_output_length",
    "array_based_stream_maximum_output_length",
    "image_maximum_buffer_size",
)


def _decoded_length(stream, budget):
    if budget <= 0:  # a limit of 0 means "no limit" to pypdf
        raise _rejected_inflation()
    limits = dict.fromkeys(_DECODING_LIMITS, budget)
    try:
        with pypdf.apply_configuration(**limits):
            length = len(stream.get_data())
    except pypdf.errors.LimitReachedError as exc:
        raise _rejected_inflation() from exc
    if length > budget:
        raise _rejected_inflation()
    return length


def _check_image(stream, mime, size):
    formats = _PILLOW_FORMATS[mime]
    invalid = UploadRejected(
        _("Berkas bukan gambar %(format)s yang sah."),
        code="evidence_invalid_image",
        params={"format": _TYPE_LABELS[mime]},
    )
    # As with PDFs, Pillow reports hostile input through many exception types.
    try:
        # Image.open reads the header only: the size is known before a pixel is decoded.
        with _strict_decoding(), Image.open(stream, formats=formats) as image:
            _reject_oversized_pixels(image)
            if image.format in ("JPEG", "MPO") and size * 8 < image.width * image.height / 64:
                # Every 8x8 block costs at least one bit of scan data; fewer bits than blocks
                # cannot fill the declared size, and libjpeg would quietly pad it with grey.
                raise _rejected_truncated_jpeg()
            _reject_costly_decoding(image)
            # verify() checks every chunk's CRC but decodes nothing; load() decodes the
            # pixels but ignores damaged chunks after them. Each catches what the other misses.
            image.verify()
        stream.seek(0)
        with _strict_decoding(), Image.open(stream, formats=formats) as image:
            if image.format in ("JPEG", "MPO"):
                # Decoding at 1/8 scale still walks every scan but needs 1/64 of the memory.
                image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except Image.DecompressionBombError as exc:
        raise _rejected_pixels() from exc
    except UploadRejected:
        raise
    except Exception as exc:
        raise invalid from exc


@contextmanager
def _strict_decoding():
    # WeasyPrint, once imported in a process, tells Pillow to accept truncated images for the
    # whole process; evidence must be whole whatever else the process has loaded.
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _reject_oversized_pixels(image):
    # Pillow raises only past twice MAX_IMAGE_PIXELS and merely warns below that; turning
    # the warning into an error would need a process-wide warnings filter.
    ceiling = max_image_pixels()
    if Image.MAX_IMAGE_PIXELS is not None:
        ceiling = min(ceiling, Image.MAX_IMAGE_PIXELS)
    if image.width * image.height > ceiling:
        raise _rejected_pixels(ceiling)


def max_decode_bytes():
    return int(getattr(settings, "EVIDENCE_MAX_DECODE_BYTES", DEFAULT_MAX_DECODE_BYTES))


_ONE_BYTE_MODES = frozenset({"1", "L", "P"})


def decoded_bytes(image):
    """What Pillow allocates to decode ``image`` as :func:`_check_image` does, from its header."""
    per_pixel = 1 if image.mode in _ONE_BYTE_MODES else 4
    pixels = image.width * image.height
    if image.format in ("JPEG", "MPO"):
        pixels = max(1, image.width // 8) * max(1, image.height // 8)
    return pixels * per_pixel


def _reject_costly_decoding(image):
    # Under the pixel cap a PNG of 6300x6300 still took 150 MB and a second to decode: the
    # memory it needs is known from the header, so refuse before a pixel is decoded.
    budget = max_decode_bytes()
    if decoded_bytes(image) > budget:
        per_pixel = 1 if image.mode in _ONE_BYTE_MODES else 4
        raise _rejected_pixels(budget // per_pixel)


def _rejected_truncated_jpeg():
    return UploadRejected(
        _("Berkas JPEG terpotong: datanya tidak cukup untuk ukuran gambar yang dinyatakan."),
        code="evidence_truncated_image",
    )


def _rejected_pixels(ceiling=None):
    ceiling = ceiling or max_image_pixels()
    return UploadRejected(
        _("Resolusi gambar terlalu besar (paling banyak %(megapixels)s megapiksel)."),
        code="evidence_image_too_large",
        params={"megapixels": number_format(ceiling / 1_000_000, decimal_pos=0)},
    )


def generate_storage_name(inspected, *, now=None):
    """A fresh storage path for an accepted upload; nothing in it comes from the client."""
    if not (
        inspected.extension.startswith(".")
        and inspected.extension[1:].isalnum()
        and inspected.extension.isascii()
    ):
        raise ValueError(f"unexpected extension {inspected.extension!r}")
    # Months in UTC: this only spreads files over folders, it is not a regional date.
    now = now or timezone.now()
    return f"evidence/{now:%Y}/{now:%m}/{uuid.uuid4().hex}{inspected.extension}"


class EvidenceSizeLimitUploadHandler(FileUploadHandler):
    """Stops storing any file of the request once it passes ``EVIDENCE_MAX_BYTES``.

    It must come before Django's memory and temporary-file handlers, which then never see
    the bytes past the limit. The dropped file is recorded in ``request.evidence_oversize``
    as ``{field name: [display names]}`` for :func:`mark_oversize_uploads`.

    It raises ``SkipFile`` rather than ``StopUpload``: ``SkipFile`` drops only that file
    and Django keeps parsing, so the other fields and files survive and the form can be
    shown again with a message. ``StopUpload(connection_reset=False)`` would throw away
    every field after the file, including a CSRF token that happens to follow it (a 403
    instead of a message), and ``connection_reset=True`` leaves the browser with a reset
    connection. The remainder of a skipped file is still read off the socket but is not
    kept anywhere; bounding the whole request body is the web server's job (and
    :func:`limit_evidence_uploads` refuses a declared body that is too big before reading it).

    Per request it also keeps at most ``max_files`` files and ``max_total`` bytes of them:
    the files past either bound are dropped the same way and recorded in
    ``request.evidence_over_request``.
    """

    def __init__(self, request=None, *, max_files=None, max_total=None):
        super().__init__(request)
        self.max_bytes = max_upload_bytes()
        self.max_files = max_files if max_files is not None else max_files_per_request()
        self.max_total = max_total if max_total is not None else max_bytes_per_request()
        self.files_seen = 0
        self.total = 0
        self.skipping = False
        if request is not None:
            if not hasattr(request, "evidence_oversize"):
                request.evidence_oversize = {}
            if not hasattr(request, "evidence_over_request"):
                request.evidence_over_request = {}

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.files_seen += 1
        self.file_start = self.total
        if self.files_seen > self.max_files:
            self._record_over_request()
            raise SkipFile

    def _record_over_request(self):
        if self.request is not None:
            self.request.evidence_over_request.setdefault(self.field_name, []).append(
                sanitize_display_name(self.file_name)
            )

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            if self.request is not None:
                self.request.evidence_oversize.setdefault(self.field_name, []).append(
                    sanitize_display_name(self.file_name)
                )
            self.total = self.file_start
            raise SkipFile
        self.total += len(raw_data)
        if self.total > self.max_total:
            self._record_over_request()
            self.total = self.file_start
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        # The handlers after this one build the file object.
        return None


def max_files_per_request():
    return int(getattr(settings, "DATA_UPLOAD_MAX_NUMBER_FILES", None) or 100)


def max_bytes_per_request():
    return int(getattr(settings, "EVIDENCE_MAX_BYTES_PER_REPORT", DEFAULT_MAX_BYTES_PER_REPORT))


def max_body_bytes(max_files=None):
    """The largest request body an upload view reads: its files and the form's other fields."""
    files = max_bytes_per_request()
    fields = int(getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None) or 2_621_440)
    if max_files is not None:
        # A view that takes a few files takes no long texts either: its CSRF token and the like.
        files = min(files, max_files * max_upload_bytes())
        fields = 64 * 1024
    # Multipart headers and boundaries: a few hundred bytes per part.
    return files + fields + 1024 * (max_files or max_files_per_request())


def declared_body_too_large(request, max_files=None):
    """Whether the body the client announces is over the bound; read before the body is."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # Django treats it as no body
    return declared > max_body_bytes(max_files)


def install_upload_handlers(request, *, max_files=None):
    """Put :class:`EvidenceSizeLimitUploadHandler` first in ``request.upload_handlers``.

    Handlers only act while the body is parsed, which happens the first time
    ``request.POST`` or ``request.FILES`` is read. ``CsrfViewMiddleware`` reads
    ``request.POST`` before the view runs, so a view that calls this must be
    ``csrf_exempt`` and do its CSRF check itself afterwards with ``csrf_protect``, as
    Django's file upload documentation describes. :func:`limit_evidence_uploads` does
    exactly that; prefer it to calling this directly.
    """
    if any(isinstance(h, EvidenceSizeLimitUploadHandler) for h in request.upload_handlers):
        return
    try:
        request.upload_handlers = [
            EvidenceSizeLimitUploadHandler(request, max_files=max_files),
            *request.upload_handlers,
        ]
    except AttributeError as exc:
        raise RuntimeError(
            "The request body was parsed before install_upload_handlers() ran: something "
            "read request.POST or request.FILES first (CsrfViewMiddleware does unless the "
            "view is csrf_exempt; use @limit_evidence_uploads)."
        ) from exc


def upload_too_large_response(request, max_files=None):
    response = render(
        request,
        "reporting/upload_too_large.html",
        {"limit": format_size(max_body_bytes(max_files))},
        status=413,
    )
    # The client is still sending a body nobody will read: let it stop.
    response["Connection"] = "close"
    return response


def limit_evidence_uploads(view=None, *, max_files=None):
    """Decorate a view so that its uploads are size-limited while they stream in.

    A body whose declared length is over :func:`max_body_bytes` is answered 413 before it is
    read. ``max_files`` bounds the files one request may carry (the evidence upload default
    is ``DATA_UPLOAD_MAX_NUMBER_FILES``). The CSRF check still happens, only later: after
    the handler is installed.
    """
    if view is None:
        return lambda view: limit_evidence_uploads(view, max_files=max_files)
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            if declared_body_too_large(request, max_files):
                return upload_too_large_response(request, max_files)
            install_upload_handlers(request, max_files=max_files)
            check_form_fields(request)
        return protected(request, *args, **kwargs)

    return parses_own_uploads(wrapper)


def parses_own_uploads(view):
    """Mark a view whose body must stay unread until it installs its upload limits.

    ``accounts.middleware.MalformedInputMiddleware`` then leaves the body alone; the view (through
    :func:`limit_evidence_uploads`) checks the fields once they are parsed.
    """
    view.parses_own_uploads = True
    return view


def mark_oversize_uploads(form, request):
    """Tell each :class:`EvidenceFileField` of a bound form which of its files were dropped.

    Call it after building the form and before ``is_valid()``. Files dropped from fields
    that are not ``EvidenceFileField`` are not reported anywhere.
    """
    if not form.is_bound:
        return
    request.FILES  # noqa: B018 - the handler records only while the body is parsed
    oversize = getattr(request, "evidence_oversize", None)
    if oversize is None:
        if request.method == "POST":
            raise ImproperlyConfigured(
                "mark_oversize_uploads() needs install_upload_handlers(request) or "
                "@limit_evidence_uploads on the view."
            )
        oversize = {}
    over_request = getattr(request, "evidence_over_request", None) or {}
    for name, field in form.fields.items():
        if isinstance(field, EvidenceFileField):
            field.oversize_names = tuple(oversize.get(form.add_prefix(name), ()))
            field.over_request_names = tuple(over_request.get(form.add_prefix(name), ()))


class MultipleEvidenceInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceFileField(forms.FileField):
    """A file field that accepts only what :func:`inspect_upload` accepts.

    Each accepted upload gets the result as ``uploaded.inspected``. With ``multiple=True``
    the field takes several files and cleans to a list, following the "uploading multiple
    files" pattern of Django's documentation.
    """

    default_error_messages = {"empty": _("Berkas kosong.")}
    oversize_names = ()
    over_request_names = ()

    def __init__(self, *, multiple=False, **kwargs):
        self.multiple = multiple
        if multiple:
            kwargs.setdefault("widget", MultipleEvidenceInput())
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # Only narrows the browser's file picker; the server decides by content. Read when
        # the form class is defined, so a bad setting fails at import, not at first upload.
        attrs.setdefault("accept", ",".join(allowed_types()))
        return attrs

    def clean(self, data, initial=None):
        errors = [
            _named_error(name, _rejected_size(max_upload_bytes())) for name in self.oversize_names
        ] + [_named_error(name, _rejected_request_quota()) for name in self.over_request_names]
        candidates = list(data) if isinstance(data, (list, tuple)) else [data]
        if not candidates:
            candidates = [None]
        cleaned = []
        for candidate in candidates:
            if errors and candidate in self.empty_values:
                continue  # the dropped file is the reason it is empty; "required" would lie
            try:
                value = super().clean(candidate, initial)
                if isinstance(value, UploadedFile):
                    value.inspected = inspect_upload(value)
            except ValidationError as exc:
                name = getattr(candidate, "name", None)
                if name:
                    errors.append(_named_error(name, exc))
                else:
                    errors.extend(exc.error_list)
                continue
            if value not in self.empty_values:
                cleaned.append(value)
        if errors:
            raise ValidationError(errors)
        if self.multiple:
            return cleaned
        return cleaned[0] if cleaned else None


def _named_error(name, exc):
    return ValidationError(
        _("%(name)s: %(reason)s"),
        code=getattr(exc, "code", None),
        params={"name": sanitize_display_name(name), "reason": " ".join(exc.messages)},
    )


# --- quotas -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quotas:
    """What one evidence item and one report may hold (settings, with defaults)."""

    files_per_item: int
    bytes_per_item: int
    files_per_report: int
    bytes_per_report: int

    @classmethod
    def from_settings(cls):
        return cls(
            files_per_item=getattr(
                settings, "EVIDENCE_MAX_FILES_PER_ITEM", DEFAULT_MAX_FILES_PER_ITEM
            ),
            bytes_per_item=getattr(
                settings, "EVIDENCE_MAX_BYTES_PER_ITEM", DEFAULT_MAX_BYTES_PER_ITEM
            ),
            files_per_report=getattr(
                settings, "EVIDENCE_MAX_FILES_PER_REPORT", DEFAULT_MAX_FILES_PER_REPORT
            ),
            bytes_per_report=max_bytes_per_request(),
        )


def quota_problems(kept, added, *, quotas=None):
    """What a save would break: ``kept`` and ``added`` are (requirement id, size) pairs of the
    files that stay on the report and of the new ones.

    Returns ``(per item {requirement id: message}, message for the report or None)``.
    """
    quotas = quotas or Quotas.from_settings()
    files = defaultdict(int)
    sizes = defaultdict(int)
    for requirement_id, size in [*kept, *added]:
        files[requirement_id] += 1
        sizes[requirement_id] += size
    touched = {requirement_id for requirement_id, _size in added}
    per_item = {}
    for requirement_id in sorted(touched):
        if files[requirement_id] > quotas.files_per_item:
            per_item[requirement_id] = gettext(
                "Butir ini paling banyak memuat %(count)s berkas; lepaskan berkas lama atau "
                "pilih lebih sedikit berkas."
            ) % {"count": quotas.files_per_item}
        elif sizes[requirement_id] > quotas.bytes_per_item:
            per_item[requirement_id] = gettext(
                "Berkas pada butir ini paling banyak berjumlah %(size)s; lepaskan berkas lama "
                "atau pilih berkas yang lebih kecil."
            ) % {"size": format_size(quotas.bytes_per_item)}
    report = None
    if added and sum(files.values()) > quotas.files_per_report:
        report = gettext(
            "Satu laporan paling banyak memuat %(count)s berkas data dukung. Tidak ada berkas "
            "yang disimpan."
        ) % {"count": quotas.files_per_report}
    elif added and sum(sizes.values()) > quotas.bytes_per_report:
        report = gettext(
            "Berkas data dukung satu laporan paling banyak berjumlah %(size)s. Tidak ada berkas "
            "yang disimpan."
        ) % {"size": format_size(quotas.bytes_per_report)}
    return per_item, report
