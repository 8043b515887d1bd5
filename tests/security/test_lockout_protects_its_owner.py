"""An attacker without the password cannot keep a real officer out, and still gets only a few
guesses an hour from any spread of addresses."""

import datetime
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outbox import tasks
from outbox.models import Entry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/masuk/"
OFFICE = "198.51.100.10"


def guess(client, address, username="petugas.bpn"):
    return client.post(
        LOGIN, {"username": username, "password": "tebakan-salah"}, REMOTE_ADDR=address
    )


def log_in(client, address=OFFICE):
    return client.post(
        LOGIN, {"username": "petugas.bpn", "password": PASSWORD}, REMOTE_ADDR=address
    )


def run_outbox():
    for pk in Entry.objects.values_list("pk", flat=True):
        tasks.run_entry(pk)


@pytest.fixture
def officer(officer_balikpapan):
    officer_balikpapan.email = "petugas@balikpapan.go.id"
    officer_balikpapan.email_confirmed_at = timezone.now()
    officer_balikpapan.save(update_fields=["email", "email_confirmed_at"])
    return officer_balikpapan


def test_five_anonymous_wrong_passwords_do_not_lock_the_officer_out(officer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        attacker = Client()
        for _ in range(5):
            guess(attacker, "203.0.113.66")

    with time_machine.travel(start + datetime.timedelta(seconds=31), tick=False):
        response = log_in(Client())

    assert response.status_code == 302
    assert guess(attacker, "203.0.113.66").status_code == 429  # the guesser is locked


def test_a_spread_of_addresses_gets_no_more_than_a_few_guesses_an_hour(officer):
    # given: an attacker with a new address for every try, one try every 30 s for an hour
    start = timezone.now()
    attacker = Client()
    for n in range(120):
        with time_machine.travel(start + datetime.timedelta(seconds=30 * n), tick=False):
            guess(attacker, f"203.0.{n // 250}.{n % 250 + 1}")

    # then: the passwords looked at in that hour are few
    checked = sum(AccessAttempt.objects.values_list("failures_since_start", flat=True))
    assert checked <= 11


def test_the_officer_unlocks_with_a_single_use_link_sent_to_the_confirmed_email(officer):
    # given: an attacker keeps the user name slowed
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        attacker = Client()
        for n in range(8):
            guess(attacker, f"203.0.113.{n + 1}")
        browser = Client()
        refused = log_in(browser)
        assert refused.status_code == 429
        assert 'data-testid="unlock-request"' in refused.content.decode()

        # when: the officer asks for the link, and the worker sends it
        asked = browser.post(reverse("accounts:unlock-request"), {"username": "petugas.bpn"})
        assert asked.status_code == 302
        assert not mail.outbox  # sent by the worker, not in the request
        run_outbox()
        [message] = mail.outbox
        assert message.to == ["petugas@balikpapan.go.id"]
        path = re.search(r"https?://[^/\s]+(/masuk/buka-kunci/\S+/)", message.body)[1]

        # a GET only shows the button (mail scanners open links)
        assert browser.get(path).status_code == 200
        assert log_in(browser).status_code == 429

        used = browser.post(path)
        assert used.status_code == 302

        # then: this browser gets in at once, while the attacker stays slowed
        assert log_in(browser).status_code == 302
        assert guess(attacker, "203.0.113.99").status_code == 429

    # and the link works only once
    assert Client().post(path).status_code == 400


def test_an_unlock_link_expires(officer):
    from accounts.lockout import unlock_token

    path = reverse("accounts:unlock", args=[unlock_token(officer)])
    later = timezone.now() + datetime.timedelta(minutes=31)
    with time_machine.travel(later, tick=False):
        assert Client().post(path).status_code == 400


def test_no_link_goes_to_an_unconfirmed_address_and_the_answer_tells_nothing(
    officer_balikpapan,
):
    officer_balikpapan.email = "belum@dikonfirmasi.id"
    officer_balikpapan.save(update_fields=["email"])

    known = Client().post(reverse("accounts:unlock-request"), {"username": "petugas.bpn"})
    unknown = Client().post(reverse("accounts:unlock-request"), {"username": "tidak.ada"})
    run_outbox()

    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert not mail.outbox
