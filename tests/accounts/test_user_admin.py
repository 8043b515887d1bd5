"""The Django admin is a window onto the people service: unticking "active" deactivates the
account (its sessions end, open invitations are revoked, the admin is named in the audit
trail), ticking it again reactivates it without bringing an old session back."""

from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import invitations
from accounts.models import AuditAction, AuditEvent, Role
from tests.conftest import PASSWORD, make_user
from tests.support import signed_in

pytestmark = pytest.mark.django_db

HOME = "/laporan/"


def change_form(user, **changes):
    """The admin's change form of ``user`` as the page posts it (a box left out is unticked),
    with the dates in the zone the admin pages show (the ministry's, WIB)."""
    joined = timezone.localtime(user.date_joined, ZoneInfo("Asia/Jakarta"))
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "role": user.role,
        "region": user.region_id or "",
        "kanwil": user.kanwil_id or "",
        "is_kanwil_admin": user.is_kanwil_admin,
        "nip": user.nip,
        "position": user.position,
        **changes,
    }
    return {name: value for name, value in data.items() if value is not False}


def post_change(client, user, **changes):
    response = client.post(
        reverse("admin:accounts_user_change", args=[user.pk]), change_form(user, **changes)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def test_unticking_active_in_the_django_admin_ends_the_persons_session(
    client_for, admin_user, officer_balikpapan
):
    # given: the officer is signed in
    officer_session = signed_in(officer_balikpapan)

    # when: an admin unticks "active" on the officer's change form
    post_change(client_for(admin_user), officer_balikpapan, is_active=False)

    # then: the officer's next request lands on the login page, and the service's event is kept
    response = officer_session.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    officer_balikpapan.refresh_from_db()
    assert not officer_balikpapan.is_active
    assert officer_balikpapan.session_epoch == 1
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.USER_DEACTIVATED,
            object_id=str(officer_balikpapan.pk),
            actor=admin_user,
        ).count()
        == 1
    )


def test_ticking_active_again_in_the_django_admin_brings_no_old_session_back(
    client_for, admin_user, officer_balikpapan
):
    # given: a session from before an admin deactivated the officer in the Django admin
    officer_session = signed_in(officer_balikpapan)
    admin = client_for(admin_user)
    post_change(admin, officer_balikpapan, is_active=False)
    officer_balikpapan.refresh_from_db()

    # when: the admin ticks "active" again
    post_change(admin, officer_balikpapan, is_active=True)

    # then: the old session stays ended; the officer logs in afresh with the same password
    officer_balikpapan.refresh_from_db()
    assert officer_balikpapan.is_active
    assert officer_session.get(HOME).status_code == 302
    fresh = Client()
    assert fresh.login(username=officer_balikpapan.username, password=PASSWORD)
    assert fresh.get(HOME).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.USER_REACTIVATED, actor=admin_user).exists()


def test_deactivating_in_the_django_admin_revokes_an_open_invitation(
    client_for, admin_user, balikpapan
):
    # given: an invited officer who has not set a password yet
    newcomer = make_user("petugas.baru", role=Role.OFFICER, region=balikpapan)
    newcomer.set_unusable_password()
    newcomer.save()
    invitation = invitations.invite(newcomer, by=admin_user)

    # when
    post_change(client_for(admin_user), newcomer, is_active=False)

    # then: as through the portal's deactivation, the link no longer sets a password
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_other_changes_in_the_django_admin_leave_the_sessions_alone(
    client_for, admin_user, officer_balikpapan
):
    officer_session = signed_in(officer_balikpapan)

    post_change(client_for(admin_user), officer_balikpapan, position="Analis Kebijakan")

    officer_balikpapan.refresh_from_db()
    assert officer_balikpapan.position == "Analis Kebijakan"
    assert officer_balikpapan.session_epoch == 0
    assert officer_session.get(HOME).status_code == 200
    assert not AuditEvent.objects.filter(
        action__in=[AuditAction.USER_DEACTIVATED, AuditAction.USER_REACTIVATED]
    ).exists()
