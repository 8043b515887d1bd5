"""Acceptance of evidence uploads: type by content, size while streaming, names for display."""

import hashlib
import io
import json
import re
import struct
import zlib
from datetime import UTC, datetime

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from PIL import Image
from pypdf import PdfWriter

from reporting.uploads import (
    EvidenceFileField,
    InspectedUpload,
    UploadRejected,
    generate_storage_name,
    inspect_upload,
    install_upload_handlers,
    limit_evidence_uploads,
    mark_oversize_uploads,
    sanitize_display_name,
)

DISALLOWED = "Jenis berkas tidak diizinkan: hanya PDF, JPEG, atau PNG."
LIMIT = 100 * 1024


@pytest.fixture(autouse=True)
def indonesian():
    with translation.override("id"):
        yield


@pytest.fixture(autouse=True)
def default_evidence_settings(settings):
    settings.EVIDENCE_ALLOWED_TYPES = ["application/pdf", "image/jpeg", "image/png"]
    settings.EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def make_pdf(pages=1):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_image(fmt, size=(16, 16)):
    # Noise rather than a flat colour, so that cutting the file short loses real scan data.
    image = Image.frombytes(
        "RGB", size, bytes((i * 37) % 251 for i in range(size[0] * size[1] * 3))
    )
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def rejection(uploaded):
    with pytest.raises(UploadRejected) as caught:
        inspect_upload(uploaded)
    return caught.value


def png_with_corrupt_pixels():
    """A PNG whose chunks and CRCs are intact but whose compressed pixel data is not."""
    good = make_image("PNG")
    start = good.index(b"IDAT") - 4
    (length,) = struct.unpack(">I", good[start : start + 4])
    data = bytearray(good[start + 8 : start + 8 + length])
    data[2:-4] = bytes(len(data) - 6)  # keep the zlib header, zero the deflate stream
    crc = struct.pack(">I", zlib.crc32(b"IDAT" + bytes(data)))
    return good[: start + 8] + bytes(data) + crc + good[start + 12 + length :]


def png_with_bad_chunk_checksum():
    """A PNG that decodes, with a damaged text chunk after its pixels."""
    good = make_image("PNG")
    end = good.index(b"IEND") - 4
    text = struct.pack(">I", 4) + b"tEXt" + b"a\x00bc" + b"\x00\x00\x00\x00"
    return good[:end] + text + good[end:]


# --- type is decided by content --------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(b"\x7fELF\x02\x01\x01\x00" + bytes(56), id="elf"),
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00" + b"This program cannot be run", id="mz"),
    ],
)
def test_executable_renamed_pdf_is_rejected_as_disallowed_type(header):
    # given an executable named and labelled as a PDF
    hostile = upload("laporan.pdf", header + bytes(512), "application/pdf")

    # when it is inspected
    error = rejection(hostile)

    # then its content decides
    assert error.messages == [DISALLOWED]
    assert error.code == "evidence_type"


def test_plain_text_named_pdf_is_rejected_as_disallowed_type():
    # given text with no recognisable signature
    hostile = upload("laporan.pdf", b"just some words\n" * 20, "application/pdf")

    # when / then
    assert rejection(hostile).messages == [DISALLOWED]


def test_empty_file_is_rejected():
    # given a file with no bytes
    empty = upload("kosong.pdf", b"", "application/pdf")

    # when
    error = rejection(empty)

    # then
    assert error.messages == ["Berkas kosong."]
    assert error.code == "evidence_empty"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"%PDF-1.7\n" + b"garbage " * 200, id="garbage"),
        pytest.param(b"%PDF-1.4\n" + bytes(4096), id="zeros"),
        pytest.param(make_pdf()[:200], id="truncated"),
        pytest.param(make_pdf(pages=0), id="no-pages"),
    ],
)
def test_file_with_pdf_signature_that_does_not_parse_is_rejected(content):
    # given something that starts like a PDF but is not one we can show
    hostile = upload("laporan.pdf", content, "application/pdf")

    # when
    error = rejection(hostile)

    # then
    assert error.messages == ["Berkas bukan PDF yang sah."]
    assert error.code == "evidence_invalid_pdf"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\xde\xad\xbe\xef" * 64, id="garbage-body"),
        pytest.param(make_image("PNG")[:60], id="truncated"),
        pytest.param(png_with_corrupt_pixels(), id="valid-crc-corrupt-pixels"),
        pytest.param(png_with_bad_chunk_checksum(), id="bad-crc-valid-pixels"),
    ],
)
def test_png_signature_with_broken_body_is_rejected(content):
    # given a PNG signature followed by an unusable body
    hostile = upload("foto.png", content, "image/png")

    # when
    error = rejection(hostile)

    # then
    assert error.messages == ["Berkas bukan gambar PNG yang sah."]
    assert error.code == "evidence_invalid_image"


