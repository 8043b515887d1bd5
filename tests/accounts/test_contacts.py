"""People set their own e-mail and WhatsApp number, each confirmed by a 6-digit code sent to
it (30 minutes, 5 tries, throttled); until then the contact gets nothing but its code."""

import datetime
import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import contacts
from accounts.models import AuditEvent, ContactCode
from outbox.models import Entry
from outbox.tasks import run_entry

SECURITY = reverse("accounts:security")


@pytest.fixture(autouse=True)
def mail_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFY_GATEWAY_URL = ""


def send_entries():
    for entry in Entry.objects.filter(topic=contacts.SENT_TOPIC):
        run_entry(entry.pk)


def code_url(channel):
    return reverse("accounts:contact-code", args=[channel])


def confirm_url(channel):
    return reverse("accounts:contact-confirm", args=[channel])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cast_member", "status"),
    [
        ("officer_balikpapan", 200),
        ("officer_samarinda", 200),
        ("evaluator_kaltim", 200),
        ("evaluator_other", 200),
        ("admin_user", 200),
        ("anonymous", 302),
    ],
    indirect=["cast_member"],
)
def test_everyone_signed_in_sees_their_contacts_on_the_account_page(
    client_for, cast_member, status
):
    response = client_for(cast_member).get(SECURITY)

    assert response.status_code == status
    if status == 200:
        assert 'data-testid="contact-email"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["contact-code", "contact-confirm"])
@pytest.mark.parametrize(
    ("cast_member", "status"),
    [
        ("officer_balikpapan", 400),
        ("evaluator_kaltim", 400),
        ("admin_user", 400),
        ("anonymous", 302),
    ],
    indirect=["cast_member"],
)
def test_the_contact_forms_take_posts_of_signed_in_people_only(
    client_for, cast_member, status, view
):
    client = client_for(cast_member)
    url = reverse(f"accounts:{view}", args=["email"])

    assert client.post(url, {}).status_code == status
    assert client.get(url).status_code in (405, 302)


@pytest.mark.django_db
def test_a_new_email_is_confirmed_by_the_code_sent_to_it(
    client_for, officer_balikpapan, django_capture_on_commit_callbacks
):
    client = client_for(officer_balikpapan)

    response = client.post(code_url("email"), {"email-value": "Petugas@Balikpapan.GO.ID"})
    assert response.status_code == 302
    send_entries()

    [message] = mail.outbox
    assert message.to == ["Petugas@balikpapan.go.id"]
    code = ContactCode.objects.get()
    assert contacts.code_of(code) in message.body
    assert contacts.code_of(code) not in json.dumps(list(ContactCode.objects.values()), default=str)
    officer_balikpapan.refresh_from_db()
    assert officer_balikpapan.email == ""  # not the person's until confirmed

    response = client.post(confirm_url("email"), {"email-code-code": contacts.code_of(code)})

    assert response.status_code == 302
    officer_balikpapan.refresh_from_db()
    assert officer_balikpapan.email == "Petugas@balikpapan.go.id"
    assert officer_balikpapan.email_confirmed_at is not None
    assert AuditEvent.objects.filter(action="contact_confirmed").count() == 1


