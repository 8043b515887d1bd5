"""PDFs whose actions reach outside the document are refused with the reason; decoding an
image costs the web process at most EVIDENCE_MAX_DECODE_BYTES (50 MB)."""

import json
import subprocess
import sys
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from reporting.uploads import UploadRejected, inspect_upload
from tests.security.conftest import (
    edit_url,
    files_field,
    first_requirement,
    footprint,
    payload,
    pdf_bytes,
    png_of_zeros,
)

OUTWARD = "menjangkau ke luar dokumen"


def action(kind):
    fields = {NameObject("/S"): NameObject(kind)}
    if kind == "/URI":
        fields[NameObject("/URI")] = TextStringObject("http://contoh.invalid/")
    elif kind in ("/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/Launch"):
        fields[NameObject("/F")] = TextStringObject("\\\\server\\share\\x.pdf")
    elif kind == "/JavaScript":
        fields[NameObject("/JS")] = TextStringObject("app.alert(1)")
    return DictionaryObject(fields)


def link_with(kind):
    def build(writer):
        annotation = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
                NameObject("/A"): action(kind),
            }
        )
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])

    return build


def in_an_outline_item(kind):
    """The action hidden in a bookmark, reached only by walking every object."""

    def build(writer):
        item = DictionaryObject(
            {NameObject("/Title"): TextStringObject("Bab 1"), NameObject("/A"): action(kind)}
        )
        writer._root_object[NameObject("/Outlines")] = writer._add_object(
            DictionaryObject({NameObject("/First"): writer._add_object(item)})
        )

    return build


def refusal(name, content):
    with pytest.raises(UploadRejected) as caught:
        inspect_upload(SimpleUploadedFile(name, content))
    return caught.value


@pytest.mark.parametrize("kind", ["/URI", "/SubmitForm", "/GoToR", "/GoToE", "/ImportData"])
def test_a_pdf_whose_link_reaches_outside_is_refused_with_the_reason(kind):
    error = refusal("laporan.pdf", pdf_bytes(link_with(kind)))

    assert error.code == "evidence_pdf_outward"
    assert OUTWARD in error.messages[0]


@pytest.mark.parametrize(
    "kind", ["/URI", "/SubmitForm", "/GoToR", "/GoToE", "/Launch", "/ImportData", "/JavaScript"]
)
def test_an_outward_action_anywhere_in_the_file_is_found(kind):
    error = refusal("laporan.pdf", pdf_bytes(in_an_outline_item(kind)))

    assert error.code in ("evidence_pdf_outward", "evidence_pdf_active")


@pytest.mark.django_db
def test_the_officer_sees_why_a_linked_pdf_was_refused_and_nothing_is_kept(
    client_for, officer_balikpapan, actions, open_period, media
):
    before = footprint(media)
    requirement = first_requirement(officer_balikpapan.region, open_period)
    data = payload(officer_balikpapan.region, open_period)
    data[files_field(requirement)] = SimpleUploadedFile(
        "tautan.pdf", pdf_bytes(link_with("/URI")), "application/pdf"
    )

    response = client_for(officer_balikpapan).post(edit_url(open_period), data)

    assert OUTWARD in response.content.decode()
    assert footprint(media) == before


# --- images -----------------------------------------------------------------------------------


def test_a_6300_pixel_square_png_under_the_pixel_cap_is_refused_before_decoding():
    content = png_of_zeros(6300, 6300)

    started = time.perf_counter()
    error = refusal("scan.png", content)
    elapsed = time.perf_counter() - started

    assert error.code == "evidence_image_too_large"
    assert elapsed < 0.05


PEAK_SCRIPT = """
import json, sys, time
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ranham_portal.settings")
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from reporting.uploads import inspect_upload
from tests.security.conftest import png_of_zeros, small_jpeg


def status(name):
    with open("/proc/self/status") as handle:
        line = next(line for line in handle if line.startswith(name + ":"))
    return int(line.split()[1])


side = int(sys.argv[1])
inspect_upload(SimpleUploadedFile("klein.jpg", small_jpeg()))
content = png_of_zeros(side, side)
with open("/proc/self/clear_refs", "w") as handle:
    handle.write("5")  # the peak (VmHWM) starts again from the current size
before = status("VmRSS")
started = time.perf_counter()
try:
    inspect_upload(SimpleUploadedFile("scan.png", content))
    outcome = "accepted"
except Exception as error:
    outcome = getattr(error, "code", repr(error))
elapsed = time.perf_counter() - started
print(json.dumps({"outcome": outcome, "kib": status("VmHWM") - before, "s": elapsed}))
"""


def peak_of(side):
    result = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, str(side)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_largest_png_accepted_costs_at_most_fifty_megabytes_to_check():
    # 3200 x 3200 RGB (10.2 megapixels): under the decode budget, so it is decoded in full
    measured = peak_of(3200)
    print(f"3200x3200 PNG: {measured}")

    assert measured["outcome"] == "accepted"
    assert measured["kib"] < 50 * 1024
