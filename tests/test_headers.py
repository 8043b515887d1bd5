"""Every response carries a Content-Security-Policy without inline code and a
Permissions-Policy; no template holds inline script, style attributes or event handlers."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.support import build_period, submitted_report

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Rendered by WeasyPrint into the piagam PDF, or read by mail programs (which need inline
# styles): never shown by a browser under the portal's policy.
NOT_FOR_BROWSERS = {TEMPLATES / "piagam" / "piagam.html"}
MAIL_TEMPLATES = TEMPLATES / "notifications" / "email"

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
# A JSON data island (json_script) is data, not code; Django writes it without a template tag.


def directives(response):
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def assert_portal_headers(response):
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    for name in ("default-src", "script-src", "style-src"):
        assert "'unsafe-inline'" not in policy.get(name, [])
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


# (URL name, kwargs, who asks, expected status)
PAGES = [
    ("accounts:login", {}, "anonymous", 200),
    ("piagam:lookup", {}, "anonymous", 200),
    ("reporting:officer-home", {}, "officer_balikpapan", 200),
    ("evaluation:queue", {}, "evaluator_kaltim", 200),
    ("evaluation:rankings", {}, "evaluator_kaltim", 200),
    ("evaluation:overview", {}, "admin_user", 200),
    ("piagam:awards", {}, "admin_user", 200),
    ("evaluation:overview", {}, "officer_balikpapan", 403),
    ("home", {}, "anonymous", 302),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs", "who", "status"), PAGES)
def test_every_page_carries_the_content_and_permissions_policies(
    client_for, request, name, kwargs, who, status
):
    # given
    client = client_for(request.getfixturevalue(who))

    # when
    response = client.get(reverse(name, kwargs=kwargs))

    # then
    assert response.status_code == status
    assert_portal_headers(response)
    assert directives(response)["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_a_missing_page_carries_the_policies_too(client):
    response = client.get("/tidak-ada/")

    assert response.status_code == 404
    assert_portal_headers(response)


@pytest.mark.django_db
def test_an_evidence_preview_may_be_framed_by_the_portal_only(
    client_for, evaluator_kaltim, officer_balikpapan, balikpapan, settings, tmp_path
):
    # given: a submitted report with one evidence file
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    period = build_period(
        [balikpapan], year=today.year + 5, actions=1, due_on=today + datetime.timedelta(days=5)
    )
    report = submitted_report(
        balikpapan, period, officer_balikpapan, at=timezone.now() - datetime.timedelta(hours=1)
    )
    evidence = report.evidence.first()

    # when
    response = client_for(evaluator_kaltim).get(
        reverse("reporting:evidence-file", args=[evidence.pk])
    )

    # then: the review screen on the same origin may show it; nobody else may frame it
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert directives(response)["frame-ancestors"] == ["'self'"]
    assert "camera=()" in response["Permissions-Policy"]


def browser_templates():
    return sorted(
        p
        for p in TEMPLATES.rglob("*.html")
        if p not in NOT_FOR_BROWSERS and MAIL_TEMPLATES not in p.parents
    )


def test_the_template_scan_sees_the_templates():
    names = {p.relative_to(TEMPLATES).as_posix() for p in browser_templates()}

    assert {"base.html", "evaluation/review.html", "piagam/batch.html"} <= names
    assert "notifications/list.html" in names
    assert "piagam/piagam.html" not in names
    assert not any(name.startswith("notifications/email/") for name in names)


@pytest.mark.parametrize(
    "pattern", [INLINE_SCRIPT, STYLE_ATTRIBUTE, HANDLER_ATTRIBUTE], ids=["script", "style", "on"]
)
def test_no_template_holds_inline_script_or_style(pattern):
    offences = {}
    for path in browser_templates():
        found = [m.group(0).strip() for m in pattern.finditer(path.read_text(encoding="utf-8"))]
        if found:
            offences[path.relative_to(TEMPLATES).as_posix()] = found

    assert offences == {}
