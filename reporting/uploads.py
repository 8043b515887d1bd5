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
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from PIL import Image, ImageFile

DEFAULT_ALLOWED_TYPES = ("application/pdf", "image/jpeg", "image/png")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
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
            _check_pdf(uploaded_file)
        else:
            _check_image(uploaded_file, kind.mime)
    finally:
        uploaded_file.seek(0)

    extension = f".{kind.extension}"
    return InspectedUpload(
        original_name=sanitize_display_name(
            getattr(uploaded_file, "name", ""), fallback=f"{_FALLBACK_NAME}{extension}"
        ),
        content_type=kind.mime,
        size=size,
        sha256=digest.hexdigest(),
        extension=extension,
    )


def _check_pdf(stream):
    invalid = UploadRejected(_("Berkas bukan PDF yang sah."), code="evidence_invalid_pdf")
    # pypdf raises a zoo of exception types on hostile input (PdfReadError, KeyError,
    # ValueError, RecursionError ...); every one of them means "not a PDF we can show".
    # Missing optional crypto support (DependencyError) is a deployment fault and is left
    # to surface loudly instead of being blamed on the uploader.
    try:
        reader = pypdf.PdfReader(stream)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UploadRejected(
                _("Berkas PDF dilindungi kata sandi; unggah versi tanpa kata sandi."),
                code="evidence_pdf_locked",
            )
        # A PDF without a page is no evidence, and reading one resolves the page tree.
        reader.pages[0].mediabox  # noqa: B018
    except (UploadRejected, pypdf.errors.DependencyError):
        raise
    except Exception as exc:
        raise invalid from exc


def _check_image(stream, mime):
    formats = _PILLOW_FORMATS[mime]
    invalid = UploadRejected(
        _("Berkas bukan gambar %(format)s yang sah."),
        code="evidence_invalid_image",
        params={"format": _TYPE_LABELS[mime]},
    )
    # As with PDFs, Pillow reports hostile input through many exception types.
    try:
        with _strict_decoding(), Image.open(stream, formats=formats) as image:
            _reject_oversized_pixels(image)
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
    ceiling = Image.MAX_IMAGE_PIXELS
    if ceiling is not None and image.width * image.height > ceiling:
        raise _rejected_pixels()


def _rejected_pixels():
    return UploadRejected(_("Resolusi gambar terlalu besar."), code="evidence_image_too_large")


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
    kept anywhere; bounding the whole request body is the web server's job.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.max_bytes = max_upload_bytes()
        if request is not None and not hasattr(request, "evidence_oversize"):
            request.evidence_oversize = {}

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            if self.request is not None:
                self.request.evidence_oversize.setdefault(self.field_name, []).append(
                    sanitize_display_name(self.file_name)
                )
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        # The handlers after this one build the file object.
        return None


def install_upload_handlers(request):
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
            EvidenceSizeLimitUploadHandler(request),
            *request.upload_handlers,
        ]
    except AttributeError as exc:
        raise RuntimeError(
            "The request body was parsed before install_upload_handlers() ran: something "
            "read request.POST or request.FILES first (CsrfViewMiddleware does unless the "
            "view is csrf_exempt; use @limit_evidence_uploads)."
        ) from exc


def limit_evidence_uploads(view):
    """Decorate a view so that its uploads are size-limited while they stream in.

    The CSRF check still happens, only later: after the handler is installed.
    """
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            install_upload_handlers(request)
        return protected(request, *args, **kwargs)

    return wrapper


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
    for name, field in form.fields.items():
        if isinstance(field, EvidenceFileField):
            field.oversize_names = tuple(oversize.get(form.add_prefix(name), ()))


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
        ]
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
