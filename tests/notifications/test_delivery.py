"""Delivery through a real SMTP server and a signed HTTP gateway; failures retried, then shown."""

import datetime
import hashlib
import hmac
import http.server
import json
import re
import socket
import threading
from unittest import mock

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
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


def _due_again(row):
    """Let the row's backoff pass, as the clock would."""
    SendLog.objects.filter(pk=row.pk).update(available_at=timezone.now())


def test_a_failing_channel_is_retried_with_backoff_then_shown_as_failed_with_its_reason(
    settings, submission, capture
):
    evaluator, event = submission
    settings.NOTIFY_GATEWAY_URL = "http://127.0.0.1:9/tertutup"  # nothing listens there
    settings.NOTIFY_GATEWAY_SECRET = SECRET

    with capture(execute=True):
        report_event(event.pk)

    row = SendLog.objects.get(channel=Channel.GATEWAY)
    waits = []
    while row.status == SendStatus.RETRYING:
        waits.append(round((row.available_at - row.updated_at).total_seconds()))
        assert delivery.sweep_deliveries() == 0  # not before its backoff
        _due_again(row)
        with capture(execute=True):
            assert delivery.sweep_deliveries() == 1  # the sweep sends it again
        row.refresh_from_db()
    assert waits == [60, 120, 240, 480]
    assert row.status == SendStatus.FAILED
    assert row.attempts == delivery.MAX_ATTEMPTS and "URLError" in row.last_error
    # The e-mail channel of the same notice went through once.
    assert SendLog.objects.get(channel=Channel.EMAIL).status == SendStatus.SENT
    assert len(mail.outbox) == 1


def test_an_admin_sends_a_failed_delivery_again_from_the_send_log(
    submission, capture, client_for, admin_user
):
    evaluator, event = submission
    with capture(execute=True):
        report_event(event.pk)
    row = SendLog.objects.get(channel=Channel.EMAIL)
    SendLog.objects.filter(pk=row.pk).update(
        status=SendStatus.FAILED, attempts=5, last_error="SMTPServerDisconnected: mati"
    )
    mail.outbox.clear()

    page = client_for(admin_user).get(reverse("admin:notifications_sendlog_changelist"))
    assert "SMTPServerDisconnected: mati" in page.content.decode()  # the reason is shown
    with capture(execute=True):
        response = client_for(admin_user).post(
            reverse("admin:notifications_sendlog_changelist"),
            {"action": "send_again", "_selected_action": [row.pk]},
        )

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == SendStatus.SENT and row.attempts == 1 and row.last_error == ""
    [message] = mail.outbox
    assert message.to == [evaluator.email]


def test_a_delivery_sent_again_from_the_send_log_names_the_admin_in_the_audit_trail(
    submission, capture, client_for, admin_user
):
    # given: a failed e-mail delivery and a sent one
    evaluator, event = submission
    with capture(execute=True):
        report_event(event.pk)
    row = SendLog.objects.get(channel=Channel.EMAIL)
    SendLog.objects.filter(pk=row.pk).update(
        status=SendStatus.FAILED, attempts=5, last_error="SMTPServerDisconnected: mati"
    )
    sent = SendLog.objects.create(
        recipient=evaluator,
        kind=Kind.SUBMITTED,
        object_type="reporting.reportevent",
        object_id="sent-before",
        channel=Channel.EMAIL,
        status=SendStatus.SENT,
        attempts=1,
    )

    # when: the admin sends both again
    with capture(execute=True):
        client_for(admin_user).post(
            reverse("admin:notifications_sendlog_changelist"),
            {"action": "send_again", "_selected_action": [row.pk, sent.pk]},
        )

    # then: one audit event, for the failed one, with who, to whom, what and why it had failed
    [audited] = AuditEvent.objects.filter(action=AuditAction.DELIVERY_RESENT)
    assert audited.actor == admin_user
    assert (audited.object_type, audited.object_id) == ("notifications.sendlog", str(row.pk))
    assert audited.details == {
        "recipient": evaluator.username,
        "kind": Kind.SUBMITTED,
        "channel": Channel.EMAIL,
        "attempts": 5,
        "last_error": "SMTPServerDisconnected: mati",
    }


def test_a_delivery_claimed_by_another_worker_is_not_sent_again(submission, capture):
    evaluator, event = submission
    with capture(execute=True):
        report_event(event.pk)
    row = SendLog.objects.get(channel=Channel.EMAIL)

    assert delivery.deliver([row.pk]) == 0
    assert len(mail.outbox) == 1
    assert len(notices_of(evaluator, Kind.SUBMITTED)) == 1


