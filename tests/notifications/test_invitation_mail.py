"""The invitation as sent: once per invitation, in the person's language, with its expiry in
the person's zone and a link that confirms the contact it was sent to."""

import pytest
from django.core import mail

from accounts import invitations
from accounts.models import Role
from notifications.channels import invitation_message, invitation_text
from notifications.invitations import send_invitation
from notifications.models import Profile, SendLog
from outbox.models import Entry
from outbox.tasks import run_entry
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(balikpapan, admin_user):
    user = make_user(
        "siti", role=Role.OFFICER, region=balikpapan, email="siti@contoh.go.id", first_name="Siti"
    )
    user.set_unusable_password()
    user.save()
    return invitations.invite(user, by=admin_user)


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("id", ["Yth. Siti", "Petugas pelapor Pemda (Kota Balikpapan)", "WITA", "berlaku sampai"]),
        (
            "en",
            ["Dear Siti", "Regional reporting officer (Kota Balikpapan)", "WITA", "valid until"],
        ),
    ],
)
def test_the_mail_reads_in_the_persons_language_with_the_expiry_zone(invitation, language, phrases):
    message = invitation_message(invitation, language)

    html = message.alternatives[0][0]
    for phrase in phrases:
        assert phrase in message.body and phrase in html.replace("&amp;", "&")
    assert "/undangan/" in message.body and "melalui=email" in message.body


def test_the_short_text_names_the_expiry_with_its_zone(invitation):
    assert "WITA" in invitation_text(invitation, "id")
    assert "WITA" in invitation_text(invitation, "en")


def test_an_invitation_is_sent_once_however_often_its_entry_runs(
    invitation, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Profile.objects.update_or_create(user=invitation.user, defaults={"language": "en"})
    entry = Entry.objects.get(topic="accounts.invitation_sent")

    with django_capture_on_commit_callbacks(execute=True):
        run_entry(entry.pk)
    with django_capture_on_commit_callbacks(execute=True):
        send_invitation(invitation.pk)

    assert SendLog.objects.filter(kind="invitation").count() == 1
    [message] = mail.outbox
    assert message.to == ["siti@contoh.go.id"] and "Dear Siti" in message.body


def test_an_imports_invitations_go_out_in_batches_once_each(
    balikpapan, admin_user, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    people = []
    for n in range(3):
        person = make_user(
            f"baru{n}", role=Role.OFFICER, region=balikpapan, email=f"baru{n}@contoh.go.id"
        )
        person.set_unusable_password()
        person.save()
        people.append(person)
    created = invitations.invite_many(people, by=admin_user)
    [entry] = Entry.objects.filter(topic="accounts.invitations_sent")

    with django_capture_on_commit_callbacks(execute=True):
        run_entry(entry.pk)
    with django_capture_on_commit_callbacks(execute=True):
        run_entry(entry.pk)  # a second run (a killed worker's entry) sends nothing more

    assert entry.payload == {"invitation_ids": [i.pk for i in created]}
    assert sorted(m.to[0] for m in mail.outbox) == [p.email for p in people]
