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


def in_browser(steps):
    """Run ``steps(browser)`` with a headless Chromium in a thread of its own.

    Playwright's sync API refuses a thread whose event loop is taken, as tests/e2e's browser
    takes the main thread's while its module runs. The ORM calls in ``steps`` use the
    thread's own connection, closed at the end so that the test database can be dropped.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM_FLAGS, chromium_path

    def run():
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium_path(), args=CHROMIUM_FLAGS
                )
                try:
                    return steps(browser)
                finally:
                    browser.close()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def verified_reports(period, cast, evaluator):
    """Submit and verify, through the services, one complete report per (region, officer, at)."""
    import datetime

    from evaluation.models import Decision
    from evaluation.services import ItemChoice, decide
    from reporting.requirements import report_requirements

    for region, officer, at in cast:
        report = submitted_report(region, period, officer, at=at)
        items = [r for b in report_requirements(region, period) for r in b.requirements]
        decide(
            report,
            by=evaluator,
            round=1,
            outcome="verified",
            choices={r.pk: ItemChoice(Decision.ACCEPTED) for r in items},
            now=at + datetime.timedelta(days=4),
        )


def specimen_certificate(batch, region):
    """A pending piagam of the batch for ``region``: the Kaltim 2025 specimen that the
    rendering and storage tests render."""
    import datetime
    import secrets
    from decimal import Decimal

    from piagam.models import Certificate

    return Certificate.objects.create(
        batch=batch,
        cycle=batch.cycle,
        kanwil=batch.kanwil,
        region=region,
        issuer_code="KALTIM",
        year=2025,
        sequence=1,
        number="001/PIAGAM-HAM/KALTIM/2025",
        categories=["terbaik"],
        score=Decimal("99.00"),
        recipient="Pemerintah Kota Balikpapan",
        issuer_name="Kanwil Kaltim",
        place="Balikpapan",
        issued_on=datetime.date(2025, 12, 10),
        signatory_name="Kepala (contoh)",
        signatory_title="Kepala Kantor Wilayah",
        specimen=True,
        token=secrets.token_urlsafe(24),
    )


def signed_in(user, home="/laporan/"):
    """A browser of ``user``'s, signed in before anything happens to the account."""
    from django.test import Client

    session = Client()
    session.force_login(user)
    assert session.get(home).status_code == 200
    return session