@pytest.fixture
def three_waiting(period_kaltim, balikpapan, with_email, evaluator_kaltim):
    """Three immediate notices waiting to be sent (their entries not run yet)."""
    from notifications.models import Notice
    from notifications.services import queue_deliveries

    notices = [
        Notice.objects.create(
            recipient=evaluator_kaltim,
            kind=Kind.SUBMITTED,
            object_type="reporting.period",
            object_id=str(period_kaltim.pk),
            occasion=f"uji-{n}",
            title=f"Pemberitahuan {n}",
            mode=Mode.IMMEDIATELY,
        )
        for n in range(3)
    ]
    queue_deliveries(notices)  # no commit here: the entries are not run
    return list(SendLog.objects.order_by("pk").values_list("pk", flat=True))


def test_a_row_is_claimed_only_just_before_it_is_sent(three_waiting, monkeypatch):
    # given a worker killed while sending the second row of its batch
    from notifications import channels

    real = channels.notice_message
    sends = []

    def dies_at_the_second(notice, language):
        sends.append(notice.pk)
        if len(sends) == 2:
            raise KeyboardInterrupt("SIGKILL")  # nothing after this line runs in the worker
        return real(notice, language)

    monkeypatch.setattr(delivery, "notice_message", dies_at_the_second)
    with pytest.raises(KeyboardInterrupt):
        delivery.deliver(three_waiting)

    # then the first is sent, the second held under its lease, the third never touched
    first, second, third = (SendLog.objects.get(pk=pk) for pk in three_waiting)
    assert first.status == SendStatus.SENT
    assert second.status == SendStatus.SENDING and second.lease_until > timezone.now()
    assert third.status == SendStatus.PENDING and third.attempts == 0

    # when the batch is run again (a redelivered task): it resumes with the third
    monkeypatch.setattr(delivery, "notice_message", real)
    assert delivery.deliver(three_waiting) == 1
    assert [m.subject for m in mail.outbox] == [
        "[RANHAM] Pemberitahuan 0",
        "[RANHAM] Pemberitahuan 2",
    ]

    # and the held one goes out once its lease runs out, taken by the sweep
    assert delivery.sweep_deliveries() == 0
    with time_machine.travel(second.lease_until + datetime.timedelta(seconds=1)):
        assert list(delivery.due_rows().values_list("pk", flat=True)) == [second.pk]
        assert delivery.deliver([second.pk]) == 1
    assert SendLog.objects.get(pk=second.pk).status == SendStatus.SENT
    assert len(mail.outbox) == 3


def test_a_mail_carries_a_message_id_derived_from_its_send_key(three_waiting, settings):
    settings.DEFAULT_FROM_EMAIL = "Portal Aksi HAM <noreply@ham.go.id>"
    row = SendLog.objects.get(pk=three_waiting[0])

    delivery.deliver([row.pk])
    SendLog.objects.filter(pk=row.pk).update(status=SendStatus.PENDING)
    delivery.deliver([row.pk])  # sent again (at least once): the same Message-ID

    first, second = (m.extra_headers["Message-ID"] for m in mail.outbox)
    assert first == second == delivery.message_id(row)
    assert re.fullmatch(rf"<sendlog-{row.pk}-[0-9a-f]{{20}}@ham\.go\.id>", first)
    other = SendLog.objects.get(pk=three_waiting[1])
    assert delivery.message_id(other) != first


def test_the_gateway_gets_an_idempotency_key_the_same_on_every_attempt(
    gateway, submission, capture
):
    evaluator, event = submission
    keys = []
    from notifications import channels

    real = channels.urllib.request.urlopen

    def keep_key(request, timeout):
        keys.append(request.get_header("Idempotency-key"))
        return real(request, timeout=timeout)

    with mock.patch.object(channels.urllib.request, "urlopen", keep_key):
        with capture(execute=True):
            report_event(event.pk)
        row = SendLog.objects.get(channel=Channel.GATEWAY)
        SendLog.objects.filter(pk=row.pk).update(status=SendStatus.PENDING)
        delivery.deliver([row.pk])

    assert keys == [delivery.idempotency_key(row)] * 2
    assert keys[0].startswith(f"sendlog-{row.pk}-")