def test_truncated_jpeg_is_rejected():
    # given a JPEG cut off halfway through its scan data
    whole = make_image("JPEG", size=(64, 64))
    hostile = upload("foto.jpg", whole[: len(whole) // 2], "image/jpeg")

    # when / then
    assert rejection(hostile).messages == ["Berkas bukan gambar JPEG yang sah."]


def test_jpeg_the_browser_calls_a_pdf_is_accepted_as_jpeg():
    # given a JPEG whose name and claimed type both say PDF
    content = make_image("JPEG")
    claimed_pdf = upload("scan.pdf", content, "application/pdf")

    # when
    inspected = inspect_upload(claimed_pdf)

    # then the sniffed type wins
    assert inspected.content_type == "image/jpeg"
    assert inspected.extension == ".jpg"
    # and the name offered for download carries the extension of what it really is
    assert inspected.original_name == "scan.jpg"


@pytest.mark.parametrize(
    ("name", "content", "content_type", "extension"),
    [
        pytest.param("sk-tim.pdf", make_pdf(), "application/pdf", ".pdf", id="pdf"),
        pytest.param("foto.jpg", make_image("JPEG"), "image/jpeg", ".jpg", id="jpeg"),
        pytest.param("foto.png", make_image("PNG"), "image/png", ".png", id="png"),
    ],
)
def test_valid_file_is_accepted_with_its_digest_and_size(name, content, content_type, extension):
    # given a well-formed file of an allowed type
    uploaded = upload(name, content, "application/octet-stream")

    # when
    inspected = inspect_upload(uploaded)

    # then
    assert inspected == InspectedUpload(
        original_name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        extension=extension,
    )


def test_inspection_leaves_the_file_rewound_for_storage():
    # given an accepted file
    content = make_pdf()
    uploaded = upload("sk.pdf", content)

    # when
    inspect_upload(uploaded)

    # then storage reads the whole file again
    assert uploaded.read() == content


def test_digest_covers_a_file_larger_than_one_read_chunk():
    # given a PDF of several hundred kilobytes (many read chunks)
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Keterangan": "x" * 400_000})
    buffer = io.BytesIO()
    writer.write(buffer)
    content = buffer.getvalue()
    assert len(content) > 64 * 1024 * 4

    # when
    inspected = inspect_upload(upload("besar.pdf", content))

    # then
    assert inspected.size == len(content)
    assert inspected.sha256 == hashlib.sha256(content).hexdigest()


def test_pdf_restricted_only_by_an_owner_password_is_accepted():
    # given a PDF that opens without a password (only editing is restricted)
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="", owner_password="pemilik", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)

    # when
    inspected = inspect_upload(upload("sk.pdf", buffer.getvalue()))

    # then
    assert inspected.content_type == "application/pdf"


def test_pdf_that_needs_a_password_to_open_is_rejected():
    # given a PDF that an evaluator could not open
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="rahasia", owner_password="pemilik", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)

    # when
    error = rejection(upload("sk.pdf", buffer.getvalue()))

    # then
    assert error.code == "evidence_pdf_locked"
    assert "kata sandi" in error.messages[0]


def test_image_beyond_the_pixel_ceiling_is_rejected(monkeypatch):
    # given an image with more pixels than Pillow is allowed to decode (256 > 200)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 200)
    content = make_image("PNG")

    # when Pillow only warns about it
    with pytest.warns(Image.DecompressionBombWarning):
        error = rejection(upload("foto.png", content))

    # then it is still rejected
    assert error.code == "evidence_image_too_large"
    assert error.messages[0].startswith("Resolusi gambar terlalu besar")


def test_image_far_beyond_the_pixel_ceiling_is_rejected(monkeypatch):
    # given an image Pillow refuses to open at all (256 > 2 * 100)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)

    # when
    error = rejection(upload("foto.png", make_image("PNG")))

    # then
    assert error.code == "evidence_image_too_large"
    assert error.messages[0].startswith("Resolusi gambar terlalu besar")


def test_allowed_types_come_from_settings(settings):
    # given a deployment that takes PDFs only
    settings.EVIDENCE_ALLOWED_TYPES = ["application/pdf"]

    # when a PNG arrives
    error = rejection(upload("foto.png", make_image("PNG")))

    # then the message lists what is allowed
    assert error.messages == ["Jenis berkas tidak diizinkan: hanya PDF."]


