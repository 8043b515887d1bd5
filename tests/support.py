"""Helpers shared by tests."""

import time


def wait_for(predicate, timeout=30.0, interval=0.1):
    """Poll until predicate() is true; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def tiny_pdf(label="bukti"):
    """A valid one-page PDF whose bytes differ per label (so checksums differ too)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": label})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def build_period(
    regions, *, year=2025, actions=2, items_per_action=1, code="TW3", due_on=None, closes_on=None
):
    """A cycle with one period and its actions, measures and evidence items, assigned to
    the given regions. Dates default to Triwulan III 2025 (due 10 Oct, closes 31 Oct)."""
    import datetime

    from reporting.models import (
        Action,
        ActionMeasure,
        Assignment,
        EvidenceRequirement,
        Period,
        ReportingCycle,
        TargetGroup,
    )

    cycle, _created = ReportingCycle.objects.get_or_create(year=year)
    due_on = due_on or datetime.date(year, 10, 10)
    closes_on = closes_on or due_on + datetime.timedelta(days=21)
    period = Period.objects.create(
        cycle=cycle,
        order=cycle.periods.count() + 1,
        code=code,
        name=f"Periode {code}",
        starts_on=due_on - datetime.timedelta(days=100),
        ends_on=due_on - datetime.timedelta(10),
        opens_on=due_on - datetime.timedelta(days=100),
        due_on=due_on,
        closes_on=closes_on,
    )
    groups = list(TargetGroup)
    for number in range(1, actions + 1):
        action, _created = Action.objects.get_or_create(
            cycle=cycle,
            number=number,
            defaults={
                "title": f"Aksi uji {number}",
                "target_group": groups[number % 4],
                "success_criterion": "Tercapai.",
            },
        )
        measure = ActionMeasure.objects.create(
            action=action, period=period, measure=f"Ukuran {number}"
        )
        EvidenceRequirement.objects.bulk_create(
            [
                EvidenceRequirement(measure=measure, order=order, name=f"Dokumen {number}.{order}")
                for order in range(1, items_per_action + 1)
            ]
        )
        Assignment.objects.bulk_create(
            [Assignment(action=action, region=region) for region in regions],
            ignore_conflicts=True,
        )
    return period


def submitted_report(region, period, officer, *, at, label="r"):
    """A complete report of the region, submitted at the given aware time."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reporting.models import ProgressStatus
    from reporting.requirements import report_requirements
    from reporting.services import DraftChanges, save_draft, start_report, submit_report
    from reporting.uploads import inspect_upload

    report = start_report(region, period, by=officer)
    blocks = report_requirements(region, period)
    uploads = []
    for block in blocks:
        for requirement in block.requirements:
            upload = SimpleUploadedFile(
                f"{label}-{requirement.pk}.pdf",
                tiny_pdf(f"{label}-{region.code}-{requirement.pk}"),
                "application/pdf",
            )
            upload.inspected = inspect_upload(upload)
            uploads.append((requirement.pk, upload))
    report = save_draft(
        report,
        DraftChanges(
            revision=report.revision,
            entries={b.action.pk: ("Capaian terlaksana.", ProgressStatus.DONE) for b in blocks},
            uploads=uploads,
        ),
        by=officer,
    )
    return submit_report(report, by=officer, now=at)
