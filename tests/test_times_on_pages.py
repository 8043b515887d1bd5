"""Every time a page prints is in the zone it names (DESIGN section 8).

The demo is seeded once for the module, with a 2026 round on top (a returned report, a report
waiting for review, an extension, a piagam batch with a revoked piagam). Then every page of the
three journeys is rendered for each role in both languages, and each printed
"Senin, 30 November 2026 pukul 04.00 WITA" is read back: the moment it names, converted from
the named zone, must be one the database holds (or a deadline, or the time of the request).
A time printed without a zone fails.
"""

import datetime
import html
import re

import pytest
import time_machine
from django.apps import apps
from django.db import models, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Region, User
from accounts.services import sync_holidays
from demo.story import seed_demo
from evaluation.models import Decision
from evaluation.services import ItemChoice, decide
from piagam.models import Certificate
from piagam.services import issue_batch, revoke
from reporting.models import Extension, Period, RejectionReason, Report, ReportingCycle
from reporting.requirements import report_requirements
from reporting.services import grant_extension
from tests.e2e.crawling import MOMENT, MONTHS, ZONES
from tests.support import submitted_report

NOW = datetime.datetime(2026, 11, 29, 4, 0, tzinfo=datetime.UTC)
# A clock time after a date or after "pukul"/"at", or any hh:mm, once the zoned ones are gone.
BARE = re.compile(
    r"(?:\d{4},? |pukul |\bat )(?:[01]?\d|2[0-3])[.:][0-5]\d\b|\b(?:[01]?\d|2[0-3]):[0-5]\d\b"
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo with a 2026 round on top, in one transaction rolled back at the end."""
    from django.conf import settings

    media = tmp_path_factory.mktemp("media")
    old_media, settings.MEDIA_ROOT = settings.MEDIA_ROOT, media
    traveller = time_machine.travel(NOW, tick=False)
    traveller.start()
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            sync_holidays([2025, 2026])
            seed_demo()
            yield _round_2026()
            transaction.set_rollback(True)
    finally:
        traveller.stop()
        settings.MEDIA_ROOT = old_media


def _round_2026():
    officer = User.objects.get(username="petugas.balikpapan")
    evaluator = User.objects.get(username="verifikator.kaltim")
    admin = User.objects.get(username="admin")
    balikpapan = Region.objects.get(code="64.71")
    samarinda = Region.objects.get(code="64.72")
    tw4 = Period.objects.get(cycle__year=2026, code="TW4")
    returned = submitted_report(
        balikpapan, tw4, officer, at=NOW - datetime.timedelta(days=3, minutes=17), label="bpn"
    )
    first = report_requirements(balikpapan, tw4)[0].requirements[0]
    choices = {
        req.pk: ItemChoice(Decision.ACCEPTED)
        for block in report_requirements(balikpapan, tw4)
        for req in block.requirements
    }
    choices[first.pk] = ItemChoice(Decision.REJECTED, RejectionReason.UNSIGNED, "Belum diteken.")
    decide(
        returned,
        by=evaluator,
        round=1,
        outcome="returned",
        choices=choices,
        now=NOW - datetime.timedelta(days=1, hours=5, minutes=41),
    )
    samarinda_officer = User.objects.get(username="petugas.samarinda")
    waiting = submitted_report(
        samarinda, tw4, samarinda_officer, at=NOW - datetime.timedelta(hours=7, minutes=3)
    )
    grant_extension(
        samarinda, tw4, due_on=datetime.date(2027, 1, 20), reason="Banjir.", by=evaluator
    )
    cycle = ReportingCycle.objects.get(year=2025)
    batch = issue_batch(
        cycle, evaluator.kanwil, by=admin, place="Samarinda", issued_on=datetime.date(2026, 11, 27)
    )
    revoked = batch.certificates.order_by("pk").first()
    if revoked is not None:
        revoke(revoked, by=admin, reason="Nilai dikoreksi.", now=NOW - datetime.timedelta(hours=2))
    return {
        "officer": officer,
        "evaluator": evaluator,
        "admin": admin,
        "returned": returned,
        "waiting": waiting,
        "batch": batch,
        "tw4": tw4,
    }


def stored_moments():
    """Every aware moment the database holds, to the minute."""
    found = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField):
                for value in model.objects.exclude(**{field.name: None}).values_list(
                    field.name, flat=True
                ):
                    found.add(value.replace(second=0, microsecond=0))
    return found


def due_dates():
    return set(Period.objects.values_list("due_on", flat=True)) | set(
        Extension.objects.values_list("due_on", flat=True)
    )


def visible_text(body):
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body))


def check_page(text, moments, dues, window):
    """Problems on one page: times in a zone they do not belong to, and times without one."""
    problems = []
    for match in MOMENT.finditer(text):
        day, month, year, hour, minute, zone = match.groups()
        local = datetime.datetime(
            int(year), MONTHS[month], int(day), int(hour), int(minute), tzinfo=ZONES[zone]
        )
        instant = local.astimezone(datetime.UTC)
        if instant in moments:
            continue
        if (hour, minute) == ("23", "59") and local.date() in dues:
            continue  # a deadline: the end of the due date in the region's zone
        if window[0] <= instant <= window[1]:
            continue  # "now", e.g. "Draf tersimpan"
        problems.append(f"{match.group(0)!r} is no stored moment in {zone}")
    for match in BARE.finditer(MOMENT.sub("", text)):
        problems.append(
            f"time without a zone: {text[max(0, match.start() - 40) : match.end() + 5]!r}"
        )
    return problems


def pages_for(role, demo):
    """(method, url, data) of every page of the role's journey."""
    returned, waiting, tw4 = demo["returned"], demo["waiting"], demo["tw4"]
    balikpapan = returned.region
    reports_2025 = list(Report.objects.filter(region=balikpapan, period__cycle__year=2025))
    reports = [*reports_2025, returned]
    common = []
    for report in reports:
        common.append(("get", reverse("reporting:report-detail", args=[report.pk]), None))
        for version in report.versions.all():
            common.append(
                ("get", reverse("reporting:report-version", args=[report.pk, version.number]), None)
            )
        common.append(
            ("get", reverse("evaluation:explain", args=[balikpapan.pk, report.period_id]), None)
        )
    if role == "officer":
        edit = reverse("reporting:report-edit", args=[tw4.pk])
        fields = {"notes": "", "proposals": ""}
        for entry in returned.entries.all():
            fields[f"aksi-{entry.action_id}-narrative"] = entry.narrative
            fields[f"aksi-{entry.action_id}-progress"] = entry.progress
        return [
            ("get", reverse("reporting:officer-home"), None),
            ("get", reverse("reporting:officer-home") + "?siklus=2025", None),
            ("get", edit, None),
            *common,
            # the conflict page: a form opened before the last save
            ("post", edit, {**fields, "revision": 0, "simpan": "1"}),
            # the confirmation page of a submission
            ("post", edit, {**fields, "revision": "CURRENT", "kirim": "1"}),
            # "Draf tersimpan", after the redirect
            ("post", edit, {**fields, "revision": "CURRENT", "simpan": "1"}),
        ]
    pages = [
        ("get", reverse("evaluation:queue"), None),
        ("get", reverse("evaluation:queue") + "?status=semua&siklus=2025", None),
        ("get", reverse("evaluation:queue") + "?status=semua", None),
        ("get", reverse("evaluation:review", args=[waiting.pk]), None),
        *[("get", reverse("evaluation:review", args=[r.pk]), None) for r in reports],
        ("get", reverse("reporting:report-detail", args=[waiting.pk]), None),
        *common,
        ("get", reverse("evaluation:rankings") + "?siklus=2025", None),
        ("get", reverse("piagam:awards") + "?siklus=2025&kanwil=kaltim", None),
        ("get", reverse("piagam:batch", args=[demo["batch"].pk]), None),
    ]
    if role == "admin":
        pages.append(("get", reverse("evaluation:overview"), None))
        pages += [
            ("get", reverse("piagam:verify", args=[certificate.token]), None)
            for certificate in Certificate.objects.filter(batch=demo["batch"])
        ]
    return pages


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("role", ["officer", "evaluator", "admin"])
def test_every_time_on_the_journey_is_in_the_zone_it_names(demo, role, language):
    # given the seeded demo and the person of the role, in the language
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    client.force_login(demo[role])
    moments, dues = stored_moments(), due_dates()

    # when every page of the role's journey is rendered
    problems, printed = [], 0
    for method, url, data in pages_for(role, demo):
        started = timezone.now() - datetime.timedelta(minutes=1)
        if method == "get":
            response = client.get(url)
        else:
            report = Report.objects.get(pk=demo["returned"].pk)
            if data["revision"] == "CURRENT":
                data = {**data, "revision": report.revision}
            response = client.post(url, data, follow=True)
        assert response.status_code == 200, (url, response.status_code)
        text = visible_text(response.content.decode())
        window = (started, timezone.now() + datetime.timedelta(minutes=1))
        moments |= stored_moments() if method == "post" else set()
        printed += len(MOMENT.findall(text))
        problems += [f"{url}: {problem}" for problem in check_page(text, moments, dues, window)]

    # then each printed time is a stored moment in the zone it names, and none lacks a zone
    assert printed > 0
    assert problems == []


def test_the_check_catches_a_time_in_the_wrong_zone_and_a_bare_time():
    # given a moment stored at 20.00 UTC
    moment = datetime.datetime(2026, 11, 29, 20, 0, tzinfo=datetime.UTC)
    window = (moment, moment)

    # then it reads right in WITA, wrong when the UTC clock is labelled WITA, and bare fails
    assert check_page("Senin, 30 November 2026 pukul 04.00 WITA", {moment}, set(), window) == []
    assert check_page("Monday, 30 November 2026 at 05.00 WIT", {moment}, set(), window) == []
    assert check_page("Minggu, 29 November 2026 pukul 20.00 WITA", {moment}, set(), window)
    assert check_page("dikirim 29 November 2026 20.00", {moment}, set(), window)
    assert check_page("pada 20:00", {moment}, set(), window)
