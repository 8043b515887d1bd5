"""Invitations: single-use, 14 days, a re-send ends the earlier link, sent through the outbox."""

import datetime

import pytest
from django.utils import timezone

from accounts import invitations
from accounts.models import AuditEvent, InvitationStatus, Role
from outbox.models import Entry
from tests.conftest import make_user


@pytest.fixture
def newcomer(balikpapan):
    user = make_user("petugas.baru", role=Role.OFFICER, region=balikpapan, email="baru@example.id")
    user.set_unusable_password()
    user.is_active = False
    user.save()
    return user


@pytest.mark.django_db
def test_an_invitation_is_audited_and_its_sending_is_an_outbox_entry(newcomer, admin_user):
    invitation = invitations.invite(newcomer, by=admin_user)

    assert invitation.status == InvitationStatus.PENDING
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=14)
    assert Entry.objects.filter(
        topic="accounts.invitation_sent", payload={"invitation_id": invitation.pk}
    ).exists()
    assert AuditEvent.objects.filter(action="user_invited", object_id=str(newcomer.pk)).exists()


@pytest.mark.django_db
def test_the_link_names_its_invitation_and_a_tampered_one_names_none(newcomer, admin_user):
    invitation = invitations.invite(newcomer, by=admin_user)
    token = invitations.token_of(invitation)

    assert invitations.find(token) == invitation
    assert invitations.find(token[:-2] + "xx") is None
    assert invitations.find(f"{invitation.pk}:guess") is None


@pytest.mark.django_db
def test_accepting_sets_the_password_once(newcomer, admin_user):
    invitation = invitations.invite(newcomer, by=admin_user)

    assert invitations.accept(invitation, "Sandi-Baru-2027!") is True
    assert invitations.accept(invitation, "Sandi-Lain-2027!") is False
    newcomer.refresh_from_db()
    assert newcomer.is_active and newcomer.check_password("Sandi-Baru-2027!")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED


@pytest.mark.django_db
def test_a_resend_ends_the_earlier_link_and_an_expired_one_cannot_be_used(newcomer, admin_user):
    first = invitations.invite(newcomer, by=admin_user)
    second = invitations.invite(newcomer, by=admin_user)

    first.refresh_from_db()
    assert first.status == InvitationStatus.REVOKED
    assert invitations.accept(first, "Sandi-Baru-2027!") is False
    later = timezone.now() + datetime.timedelta(days=15)
    assert second.status_at(later) == InvitationStatus.EXPIRED
    assert invitations.accept(second, "Sandi-Baru-2027!", now=later) is False


@pytest.mark.django_db
def test_an_account_with_a_password_is_not_invited(officer_balikpapan, admin_user):
    with pytest.raises(ValueError):
        invitations.invite(officer_balikpapan, by=admin_user)
