"""Kanwil admins manage the officers of their own regions: invite, deactivate (sessions end,
history stays), reactivate, unlock; never another Kanwil's (404); every change audited."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Invitation, Role, User
from outbox.models import Entry
from tests.conftest import PASSWORD

MANAGE_VIEWS = ["officer-resend", "officer-deactivate", "officer-reactivate", "officer-unlock"]


@pytest.fixture
def kanwil_admin(evaluator_kaltim):
    evaluator_kaltim.is_kanwil_admin = True
    evaluator_kaltim.save(update_fields=["is_kanwil_admin"])
    return evaluator_kaltim


@pytest.fixture
def officer_surabaya(surabaya, kanwil_jatim):
    from tests.conftest import make_user

    return make_user("petugas.sby", role=Role.OFFICER, region=surabaya)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cast_member", "status"),
    [
        ("officer_balikpapan", 403),
        ("officer_samarinda", 403),
        ("evaluator_kaltim", 403),  # an evaluator who is no Kanwil admin
        ("evaluator_other", 403),
        ("admin_user", 200),
        ("anonymous", 302),
    ],
    indirect=["cast_member"],
)
def test_the_new_officer_form_opens_for_admins_only_among_the_cast(client_for, cast_member, status):
    assert client_for(cast_member).get(reverse("accounts:officer-new")).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize("view", MANAGE_VIEWS)
@pytest.mark.parametrize(
    ("cast_member", "status"),
    [
        ("officer_balikpapan", 403),
        ("officer_samarinda", 403),
        ("evaluator_kaltim", 403),
        ("evaluator_other", 403),
        ("admin_user", 200),
        ("anonymous", 302),
    ],
    indirect=["cast_member"],
)
def test_managing_an_officer_opens_for_admins_only_among_the_cast(
    client_for, cast_member, status, view, officer_balikpapan
):
    url = reverse(f"accounts:{view}", args=[officer_balikpapan.pk])

    assert client_for(cast_member).get(url).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize("view", MANAGE_VIEWS)
def test_a_kanwil_admin_reaches_its_own_officers_and_never_another_kanwils(
    client_for, kanwil_admin, officer_balikpapan, officer_surabaya, view
):
    client = client_for(kanwil_admin)

    own = client.get(reverse(f"accounts:{view}", args=[officer_balikpapan.pk]))
    other = client.post(reverse(f"accounts:{view}", args=[officer_surabaya.pk]))

    assert own.status_code == 200
    assert other.status_code == 404
    officer_surabaya.refresh_from_db()
    assert officer_surabaya.is_active
    assert not AuditEvent.objects.filter(object_id=str(officer_surabaya.pk)).exists()


@pytest.mark.django_db
def test_a_kanwil_admin_cannot_manage_an_evaluator_or_itself(
    client_for, kanwil_admin, evaluator_kaltim
):
    url = reverse("accounts:officer-deactivate", args=[kanwil_admin.pk])

    assert client_for(kanwil_admin).post(url).status_code == 404


@pytest.mark.django_db
def test_a_kanwil_admin_invites_a_new_officer_of_its_region(
    client_for, kanwil_admin, balikpapan, django_capture_on_commit_callbacks
):
    response = client_for(kanwil_admin).post(
        reverse("accounts:officer-new"),
        {
            "name": "Budi Santoso",
            "email": "Budi.Santoso@Balikpapan.GO.ID",
            "phone": "0812-3456-7890",
            "region": balikpapan.pk,
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="Budi.Santoso@balikpapan.go.id")
    assert user.username == "budi.santoso"
    assert (user.first_name, user.last_name) == ("Budi", "Santoso")
    assert user.role == Role.OFFICER and user.region == balikpapan
    assert user.phone == "+6281234567890"
    assert not user.has_usable_password()
    assert user.email_confirmed_at is None
    invitation = Invitation.objects.get(user=user)
    assert invitation.created_by == kanwil_admin
    assert Entry.objects.filter(topic="accounts.invitation_sent").count() == 1
    assert AuditEvent.objects.filter(action="officer_created", object_id=str(user.pk)).exists()


@pytest.mark.django_db
def test_a_kanwil_admin_cannot_invite_into_another_kanwils_region(
    client_for, kanwil_admin, surabaya
):
    response = client_for(kanwil_admin).post(
        reverse("accounts:officer-new"),
        {"name": "Siti", "email": "siti@surabaya.go.id", "phone": "", "region": surabaya.pk},
    )

    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not User.objects.filter(email="siti@surabaya.go.id").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "phone", "field"),
    [
        ("bukan-email", "", "email"),
        ("petugas@example.id", "12345", "phone"),
        ("petugas@example.id", "+1 202 555 0143", "phone"),
        ("dipakai@example.id", "", "email"),
    ],
)
def test_bad_input_gives_a_plain_message_and_creates_nothing(
    client_for, admin_user, balikpapan, officer_samarinda, email, phone, field
):
    officer_samarinda.email = "Dipakai@example.id"
    officer_samarinda.save(update_fields=["email"])
    before = User.objects.count()

    response = client_for(admin_user).post(
        reverse("accounts:officer-new"),
        {"name": "Petugas Baru", "email": email, "phone": phone, "region": balikpapan.pk},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert User.objects.count() == before
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_deactivating_ends_the_sessions_and_keeps_the_account(
    client_for, kanwil_admin, officer_balikpapan
):
    officer_session = Client()
    officer_session.force_login(officer_balikpapan)
    assert officer_session.get(reverse("reporting:officer-home")).status_code == 200

    response = client_for(kanwil_admin).post(
        reverse("accounts:officer-deactivate", args=[officer_balikpapan.pk])
    )

    assert response.status_code == 302
    officer_balikpapan.refresh_from_db()
    assert not officer_balikpapan.is_active
    assert officer_balikpapan.session_epoch == 1
    assert officer_session.get(reverse("reporting:officer-home")).status_code == 302
    assert AuditEvent.objects.filter(
        action="user_deactivated", object_id=str(officer_balikpapan.pk), actor=kanwil_admin
    ).exists()


@pytest.mark.django_db
def test_a_session_from_before_a_deactivation_stays_ended_after_the_reactivation(
    client_for, kanwil_admin, officer_balikpapan
):
    officer_session = Client()
    officer_session.force_login(officer_balikpapan)
    manager = client_for(kanwil_admin)

    manager.post(reverse("accounts:officer-deactivate", args=[officer_balikpapan.pk]))
    manager.post(reverse("accounts:officer-reactivate", args=[officer_balikpapan.pk]))

    officer_balikpapan.refresh_from_db()
    assert officer_balikpapan.is_active
    assert officer_session.get(reverse("reporting:officer-home")).status_code == 302
    fresh = Client()
    assert fresh.login(username=officer_balikpapan.username, password=PASSWORD)
    assert fresh.get(reverse("reporting:officer-home")).status_code == 200
    assert AuditEvent.objects.filter(action="user_reactivated").count() == 1


@pytest.mark.django_db
def test_deactivating_revokes_an_open_invitation(client_for, admin_user, balikpapan):
    from accounts import invitations
    from tests.conftest import make_user

    newcomer = make_user("petugas.baru", role=Role.OFFICER, region=balikpapan)
    newcomer.set_unusable_password()
    newcomer.save()
    invitation = invitations.invite(newcomer, by=admin_user)

    client_for(admin_user).post(reverse("accounts:officer-deactivate", args=[newcomer.pk]))

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert invitations.accept(invitation, "Sandi-Baru-2027!") is False


@pytest.mark.django_db
def test_deactivating_twice_changes_nothing_the_second_time(
    client_for, admin_user, officer_balikpapan
):
    client = client_for(admin_user)
    url = reverse("accounts:officer-deactivate", args=[officer_balikpapan.pk])

    client.post(url)
    client.post(url)

    officer_balikpapan.refresh_from_db()
    assert officer_balikpapan.session_epoch == 1
    assert AuditEvent.objects.filter(action="user_deactivated").count() == 1


@pytest.mark.django_db
def test_unlocking_clears_the_failed_logins_of_the_officer(
    client_for, kanwil_admin, officer_balikpapan
):
    AccessAttempt.objects.create(
        username=officer_balikpapan.username,
        ip_address="10.0.0.1",
        user_agent="uji",
        failures_since_start=5,
        attempt_time=timezone.now(),
    )
    AccessAttempt.objects.create(
        username="orang.lain", ip_address="10.0.0.2", user_agent="uji", failures_since_start=5
    )

    client_for(kanwil_admin).post(reverse("accounts:officer-unlock", args=[officer_balikpapan.pk]))

    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["orang.lain"]
    assert AuditEvent.objects.filter(
        action="login_unlocked", object_id=str(officer_balikpapan.pk)
    ).exists()


@pytest.mark.django_db
def test_resending_one_invitation_to_an_officer_with_a_password_is_refused(
    client_for, admin_user, officer_balikpapan
):
    response = client_for(admin_user).post(
        reverse("accounts:officer-resend", args=[officer_balikpapan.pk]), follow=True
    )

    assert response.status_code == 200
    assert not Invitation.objects.exists()
    assert "sudah aktif" in response.content.decode()


@pytest.mark.django_db
def test_the_board_offers_management_to_a_kanwil_admin_only(
    client_for, kanwil_admin, evaluator_other, officer_balikpapan
):
    page = client_for(kanwil_admin).get(reverse("accounts:board")).content.decode()
    other = client_for(evaluator_other).get(reverse("accounts:board")).content.decode()

    assert reverse("accounts:officer-deactivate", args=[officer_balikpapan.pk]) in page
    assert 'data-testid="officer-new"' in page
    assert 'data-testid="officer-new"' not in other


@pytest.mark.django_db
@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_the_way_back_never_leaves_the_portal(client_for, admin_user, officer_balikpapan, back):
    response = client_for(admin_user).post(
        reverse("accounts:officer-unlock", args=[officer_balikpapan.pk]), {"kembali": back}
    )

    assert response["Location"] == reverse("accounts:board")