def test_a_type_the_module_cannot_parse_is_a_configuration_error(settings):
    # given a type we could only recognise by its magic bytes
    settings.EVIDENCE_ALLOWED_TYPES = ["application/pdf", "application/zip"]

    # when / then
    with pytest.raises(ImproperlyConfigured, match="application/zip"):
        inspect_upload(upload("sk.pdf", make_pdf()))


def test_file_over_the_limit_is_rejected_even_without_the_upload_handler(settings):
    # given a file that reached inspection without the streaming limit
    settings.EVIDENCE_MAX_BYTES = 1024
    content = make_pdf() + bytes(2048)

    # when
    error = rejection(upload("besar.pdf", content))

    # then
    assert error.messages == ["Ukuran berkas melebihi batas 1 KB."]
    assert error.code == "evidence_too_large"


def test_file_whose_size_attribute_understates_it_is_rejected_while_reading(settings):
    # given a file object that claims to be tiny
    settings.EVIDENCE_MAX_BYTES = 1024
    lying = upload("besar.pdf", make_pdf() + bytes(2048))
    lying.size = 10

    # when / then
    assert rejection(lying).code == "evidence_too_large"


def test_default_limit_is_reported_in_megabytes():
    # given the default limit of 10 MiB and a file one byte over it
    content = b"%PDF-1.7\n" + bytes(10 * 1024 * 1024 - 8)

    # when / then
    assert rejection(upload("besar.pdf", content)).messages == [
        "Ukuran berkas melebihi batas 10 MB."
    ]


# --- names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("/var/www/laporan.pdf", "laporan.pdf"),
        ("C:\\Users\\operator\\laporan.pdf", "laporan.pdf"),
        ("C:laporan.pdf", "laporan.pdf"),
        ("lap\x00oran.pdf", "laporan.pdf"),
        ("..\x00/rahasia.pdf", "rahasia.pdf"),
        ("lap\x1b\x07oran\x7f.pdf", "laporan.pdf"),
        ("foto\u202efdp.exe", "fotofdp.exe"),
        ("  laporan \t akhir\n2024 .pdf ", "laporan akhir 2024 .pdf"),
        ("Laporan Aksi HAM – Balikpapan.pdf", "Laporan Aksi HAM – Balikpapan.pdf"),
        ("", "berkas"),
        ("..", "berkas"),
        ("../", "berkas"),
        ("\x00\x01", "berkas"),
    ],
)
def test_display_name_is_sanitised(raw, shown):
    # when / then
    assert sanitize_display_name(raw) == shown


def test_overlong_display_name_is_capped_keeping_its_extension():
    # given a 300-character name
    raw = "a" * 300 + ".pdf"

    # when
    shown = sanitize_display_name(raw)

    # then
    assert len(shown) == 255
    assert shown.endswith("a.pdf")


def test_inspection_sanitises_the_name_it_keeps():
    # given a hostile name on a valid file
    hostile = upload("x", make_pdf())
    hostile.name = "..\\..\\lap\x00oran\x1f.pdf"  # set after construction: Django would strip it

    # when
    inspected = inspect_upload(hostile)

    # then
    assert inspected.original_name == "laporan .pdf"


def test_name_with_nothing_left_falls_back_to_berkas_with_the_sniffed_extension():
    # given a valid PNG whose name is nothing but control characters
    nameless = upload("\x00\x1f\x7f", make_image("PNG"))

    # when / then
    assert inspect_upload(nameless).original_name == "berkas.png"


def test_storage_name_is_generated_from_date_uuid_and_sniffed_extension():
    # given a JPEG that arrived with a hostile name
    inspected = inspect_upload(upload("../../index.php", make_image("JPEG")))

    # when
    first = generate_storage_name(inspected, now=datetime(2025, 3, 9, tzinfo=UTC))
    second = generate_storage_name(inspected, now=datetime(2025, 3, 9, tzinfo=UTC))

    # then
    assert re.fullmatch(r"evidence/2025/03/[0-9a-f]{32}\.jpg", first)
    assert first != second


def test_storage_name_refuses_an_extension_it_did_not_sniff():
    # given an inspection result built by hand with a path in its extension
    forged = InspectedUpload("a.pdf", "application/pdf", 1, "0" * 64, ".pdf/../../x")

    # when / then
    with pytest.raises(ValueError, match="extension"):
        generate_storage_name(forged)


# --- size limit while receiving --------------------------------------------------------


