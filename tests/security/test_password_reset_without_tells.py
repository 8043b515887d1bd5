"""Password reset: the mail comes from the worker, the answer is the same for known and
unknown addresses, and requests are throttled per address and per target."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from outbox import tasks
from outbox.models import Entry

pytestmark = pytest.mark.django_db

RESET = "/lupa-sandi/"
KNOWN = "petugas@balikpapan.go.id"


@pytest.fixture
def officer(officer_balikpapan):
    officer_balikpapan.email = KNOWN
    officer_balikpapan.save(update_fields=["email"])
    return officer_balikpapan


def ask(email, address="203.0.113.20"):
    client = Client()
    client.get(RESET)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(RESET, {"email": email}, REMOTE_ADDR=address)
    return response, len(queries)


def test_the_request_sends_no_mail_the_worker_does(officer):
    response, _queries = ask(KNOWN)

    assert response.status_code == 302
    assert not mail.outbox
    for pk in Entry.objects.values_list("pk", flat=True):
        tasks.run_entry(pk)
    assert [message.to for message in mail.outbox] == [[KNOWN]]


def test_known_and_unknown_addresses_get_the_same_answer_from_the_same_work(officer):
    known, known_queries = ask(KNOWN, "203.0.113.21")
    unknown, unknown_queries = ask("siapa@tidak.ada", "203.0.113.22")

    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert known_queries == unknown_queries
    assert not mail.outbox


def test_one_address_may_ask_only_a_few_times_an_hour(officer):
    answers = [ask(f"orang{n}@contoh.id", "203.0.113.30")[0] for n in range(6)]

    assert [a.status_code for a in answers[:5]] == [302] * 5
    assert answers[5].status_code == 429
    assert "Terlalu banyak permintaan" in answers[5].content.decode()
    assert Entry.objects.count() == 5


def test_one_target_gets_only_a_few_mails_an_hour_however_many_ask(officer):
    answers = [ask(KNOWN, f"203.0.113.{40 + n}")[0] for n in range(5)]

    assert {a.status_code for a in answers} == {302}
    assert Entry.objects.count() == 3
