"""Delivery through a real SMTP server and a signed HTTP gateway; failures retried, then shown."""

import hashlib
import hmac
import http.server
import json
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from notifications import delivery
from notifications.channels import SIGNATURE_HEADER
from notifications.events import report_event
from notifications.models import Channel, Kind, Mode, Preference, SendLog, SendStatus
from reporting.models import ReportEvent

from .conftest import notices_of
from .test_event_notices import SUBMITTED_AT

pytestmark = pytest.mark.django_db

SECRET = "rahasia-gateway"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


@pytest.fixture
def gateway(settings):
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            good = hmac.compare_digest(self.headers.get(SIGNATURE_HEADER, ""), expected)
            received.append((good, json.loads(body)))
            self.send_response(204 if good else 401)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    # A short poll, so that shutdown() at the end does not wait half a second.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    settings.NOTIFY_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/kirim"
    settings.NOTIFY_GATEWAY_SECRET = SECRET
    yield received
    server.shutdown()


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def submission(period_kaltim, balikpapan, with_email):
    from tests.support import submitted_report

    officer, _o, evaluator, _e = with_email
    evaluator.phone = "+628111111111"
    evaluator.phone_confirmed_at = evaluator.email_confirmed_at
    evaluator.save(update_fields=["phone", "phone_confirmed_at"])
    Preference.objects.create(user=evaluator, kind=Kind.SUBMITTED, mode=Mode.IMMEDIATELY)
    report = submitted_report(balikpapan, period_kaltim, officer, at=SUBMITTED_AT)
    return evaluator, ReportEvent.objects.filter(report=report).last()


def test_an_immediate_notice_goes_through_a_real_smtp_server_with_text_and_html(
    smtp_server, submission, capture
):
    evaluator, event = submission

    with capture(execute=True):
        report_event(event.pk)

    [(recipients, content)] = smtp_server.messages
    assert recipients == [evaluator.email]
    assert "text/plain" in content and "text/html" in content
    assert f"http://127.0.0.1:8000/evaluasi/laporan/{event.report_id}/reviu/" in content
    assert SendLog.objects.get(channel=Channel.EMAIL).status == SendStatus.SENT


def test_the_gateway_gets_a_signed_short_text_and_link_only(gateway, submission, capture):
    evaluator, event = submission

    with capture(execute=True):
        report_event(event.pk)

    [(good, payload)] = gateway
    assert good
    assert set(payload) == {"to", "text", "url", "id"}
    assert payload["to"] == "+628111111111"
    assert payload["url"].endswith(f"/evaluasi/laporan/{event.report_id}/reviu/")
    assert SendLog.objects.get(channel=Channel.GATEWAY).status == SendStatus.SENT


def test_a_failing_channel_is_retried_with_backoff_then_shown_as_failed(
    settings, submission, monkeypatch, capture
):
    evaluator, event = submission
    settings.NOTIFY_GATEWAY_URL = "http://127.0.0.1:9/tertutup"  # nothing listens there
    settings.NOTIFY_GATEWAY_SECRET = SECRET
    countdowns = []
    real_apply_async = delivery.deliver.apply_async

    def record(*args, countdown=None, **kwargs):
        countdowns.append(countdown)
        return real_apply_async(*args, **kwargs)

    monkeypatch.setattr(delivery.deliver, "apply_async", record)

    with capture(execute=True):
        report_event(event.pk)

    row = SendLog.objects.get(channel=Channel.GATEWAY)
    assert row.status == SendStatus.FAILED
    assert row.attempts == delivery.MAX_ATTEMPTS and row.last_error
    assert countdowns == [None, 60, 120, 240, 480]  # the first send, then the retries
    # The e-mail channel of the same notice went through once.
    assert SendLog.objects.get(channel=Channel.EMAIL).status == SendStatus.SENT
    assert len(mail.outbox) == 1


def test_a_delivery_claimed_by_another_worker_is_not_sent_again(submission, capture):
    evaluator, event = submission
    with capture(execute=True):
        report_event(event.pk)
    row = SendLog.objects.get(channel=Channel.EMAIL)

    assert delivery.deliver([row.pk]) == 0
    assert len(mail.outbox) == 1
    assert len(notices_of(evaluator, Kind.SUBMITTED)) == 1