class RecordingHandler(FileUploadHandler):
    """Stands in for storage: records how many bytes of each file reach it."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = {}

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received[self.file_name] = 0

    def receive_data_chunk(self, raw_data, start):
        self.received[self.file_name] += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


def multipart_post(data, factory=None):
    factory = factory or RequestFactory()
    return factory.post("/unggah/", data=data)


def named(name, content):
    stream = io.BytesIO(content)
    stream.name = name
    return stream


def test_file_over_the_limit_is_dropped_while_receiving_and_recorded(settings):
    # given a 300 KB file against a 100 KB limit, between other fields
    settings.EVIDENCE_MAX_BYTES = LIMIT
    request = multipart_post(
        {
            "catatan": "sebelum",
            "files": named("besar.pdf", b"%PDF-1.7\n" + bytes(300 * 1024)),
            "lampiran": named("kecil.pdf", make_pdf()),
            "penutup": "sesudah",
        }
    )
    install_upload_handlers(request)
    recorder = RecordingHandler(request)
    request.upload_handlers.insert(1, recorder)

    # when the body is parsed
    files, post = request.FILES, request.POST

    # then the large file never reached storage beyond the limit and is reported
    assert "files" not in files
    assert recorder.received["besar.pdf"] <= LIMIT
    assert request.evidence_oversize == {"files": ["besar.pdf"]}
    # and the rest of the request survived
    assert files["lampiran"].read() == make_pdf()
    assert post["catatan"] == "sebelum"
    assert post["penutup"] == "sesudah"


def test_file_of_exactly_the_limit_is_kept(settings):
    # given a file exactly as large as the limit
    settings.EVIDENCE_MAX_BYTES = LIMIT
    content = bytes(LIMIT)
    request = multipart_post({"files": named("pas.pdf", content)})
    install_upload_handlers(request)

    # when
    files = request.FILES

    # then
    assert files["files"].read() == content
    assert request.evidence_oversize == {}


def test_only_the_oversized_file_of_a_multiple_field_is_dropped(settings):
    # given three files in one field, the middle one too large
    settings.EVIDENCE_MAX_BYTES = LIMIT
    request = multipart_post(
        {
            "files": [
                named("satu.pdf", make_pdf()),
                named("dua.pdf", bytes(LIMIT + 1)),
                named("tiga.png", make_image("PNG")),
            ]
        }
    )
    install_upload_handlers(request)

    # when
    kept = [f.name for f in request.FILES.getlist("files")]

    # then
    assert kept == ["satu.pdf", "tiga.png"]
    assert request.evidence_oversize == {"files": ["dua.pdf"]}


def test_installing_twice_adds_one_handler():
    # given a request with the handler already installed
    request = multipart_post({"catatan": "x"})
    install_upload_handlers(request)

    # when
    install_upload_handlers(request)

    # then
    names = [type(h).__name__ for h in request.upload_handlers]
    assert names.count("EvidenceSizeLimitUploadHandler") == 1
    assert names[0] == "EvidenceSizeLimitUploadHandler"


def test_installing_after_the_body_was_parsed_is_refused():
    # given a request whose body something already read
    request = multipart_post({"files": named("a.pdf", make_pdf())})
    request.POST  # noqa: B018

    # when / then
    with pytest.raises(RuntimeError, match="csrf_exempt"):
        install_upload_handlers(request)


# --- reporting to the form and the view ------------------------------------------------


class EvidenceForm(forms.Form):
    files = EvidenceFileField(multiple=True)
    catatan = forms.CharField(required=False)


class SingleEvidenceForm(forms.Form):
    file = EvidenceFileField()


def file_dict(**fields):
    return MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in fields.items()})


@limit_evidence_uploads
def evidence_view(request):
    form = EvidenceForm(request.POST, request.FILES)
    mark_oversize_uploads(form, request)
    if not form.is_valid():
        return JsonResponse(
            {name: list(errors) for name, errors in form.errors.items()}, status=400
        )
    return HttpResponse(",".join(f.inspected.sha256 for f in form.cleaned_data["files"]))


def csrf_factory():
    """A factory whose requests carry a CSRF cookie, and the token that matches it."""
    factory = RequestFactory()
    probe = factory.get("/")
    token = get_token(probe)
    factory.cookies["csrftoken"] = probe.META["CSRF_COOKIE"]
    return factory, token


def test_view_reports_the_dropped_file_on_its_field_without_a_required_error(settings):
    # given an oversized file as the only file, with the CSRF token after it in the body
    settings.EVIDENCE_MAX_BYTES = LIMIT
    factory, token = csrf_factory()
    request = multipart_post(
        {"files": named("besar.pdf", bytes(300 * 1024)), "csrfmiddlewaretoken": token},
        factory,
    )

    # when
    response = evidence_view(request)

    # then the form explains the size, and nothing else
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "files": ["besar.pdf: Ukuran berkas melebihi batas 100 KB."]
    }


def test_view_accepts_files_within_the_limit(settings):
    # given two valid files
    settings.EVIDENCE_MAX_BYTES = LIMIT
    factory, token = csrf_factory()
    pdf, png = make_pdf(), make_image("PNG")
    request = multipart_post(
        {"csrfmiddlewaretoken": token, "files": [named("sk.pdf", pdf), named("f.png", png)]},
        factory,
    )

    # when
    response = evidence_view(request)

    # then
    assert response.status_code == 200
    assert response.content.decode().split(",") == [
        hashlib.sha256(pdf).hexdigest(),
        hashlib.sha256(png).hexdigest(),
    ]


def test_view_reports_dropped_and_hostile_files_together(settings):
    # given one oversized file and one executable in the same field
    settings.EVIDENCE_MAX_BYTES = LIMIT
    factory, token = csrf_factory()
    request = multipart_post(
        {
            "csrfmiddlewaretoken": token,
            "files": [named("besar.pdf", bytes(LIMIT * 2)), named("virus.pdf", b"MZ" + bytes(99))],
        },
        factory,
    )

    # when
    response = evidence_view(request)

    # then
    assert json.loads(response.content) == {
        "files": [
            "besar.pdf: Ukuran berkas melebihi batas 100 KB.",
            f"virus.pdf: {DISALLOWED}",
        ]
    }


def test_decorated_view_still_checks_csrf():
    # given a POST without a CSRF cookie or token
    request = multipart_post({"files": named("sk.pdf", make_pdf())})

    # when
    response = evidence_view(request)

    # then
    assert response.status_code == 403


def test_marking_without_the_handler_is_a_configuration_error():
    # given a view that forgot to install the handler
    request = multipart_post({"files": named("sk.pdf", make_pdf())})
    form = EvidenceForm(request.POST, request.FILES)

    # when / then
    with pytest.raises(ImproperlyConfigured, match="install_upload_handlers"):
        mark_oversize_uploads(form, request)


def test_marking_respects_the_form_prefix(settings):
    # given a prefixed form whose file was dropped
    settings.EVIDENCE_MAX_BYTES = LIMIT
    request = multipart_post({"bukti-files": named("besar.pdf", bytes(LIMIT + 1))})
    install_upload_handlers(request)
    form = EvidenceForm(request.POST, request.FILES, prefix="bukti")

    # when
    mark_oversize_uploads(form, request)

    # then
    assert not form.is_valid()
    assert form.errors["files"] == ["besar.pdf: Ukuran berkas melebihi batas 100 KB."]


def test_field_attaches_the_inspection_to_each_accepted_file():
    # given a form with a single-file and a multiple-file field
    single = SingleEvidenceForm(files=file_dict(file=upload("sk.pdf", make_pdf())))
    multiple = EvidenceForm(
        data={},
        files=file_dict(files=[upload("a.jpg", make_image("JPEG")), upload("b.pdf", make_pdf())]),
    )

    # when
    assert single.is_valid() and multiple.is_valid()

    # then
    assert single.cleaned_data["file"].inspected.content_type == "application/pdf"
    assert [f.inspected.content_type for f in multiple.cleaned_data["files"]] == [
        "image/jpeg",
        "application/pdf",
    ]


def test_field_names_the_file_it_rejects():
    # given an empty file and a garbage PDF
    form = EvidenceForm(
        data={},
        files=file_dict(files=[upload("kosong.pdf", b""), upload("rusak.pdf", b"%PDF-1.7\nrusak")]),
    )

    # when
    valid = form.is_valid()

    # then
    assert not valid
    assert form.errors["files"] == [
        "kosong.pdf: Berkas kosong.",
        "rusak.pdf: Berkas bukan PDF yang sah.",
    ]


def test_required_field_without_files_says_it_is_required():
    # given a bound form with no file
    form = EvidenceForm(data={}, files=file_dict())

    # when
    valid = form.is_valid()

    # then
    assert not valid
    assert form.errors.as_data()["files"][0].code == "required"


def test_widget_offers_multiple_selection_and_the_allowed_types():
    # when the multiple field is rendered
    html = str(EvidenceForm()["files"])

    # then
    assert "multiple" in html
    assert 'accept="application/pdf,image/jpeg,image/png"' in html
