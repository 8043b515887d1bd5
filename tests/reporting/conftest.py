"""Reporting data for the officer's job: a 2025 quarterly cycle, actions, reports, files.

The 2025 periods are in the past: services take ``now=`` to be placed inside their windows.
Views read the real clock, so the cycle also holds a period "UJI" whose window is placed
around today: open, due in ten days, closed in a month.
"""

import datetime
import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter

from reporting.models import (
    Action,
    ActionMeasure,
    Assignment,
    Evidence,
    EvidenceRequirement,
    Period,
    ProgressStatus,
    ReportEntry,
    ReportingCycle,
    TargetGroup,
)
from reporting.requirements import report_requirements
from reporting.services import DraftChanges, generate_periods, save_draft, start_report
from reporting.uploads import inspect_upload

REQUIREMENT_NAMES = ("SK Tim Pelaksana", "Notulen rapat")
WITA = datetime.timezone(datetime.timedelta(hours=8))
# Moments of the 2025 TW3 window (due 2025-10-10, closes 2025-10-31), in Balikpapan's time.
ON_TIME = datetime.datetime(2025, 10, 5, 10, 0, tzinfo=WITA)
LATE = datetime.datetime(2025, 10, 20, 10, 0, tzinfo=WITA)
AFTER_CLOSE = datetime.datetime(2025, 11, 5, 10, 0, tzinfo=WITA)


# --- files ------------------------------------------------------------------------------


def make_pdf(label="dokumen"):
    """A valid one-page PDF; the label goes into its metadata so that labels differ in bytes."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": label})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_png(seed=0):
    image = Image.frombytes("RGB", (4, 4), bytes((seed + i * 37) % 251 for i in range(48)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_upload(name="laporan.pdf", label=None):
    return SimpleUploadedFile(name, make_pdf(label or name), content_type="application/pdf")


def inspected(uploaded):
    """An upload as the form hands it to the service: checked, with ``.inspected`` set."""
    uploaded.inspected = inspect_upload(uploaded)
    return uploaded


def stored_files(root):
    """Every file under MEDIA_ROOT, relative to it."""
    root = Path(root)
    if not root.exists():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def sha256(content):
    return hashlib.sha256(content).hexdigest()


def raw_multipart(fields, files):
    """A multipart body built by hand, so that file names reach the server exactly as given.

    The test client strips directories from file names itself; a hostile client does not.
    ``files`` is a list of (field name, file name, bytes, declared content type).
    """
    boundary = "----ranham-uji-boundary"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + str(value).encode()
            + b"\r\n"
        )
    for field_name, file_name, content, content_type in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; '
            f'filename="{file_name}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


# --- reporting data ---------------------------------------------------------------------


def add_actions(cycle, count, *, regions):
    """Add ``count`` actions after the cycle's last, each with a measure in every period
    asking for the two items of REQUIREMENT_NAMES, assigned to ``regions``."""
    periods = list(cycle.periods.all())
    first = (cycle.actions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    groups = list(TargetGroup)
    actions = []
    for number in range(first, first + count):
        action = Action.objects.create(
            cycle=cycle,
            number=number,
            title=f"Aksi uji nomor {number}",
            target_group=groups[number % len(groups)],
            success_criterion=f"Kriteria keberhasilan aksi {number}.",
        )
        for period in periods:
            measure = ActionMeasure.objects.create(
                action=action, period=period, measure=f"Ukuran aksi {number} {period.code}."
            )
            EvidenceRequirement.objects.bulk_create(
                [
                    EvidenceRequirement(measure=measure, order=order, name=name)
                    for order, name in enumerate(REQUIREMENT_NAMES, start=1)
                ]
            )
        Assignment.objects.bulk_create([Assignment(action=action, region=r) for r in regions])
        actions.append(action)
    return actions


def requirement_of(action, period, name="SK Tim Pelaksana"):
    return EvidenceRequirement.objects.get(
        measure__action=action, measure__period=period, name=name
    )


def full_changes(report, *, narrative="Capaian periode ini.", label=None, uploads=True):
    """Changes that complete the report: a narrative for every assigned action and a PDF
    for every required item (each PDF different in bytes unless ``label`` is given)."""
    changes = DraftChanges(revision=report.revision, notes="Catatan uji.", proposals="")
    for block in report_requirements(report.region, report.period):
        changes.entries[block.action.pk] = (
            f"{narrative} (aksi {block.action.number})",
            ProgressStatus.IN_PROGRESS,
        )
        if uploads:
            for requirement in block.requirements:
                name = f"{requirement.name}.pdf"
                tag = label or f"{report.region.code}-{requirement.pk}"
                changes.uploads.append((requirement.pk, inspected(pdf_upload(name, tag))))
    return changes


def fill_report(report, *, by, **kwargs):
    """Save a complete draft through the service."""
    return save_draft(report, full_changes(report, **kwargs), by=by)


def add_evidence_rows(report, requirement, count, *, by, content_key=None):
    """Evidence rows without files behind them, for pages that never open the files."""
    key = content_key or f"{report.pk}-{requirement.pk}"
    Evidence.objects.bulk_create(
        [
            Evidence(
                report=report,
                requirement=requirement,
                file=f"evidence/uji/{key}-{index}.pdf",
                original_name=f"{requirement.name} {index}.pdf",
                content_type="application/pdf",
                size=1000 + index,
                sha256=sha256(f"{key}-{index}".encode()),
                uploaded_by=by,
            )
            for index in range(count)
        ]
    )


def add_entries(report):
    for block in report_requirements(report.region, report.period):
        ReportEntry.objects.get_or_create(
            report=report,
            action=block.action,
            defaults={"narrative": "Sudah berjalan.", "progress": ProgressStatus.IN_PROGRESS},
        )


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded files land in a fresh folder per test; the test can look at what is there."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    settings.EVIDENCE_ALLOWED_TYPES = ["application/pdf", "image/jpeg", "image/png"]
    settings.EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    # The cast is created per test; nobody here logs in with a password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return root


@pytest.fixture
def cycle(regions):
    """RANHAM 2025, quarterly (TW1-TW4 from ``generate_periods``) plus the open period UJI."""
    cycle = ReportingCycle.objects.create(year=2025, name="RANHAM 2025")
    generate_periods(cycle)
    today = timezone.localdate()
    Period.objects.create(
        cycle=cycle,
        order=5,
        code="UJI",
        name="Periode uji",
        starts_on=today - datetime.timedelta(days=90),
        ends_on=today - datetime.timedelta(days=5),
        opens_on=today - datetime.timedelta(days=90),
        due_on=today + datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=31),
    )
    return cycle


@pytest.fixture
def tw3(cycle):
    return cycle.periods.get(code="TW3")


@pytest.fixture
def open_period(cycle):
    return cycle.periods.get(code="UJI")


@pytest.fixture
def actions(cycle, balikpapan, samarinda):
    """Aksi 1-3, assigned to Balikpapan and Samarinda."""
    return add_actions(cycle, 3, regions=[balikpapan, samarinda])


@pytest.fixture
def samarinda_only_action(actions, cycle, samarinda):
    """Aksi 4, assigned to Samarinda alone."""
    return add_actions(cycle, 1, regions=[samarinda])[0]


@pytest.fixture
def draft(tw3, actions, balikpapan, officer_balikpapan):
    """Balikpapan's empty TW3 2025 draft."""
    return start_report(balikpapan, tw3, by=officer_balikpapan)


@pytest.fixture
def complete_draft(draft, officer_balikpapan):
    """Balikpapan's TW3 2025 draft with every narrative and every item filled in."""
    return fill_report(draft, by=officer_balikpapan)