@pytest.mark.django_db
def test_the_code_is_sent_once_even_when_its_entry_runs_twice(officer_balikpapan):
    contacts.request_code(officer_balikpapan, "email", "a@example.id")

    send_entries()
    from notifications.contacts import send_contact_code

    assert send_contact_code(code_id=ContactCode.objects.get().pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_failed_send_is_given_back_for_the_retry(officer_balikpapan, monkeypatch):
    from notifications import contacts as sender

    code = contacts.request_code(officer_balikpapan, "email", "a@example.id")

    def broken(*args, **kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr(sender, "code_message", broken)
    with pytest.raises(OSError):
        sender.send_contact_code(code_id=code.pk)
    monkeypatch.undo()
    mail_in_memory_again()

    assert sender.send_contact_code(code_id=code.pk) is True
    assert len(mail.outbox) == 1


def mail_in_memory_again():
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.mark.django_db
def test_a_phone_number_is_normalised_and_confirmed_through_the_gateway(
    client_for, officer_balikpapan, settings, monkeypatch
):
    from notifications import contacts as sender

    settings.NOTIFY_GATEWAY_URL = "https://gateway.example.test/send"
    posted = []
    monkeypatch.setattr(sender, "post_to_gateway", posted.append)
    client = client_for(officer_balikpapan)

    client.post(code_url("phone"), {"phone-value": "0812-3456-7890"})
    send_entries()

    [payload] = posted
    code = ContactCode.objects.get()
    assert payload["to"] == "+6281234567890"
    assert contacts.code_of(code) in payload["text"]
    client.post(confirm_url("phone"), {"phone-code-code": contacts.code_of(code)})
    officer_balikpapan.refresh_from_db()
    assert officer_balikpapan.phone == "+6281234567890"
    assert officer_balikpapan.phone_confirmed_at is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("081234567890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("62-812-3456-7890", "+6281234567890"),
    ],
)
def test_indonesian_mobile_numbers_are_written_as_plus_62(text, expected):
    assert contacts.normalise_phone(text) == expected


@pytest.mark.parametrize("text", ["12345", "+1 202 555 0143", "bukan nomor", "021 5551234"])
def test_other_numbers_are_refused_with_a_plain_reason(text):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        contacts.normalise_phone(text)


@pytest.mark.django_db
def test_a_bad_email_or_number_changes_nothing(client_for, officer_balikpapan, settings):
    settings.NOTIFY_GATEWAY_URL = "https://gateway.example.test/send"
    client = client_for(officer_balikpapan)

    bad_email = client.post(code_url("email"), {"email-value": "bukan-email"})
    bad_phone = client.post(code_url("phone"), {"phone-value": "12345"})

    assert bad_email.status_code == bad_phone.status_code == 400
    assert "Nomor WhatsApp tidak valid" in bad_phone.content.decode()
    assert not ContactCode.objects.exists()
    assert not Entry.objects.exists()


@pytest.mark.django_db
def test_an_email_of_another_account_is_refused(client_for, officer_balikpapan, officer_samarinda):
    officer_samarinda.email = "dipakai@example.id"
    officer_samarinda.save(update_fields=["email"])

    response = client_for(officer_balikpapan).post(
        code_url("email"), {"email-value": "DIPAKAI@example.id"}
    )

    assert response.status_code == 400
    assert "sudah dipakai" in response.content.decode()
    assert not ContactCode.objects.exists()


@pytest.mark.django_db
def test_five_wrong_codes_spend_the_code(officer_balikpapan):
    code = contacts.request_code(officer_balikpapan, "email", "a@example.id")
    wrong = "000000" if contacts.code_of(code) != "000000" else "111111"

    outcomes = [contacts.confirm(officer_balikpapan, "email", wrong) for _ in range(5)]

    assert outcomes[0] == (contacts.WRONG, 4)
    assert outcomes[-1] == (contacts.SPENT, 0)
    assert contacts.confirm(officer_balikpapan, "email", contacts.code_of(code))[0] == (
        contacts.MISSING
    )
    officer_balikpapan.refresh_from_db()
    assert officer_balikpapan.email == ""


@pytest.mark.django_db
def test_a_code_expires_after_thirty_minutes(officer_balikpapan):
    asked = timezone.now() - datetime.timedelta(minutes=31)
    code = contacts.request_code(officer_balikpapan, "email", "a@example.id", now=asked)

    outcome, _left = contacts.confirm(officer_balikpapan, "email", contacts.code_of(code))

    assert outcome == contacts.MISSING
    officer_balikpapan.refresh_from_db()
    assert officer_balikpapan.email_confirmed_at is None


@pytest.mark.django_db
def test_a_new_code_ends_the_earlier_one_and_asking_again_at_once_is_throttled(
    officer_balikpapan,
):
    start = timezone.now() - datetime.timedelta(minutes=5)
    first = contacts.request_code(officer_balikpapan, "email", "a@example.id", now=start)
    second = contacts.request_code(
        officer_balikpapan, "email", "a@example.id", now=start + datetime.timedelta(minutes=2)
    )

    with pytest.raises(contacts.Throttled):
        contacts.request_code(
            officer_balikpapan,
            "email",
            "a@example.id",
            now=start + datetime.timedelta(minutes=2, seconds=10),
        )
    first.refresh_from_db()
    assert first.ended_at is not None
    assert contacts.open_code(officer_balikpapan, "email") == second


@pytest.mark.django_db
def test_at_most_five_codes_an_hour(officer_balikpapan):
    start = timezone.now() - datetime.timedelta(minutes=30)
    for n in range(5):
        contacts.request_code(
            officer_balikpapan, "email", "a@example.id", now=start + datetime.timedelta(minutes=n)
        )

    with pytest.raises(contacts.Throttled):
        contacts.request_code(officer_balikpapan, "email", "a@example.id")
    assert ContactCode.objects.count() == 5


@pytest.mark.django_db
def test_a_number_cannot_be_confirmed_without_a_gateway(client_for, officer_balikpapan):
    response = client_for(officer_balikpapan).post(
        code_url("phone"), {"phone-value": "081234567890"}
    )

    assert response.status_code == 400
    assert not ContactCode.objects.exists()


@pytest.mark.django_db
def test_an_unknown_channel_is_not_found(client_for, officer_balikpapan):
    response = client_for(officer_balikpapan).post(code_url("fax"), {"fax-value": "1"})

    assert response.status_code == 404


@pytest.mark.django_db
def test_notices_go_only_to_confirmed_contacts(officer_balikpapan, settings):
    from notifications.models import Kind, SendLog
    from notifications.services import notify

    settings.NOTIFY_GATEWAY_URL = "https://gateway.example.test/send"
    officer_balikpapan.email = "petugas@example.id"
    officer_balikpapan.phone = "+6281234567890"
    officer_balikpapan.phone_confirmed_at = timezone.now()
    officer_balikpapan.save()

    notify(
        [officer_balikpapan],
        Kind.REMINDER,
        officer_balikpapan.region,
        lambda user: ("Judul", "Isi", "/"),
    )

    assert list(SendLog.objects.values_list("channel", flat=True)) == ["gateway"]
