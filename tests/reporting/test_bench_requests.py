"""The benchmark's requests are ones the portal accepts, so that it measures pages, not
redirects: an admin's session past the second factor, an officer's save and confirmed send."""

import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from reporting.models import Report, ReportStatus
from reporting.requirements import report_requirements
from reporting.services import DraftChanges, save_draft, start_report
from tests.conftest import PASSWORD
from tests.reporting.conftest import make_pdf

sys.path.insert(0, str(Path(settings.BASE_DIR) / "bench"))
import busy  # noqa: E402 - bench/ is no package: found on the path above
import measure  # noqa: E402

pytestmark = pytest.mark.django_db


def session_client(data):
    # CSRF checked as in production (the test client skips it by default).
    client = Client(enforce_csrf_checks=True)
    session = SessionStore()
    session.update(data)
    session.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


@pytest.mark.parametrize("who", ["admin_user", "evaluator_kaltim", "officer_balikpapan"])
def test_a_bench_session_reaches_its_home_page(who, request):
    user = request.getfixturevalue(who)
    client = session_client(measure._signed_in(user))
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert "/masuk" not in response.request["PATH_INFO"]
    assert "/akun/dua-langkah" not in response.request["PATH_INFO"]


@pytest.mark.parametrize("started", [False, True])
def test_the_busy_officers_save_and_send_their_report(
    started, officer_balikpapan, balikpapan, open_period, actions
):
    # given no report yet, or a draft already saved twice (as most are on a deadline day)
    revision = 0
    if started:
        draft = start_report(balikpapan, open_period, by=officer_balikpapan)
        for number in range(2):
            changes = DraftChanges(revision=draft.revision, notes=f"Catatan {number}")
            draft = save_draft(draft, changes, by=officer_balikpapan)
        revision = draft.revision
        assert revision > 0
    client = session_client(measure._signed_in(officer_balikpapan))
    blocks = report_requirements(balikpapan, open_period)
    csrf = "a" * 32
    fields, files = busy.report_form_fields(blocks, csrf, make_pdf("bench"))
    fields = busy.with_revision(fields, revision)
    url = f"/laporan/periode/{open_period.pk}/"
    client.cookies[settings.CSRF_COOKIE_NAME] = csrf
    data = dict(fields)
    for name, filename, content in files:
        data[name] = SimpleUploadedFile(filename, content, content_type="application/pdf")

    saved = client.post(url, data)
    assert saved.status_code == 302
    report = Report.objects.get(region=balikpapan, period=open_period)
    assert report.status == ReportStatus.DRAFT and report.evidence.count() == len(files)

    sent = client.post(url, dict(busy.send_fields(fields, report.revision)))
    assert sent.status_code == 302 and sent["Location"] == f"/laporan/{report.pk}/"
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


@pytest.mark.parametrize("who", ["evaluator_kaltim", "officer_balikpapan"])
def test_a_bench_session_holds_what_a_login_leaves(who, request, client):
    # given a real login of the same person
    user = request.getfixturevalue(who)
    client.post("/masuk/", {"username": user.username, "password": PASSWORD})
    logged_in = dict(client.session.items())

    # then the bench's session holds the same keys with the same values, but the moment its
    # expiry was pushed forward, so that its first view measures no write of the session
    made = measure._signed_in(user)
    assert made.keys() == logged_in.keys()
    moment = measure.RENEWED_SESSION_KEY
    assert {k: v for k, v in made.items() if k != moment} == {
        k: v for k, v in logged_in.items() if k != moment
    }
    assert abs(made[moment] - logged_in[moment]) < 60
