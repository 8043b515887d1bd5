"""A round starts in the browser: the ministry imports 1,200 accounts (preview, then commit),
and a new officer opens the invitation from the real mail, sets a password and logs in.

The invitation is delivered by running its outbox entry and the delivery task in this process
(not by a worker): the 1,200 entries the commit queues stay in the broker, and only the one
officer's is run, through a real SMTP server (aiosmtpd) that receives the mail."""

import email
import email.policy
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from accounts.models import Invitation, User
from demo.accounts_sheet import national_rows, workbook_bytes
from outbox.models import Entry

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROWS = 1200
PASSWORD = "Sandi-Petugas-Baru-2027"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp_inbox(settings, live_server):
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    settings.NOTIFY_GATEWAY_URL = ""
    settings.SITE_URL = live_server.url
    yield inbox
    controller.stop()


@pytest.fixture
def broker_left_clean():
    from ranham_portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    # The commit queued one outbox task per invitation; no worker here takes them.
    app.control.purge()
    app.conf.task_always_eager = before


def deliver_in_process(invitation):
    """What a worker would do with the officer's invitation, here in this process: the
    handler of the import's outbox entry (a batch of ids; only this one is run, so that one
    mail goes through SMTP rather than a hundred) and the delivery task it queues."""
    from notifications.invitations import send_invitations
    from ranham_portal.celery import app

    entry = next(
        entry
        for entry in Entry.objects.filter(topic="accounts.invitations_sent")
        if invitation.pk in entry.payload["invitation_ids"]
    )
    app.conf.task_always_eager = True
    try:
        send_invitations(invitation_ids=[invitation.pk])
    finally:
        app.conf.task_always_eager = False
    return entry


def mail_to(inbox, address):
    for raw in inbox.messages:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        if message["To"] == address:
            return message
    raise AssertionError(f"no mail to {address} among {len(inbox.messages)}")


def invitation_link(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+/undangan/\S+", text).group(0)


def test_a_national_round_is_imported_and_a_new_officer_joins_from_the_mail(
    page, login, admin_user, kanwil_kaltim, smtp_inbox, broker_left_clean, tmp_path, live_server
):
    # given: a generated national accounts file of 1,200 people
    rows = national_rows(ROWS)
    officer = next(row for row in rows if row.get("region") == "64.71")
    upload = tmp_path / "akun-nasional.xlsx"
    upload.write_bytes(workbook_bytes(rows))

    # when: the admin uploads it, reads the preview and imports
    login(admin_user)
    page.goto("/akun/impor/")
    page.get_by_label("Berkas akun (XLSX atau CSV)").set_input_files(str(upload))
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("count-create")).to_contain_text(str(ROWS), timeout=30_000)
    expect(page.get_by_test_id("count-error")).to_contain_text("0")
    assert User.objects.filter(email=officer["email"]).count() == 0
    page.get_by_test_id("commit").click()
    page.get_by_test_id("confirm-commit").get_by_role("button", name="Ya, impor").click(
        timeout=60_000
    )

    # then: every account exists, inactive, each with one invitation
    expect(page.get_by_role("alert").first).to_contain_text(
        f"Impor selesai: {ROWS} akun baru diundang", timeout=60_000
    )
    assert Invitation.objects.count() == ROWS
    person = User.objects.get(email=officer["email"])
    assert not person.is_active and not person.has_usable_password()

    # when: the officer's invitation is delivered and opened from the mail received
    deliver_in_process(Invitation.objects.get(user=person))
    assert len(smtp_inbox.messages) == 1
    link = invitation_link(mail_to(smtp_inbox, officer["email"]))
    newcomer = page.context.browser.new_context(locale="id-ID", base_url=live_server.url)
    invited = newcomer.new_page()
    invited.goto(link)
    expect(invited.get_by_test_id("username")).to_have_text(person.username)
    expect(invited.get_by_test_id("invited")).to_contain_text("WITA")
    invited.locator("input[name=new_password1]").fill(PASSWORD)
    invited.get_by_label("Ulangi kata sandi baru").fill(PASSWORD)
    invited.get_by_role("button", name="Simpan kata sandi dan masuk").click()

    # then: signed in at the officer's home; the e-mail is confirmed; later logins work
    expect(invited.get_by_test_id("who")).to_contain_text("Kota Balikpapan")
    person.refresh_from_db()
    assert person.is_active and person.email_confirmed_at is not None
    invited.get_by_role("button", name="Keluar").click()
    invited.goto("/masuk/")
    invited.get_by_label("Nama pengguna").fill(person.username)
    invited.get_by_label("Kata sandi").fill(PASSWORD)
    invited.get_by_role("button", name="Masuk").click()
    expect(invited.get_by_test_id("who")).to_contain_text("Kota Balikpapan")
    newcomer.close()
