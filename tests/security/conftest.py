"""Hostile input against the portal: every case asserts the refusal and that nothing stayed.

The reporting fixtures (a 2025 cycle with an open period "UJI", actions, a fresh MEDIA_ROOT
per test) are the officer's world; they are shared from tests/reporting.
"""

import functools
import io
import struct
import zlib

import pytest
from django.core.cache import cache
from django.urls import reverse
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from reporting.models import Evidence, ProgressStatus, Report, ReportEntry, ReportEvent
from reporting.requirements import report_requirements
from tests.reporting.conftest import (  # noqa: F401 - fixtures shared with the reporting tests
    actions,
    complete_draft,
    cycle,
    draft,
    media,
    open_period,
    samarinda_only_action,
    stored_files,
    tw3,
)


@pytest.fixture(autouse=True)
def fresh_cache():
    # Throttles count in the cache, which outlives a test's transaction.
    cache.clear()
    yield
    cache.clear()


# --- what stayed behind --------------------------------------------------------------------


def footprint(media_root):
    """Rows and files a refused request must not have added."""
    return {
        "reports": Report.objects.count(),
        "entries": ReportEntry.objects.count(),
        "evidence": Evidence.objects.count(),
        "events": ReportEvent.objects.count(),
        "files": stored_files(media_root),
    }


# --- the officer's form --------------------------------------------------------------------


def edit_url(period):
    return reverse("reporting:report-edit", args=[period.pk])


def payload(region, period, *, revision=0, **extra):
    data = {"revision": revision, "notes": "", "proposals": "", "simpan": "1"}
    for block in report_requirements(region, period):
        data[f"aksi-{block.action.pk}-narrative"] = f"Narasi uji (aksi {block.action.number})"
        data[f"aksi-{block.action.pk}-progress"] = ProgressStatus.IN_PROGRESS
    data.update(extra)
    return data


def first_requirement(region, period):
    return report_requirements(region, period)[0].requirements[0]


def files_field(requirement):
    return f"dok-{requirement.pk}-files"


# --- hostile files ---------------------------------------------------------------------------


def pdf_bytes(build=None, *, tail=b""):
    """A one-page PDF; ``build(writer)`` may add hostile parts before it is written."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if build is not None:
        build(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue() + tail


@functools.lru_cache(maxsize=4)
def png_of_zeros(width, height, *, rows_of_zeros=True):
    """A valid PNG of ``width`` x ``height`` RGB pixels, all zero: tiny on disk, huge decoded."""

    def chunk(kind, data):
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    compressor = zlib.compressobj(1)
    rows = (b"\x00" + bytes(width * 3)) * 100
    parts = [compressor.compress(rows) for _ in range(height // 100)] if rows_of_zeros else []
    if rows_of_zeros:
        parts.append(compressor.compress(rows[: (height % 100) * (width * 3 + 1)]))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(parts))
        + chunk(b"IEND", b"")
    )


def small_jpeg(size=(16, 16)):
    image = Image.frombytes(
        "RGB", size, bytes((i * 37) % 251 for i in range(size[0] * size[1] * 3))
    )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    return buffer.getvalue()


def jpeg_declaring(width, height):
    """A small JPEG whose frame header claims ``width`` x ``height``: its scans cannot fill it."""
    content = bytearray(small_jpeg())
    start = content.index(b"\xff\xc0")
    struct.pack_into(">HH", content, start + 5, height, width)
    return bytes(content)


@functools.lru_cache(maxsize=2)
def inflating_pdf(decoded_bytes):
    """A PDF whose page content stream inflates to ``decoded_bytes`` zeros."""
    compressor = zlib.compressobj(1)
    block = bytes(1024 * 1024)
    data = b"".join(compressor.compress(block) for _ in range(decoded_bytes // len(block)))
    data += compressor.flush()

    def build(writer):
        stream = StreamObject()
        stream._data = data
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
        stream[NameObject("/Length")] = NumberObject(len(data))
        writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)

    return pdf_bytes(build)


def js_action(code="app.alert(1)"):
    return DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject(code),
        }
    )


def _open_action_js(writer):
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(js_action())


def _open_action_launch(writer):
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("cmd.exe"),
        }
    )


def _page_additional_action(writer):
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): js_action()})


def _document_javascript(writer):
    names = DictionaryObject(
        {
            NameObject("/Names"): ArrayObject(
                [TextStringObject("halo"), writer._add_object(js_action())]
            )
        }
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(names)}
    )


def _embedded_file(writer):
    writer.add_attachment("setup.exe", b"MZ\x90\x00 not really a program")


def _xfa_form(writer):
    xfa = DecodedStreamObject()
    xfa.set_data(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'></xdp:xdp>")
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {
            NameObject("/Fields"): ArrayObject(),
            NameObject("/XFA"): writer._add_object(xfa),
        }
    )


def _rich_media_annotation(writer):
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/RichMedia"),
            NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


def _link_with_javascript(writer):
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
            NameObject("/A"): js_action("this.submitForm('http://contoh.invalid')"),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


ACTIVE_PDFS = {
    "open-action-javascript": _open_action_js,
    "open-action-launch": _open_action_launch,
    "page-additional-action": _page_additional_action,
    "document-javascript": _document_javascript,
    "embedded-file": _embedded_file,
    "xfa-form": _xfa_form,
    "rich-media": _rich_media_annotation,
    "link-javascript": _link_with_javascript,
}
