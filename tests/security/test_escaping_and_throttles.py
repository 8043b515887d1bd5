"""Markup and formulas stay text wherever they are shown; the public checks are throttled; the
deployment check wants a shared cache."""

import csv
import io
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.checks import run_checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from evaluation.models import Score
from reporting.services import start_report, submit_report
from tests.reporting.conftest import ON_TIME, fill_report, make_pdf

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('xss')</script>"


@pytest.fixture
def hostile_report(tw3, actions, balikpapan, officer_balikpapan):
    balikpapan.name = f"Kota {SCRIPT}"
    balikpapan.save(update_fields=["name"])
    report = start_report(balikpapan, tw3, by=officer_balikpapan)
    fill_report(report, by=officer_balikpapan, narrative=SCRIPT)
    return submit_report(report, by=officer_balikpapan, now=ON_TIME)


@pytest.mark.parametrize(
    "page",
    ["reporting:report-detail", "evaluation:review"],
)
def test_a_region_name_and_narrative_with_markup_are_shown_escaped(
    client_for, evaluator_kaltim, hostile_report, page
):
    response = client_for(evaluator_kaltim).get(reverse(page, args=[hostile_report.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert SCRIPT not in body
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in body


def test_the_queue_shows_a_hostile_region_name_escaped(
    client_for, evaluator_kaltim, hostile_report
):
    response = client_for(evaluator_kaltim).get(reverse("evaluation:queue"), {"status": "semua"})

    assert SCRIPT not in response.content.decode()
    assert "&lt;script&gt;" in response.content.decode()


FORMULAS = ['=HYPERLINK("http://contoh.invalid")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


@pytest.fixture
def formula_regions(tw3, balikpapan, samarinda, regions):
    """Regions whose names a spreadsheet would run as formulas, each with a score."""
    chosen = list(regions.filter(code__in=["64.71", "64.72", "64.74", "64.01"]).order_by("code"))
    for region, name in zip(chosen, FORMULAS, strict=True):
        region.name = name
        region.save(update_fields=["name"])
        Score.objects.create(
            region=region,
            period=tw3,
            completeness=Decimal(90),
            timeliness=Decimal(100),
            responsiveness=Decimal(100),
            final=Decimal("95.00"),
            submitted=True,
            on_time=True,
        )
    return chosen


def export(client, fmt):
    url = reverse("evaluation:rankings-export", args=[fmt]) + "?siklus=2025&periode=TW3"
    return client.get(url)


def test_names_starting_like_formulas_are_neutralised_in_csv(
    client_for, admin_user, formula_regions
):
    response = export(client_for(admin_user), "csv")

    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
    names = {line[2] for line in lines}
    assert {"'" + formula for formula in FORMULAS} <= names
    assert not names & set(FORMULAS)


def test_names_starting_like_formulas_stay_text_in_xlsx(client_for, admin_user, formula_regions):
    response = export(client_for(admin_user), "xlsx")

    sheet = load_workbook(io.BytesIO(response.content))["Peringkat"]
    cells = [line[2] for line in sheet.iter_rows(min_row=2)]
    by_value = {cell.value: cell for cell in cells}
    for formula in FORMULAS:
        assert by_value[formula].data_type == "s"


# --- the public throttles ------------------------------------------------------------------------


def test_lookups_past_the_limit_answer_429_and_read_nothing_more(client, regions, settings):
    settings.PIAGAM_LOOKUP_LIMIT = 3
    url = reverse("piagam:lookup")

    numbers = [f"{n:03d}/PIAGAM-HAM/KALTIM/2025" for n in range(5)]

    statuses = [client.get(url, {"nomor": number}).status_code for number in numbers]

    assert statuses == [404, 404, 404, 429, 429]


def test_file_checks_past_the_limit_answer_429(client, regions, settings):
    settings.PIAGAM_UPLOAD_LIMIT = 2
    url = reverse("piagam:verify", args=["tidak-ada"])

    statuses = [
        client.post(
            url, {"file": SimpleUploadedFile("p.pdf", make_pdf(), "application/pdf")}
        ).status_code
        for _ in range(4)
    ]

    assert statuses == [404, 404, 429, 429]


def test_a_client_cannot_escape_the_throttle_by_claiming_another_address(client, regions, settings):
    settings.PIAGAM_LOOKUP_LIMIT = 2
    settings.TRUSTED_PROXY_COUNT = 0
    url = reverse("piagam:lookup")

    statuses = [
        client.get(url, {"nomor": "001"}, headers={"x-forwarded-for": f"10.0.0.{n}"}).status_code
        for n in range(4)
    ]

    assert statuses[-1] == 429


# --- shared guards ---------------------------------------------------------------------------


def test_the_deploy_check_fails_without_a_shared_cache(settings):
    settings.DEBUG = False
    settings.CACHE_URL = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    errors = [m for m in run_checks(include_deployment_checks=True) if m.id == "accounts.E001"]

    assert len(errors) == 1
    assert "CACHE_URL" in errors[0].msg


def test_the_deploy_check_is_satisfied_by_a_shared_cache(settings):
    settings.DEBUG = False
    settings.CACHE_URL = "redis://127.0.0.1:6379/1"
    settings.CACHES = {
        "default": {
            "BACKEND": "ranham_portal.caching.PortalRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/1",
        }
    }

    messages = run_checks(include_deployment_checks=True)

    assert "accounts.E001" not in {m.id for m in messages}


def production_setting(name, **env):
    """A setting as a production process (DEBUG=0) would read it."""
    environment = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "k" * 64,
        "ALLOWED_HOSTS": "ranham.example.go.id",
        **env,
    }
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='ranham_portal.settings'; "
        f"from django.conf import settings; print(repr(getattr(settings, {name!r}, None)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_forwarded_proto_is_believed_only_behind_a_declared_proxy():
    assert production_setting("SECURE_PROXY_SSL_HEADER") == "None"
    assert production_setting("SECURE_PROXY_SSL_HEADER", TRUSTED_PROXY_COUNT="1") == (
        "('HTTP_X_FORWARDED_PROTO', 'https')"
    )
