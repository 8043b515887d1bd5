"""The import pages: only portal admins; upload, preview, confirm, commit once; re-send and
revoke invitations from the result; a too-large body answered before it is read."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts import imports, invitations, tasks
from accounts.models import AccountImport, AuditEvent, Invitation, InvitationStatus, User
from tests.conftest import CAST

from .test_account_import import EVALUATOR, OFFICER, xlsx

pytestmark = pytest.mark.django_db

START = "/akun/impor/"


@pytest.mark.parametrize(
    ("cast_member", "status"),
    [(name, 200 if name == "admin_user" else 302 if name == "anonymous" else 403) for name in CAST],
    indirect=["cast_member"],
)
def test_only_portal_admins_open_the_import_page(client_for, cast_member, status):
    response = client_for(cast_member).get(START)

    assert response.status_code == status


def test_the_admin_nav_links_the_import_page(client_for, admin_user):
    response = client_for(admin_user).get(reverse("evaluation:overview"))

    assert f'href="{START}"' in response.content.decode()


def test_the_template_downloads_as_xlsx(client_for, admin_user):
    response = client_for(admin_user).get(reverse("accounts:import-template"))

    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    assert "templat-akun-ranham.xlsx" in response["Content-Disposition"]


def test_upload_preview_confirm_and_commit(client_for, admin_user, kanwil_kaltim):
    client = client_for(admin_user)

    uploaded = client.post(START, {"file": xlsx([OFFICER, EVALUATOR])})
    record = AccountImport.objects.get()
    preview = client.get(uploaded.url)
    commit_url = reverse("accounts:import-commit", args=[record.pk])
    asked = client.post(commit_url)
    done = client.post(commit_url, {"confirmed": "1"}, follow=True)
    again = client.post(commit_url, {"confirmed": "1"}, follow=True)

    assert uploaded.status_code == 302 and uploaded.url == f"{START}{record.pk}/"
    assert 'data-count="2"' in preview.content.decode()
    assert not User.objects.filter(email="siti@contoh.go.id", is_active=True).exists()
    assert 'data-testid="confirmation"' in asked.content.decode()
    assert "Impor selesai: 2 akun baru diundang" in done.content.decode()
    assert "sudah diimpor" in again.content.decode()
    assert User.objects.filter(email__in=["siti@contoh.go.id", "budi@contoh.go.id"]).count() == 2
    assert Invitation.objects.count() == 2


def test_a_refused_file_is_explained_on_the_page(client_for, admin_user):
    upload = xlsx([["Siti", "64.71"]], header=["nama", "kode_wilayah"])

    response = client_for(admin_user).post(START, {"file": upload})

    assert response.status_code == 400
    assert "Kolom wajib tidak ada: email, peran" in response.content.decode()
    assert not AccountImport.objects.exists()


def test_a_body_over_the_limit_is_answered_before_it_is_read(client_for, admin_user, settings):
    settings.ACCOUNT_IMPORT_MAX_BYTES = 5 * 1024 * 1024
    upload = xlsx([OFFICER])
    upload.file.write(b"\0" * (6 * 1024 * 1024))
    upload.file.seek(0)

    response = client_for(admin_user).post(START, {"file": upload})

    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.content.decode()
    assert not AccountImport.objects.exists()


def test_another_admins_import_page_is_not_found_for_others(
    client_for, admin_user, officer_balikpapan
):
    record = imports.preview(xlsx([OFFICER]), by=admin_user)

    response = client_for(officer_balikpapan).get(
        reverse("accounts:import-detail", args=[record.pk])
    )

    assert response.status_code == 403
    assert (
        client_for(admin_user).get(reverse("accounts:import-detail", args=[999999])).status_code
        == 404
    )


@pytest.fixture
def committed(admin_user, kanwil_kaltim, django_capture_on_commit_callbacks):
    record = imports.preview(xlsx([OFFICER, EVALUATOR]), by=admin_user)
    imports.commit(record, by=admin_user)
    return AccountImport.objects.get(pk=record.pk)


def test_resend_asks_first_then_replaces_the_link_audited(client_for, admin_user, committed):
    person = User.objects.get(email="siti@contoh.go.id")
    first = Invitation.objects.get(user=person)
    url = reverse("accounts:invitation-resend", args=[person.pk])
    client = client_for(admin_user)

    asked = client.post(url, {"next": f"{START}{committed.pk}/"})
    done = client.post(url, {"next": f"{START}{committed.pk}/", "confirmed": "1"})

    assert 'data-testid="confirmation"' in asked.content.decode()
    assert done.status_code == 302 and done.url == f"{START}{committed.pk}/"
    first.refresh_from_db()
    assert first.status == InvitationStatus.REVOKED
    assert invitations.pending_of(person).count() == 1
    assert AuditEvent.objects.filter(action="user_invited", object_id=str(person.pk)).count() == 2


def test_revoke_ends_the_link_audited(client_for, admin_user, committed):
    invitation = Invitation.objects.get(user__email="siti@contoh.go.id")
    url = reverse("accounts:invitation-revoke", args=[invitation.pk])

    client_for(admin_user).post(url, {"confirmed": "1"})

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert AuditEvent.objects.filter(action="invitation_revoked").count() == 1


@pytest.mark.parametrize("name", ["officer_balikpapan", "evaluator_kaltim"])
def test_others_cannot_resend_or_revoke(client_for, committed, request, name):
    invitation = Invitation.objects.get(user__email="siti@contoh.go.id")
    client = client_for(request.getfixturevalue(name))

    resend = client.post(
        reverse("accounts:invitation-resend", args=[invitation.user_id]), {"confirmed": "1"}
    )
    revoke = client.post(
        reverse("accounts:invitation-revoke", args=[invitation.pk]), {"confirmed": "1"}
    )

    assert (resend.status_code, revoke.status_code) == (403, 403)
    assert Invitation.objects.count() == 2


def _rows(n):
    return [
        [f"Orang {i}", f"orang{i}@contoh.go.id", "", "petugas", "64.71", "", "", ""]
        for i in range(n)
    ]


@pytest.mark.parametrize("size", [3, 40])
def test_the_result_page_reads_a_fixed_number_of_queries(
    client_for, admin_user, regions, size, django_assert_max_num_queries
):
    record = imports.preview(xlsx(_rows(size)), by=admin_user)
    imports.commit(record, by=admin_user)
    client = client_for(admin_user)
    client.get(f"{START}{record.pk}/")

    with django_assert_max_num_queries(12):
        response = client.get(f"{START}{record.pk}/?tampil=create")

    assert response.content.decode().count("Kirim ulang") >= size


def test_a_change_of_region_reads_as_the_regions_names(
    client_for, admin_user, balikpapan, samarinda
):
    from tests.conftest import make_user

    make_user(
        "siti", email="siti@contoh.go.id", first_name="Siti", role="officer", region=balikpapan
    )
    row = ["Siti", "siti@contoh.go.id", "", "petugas", "64.72", "", "", ""]
    record = imports.preview(xlsx([row]), by=admin_user)

    body = client_for(admin_user).get(f"{START}{record.pk}/?tampil=update").content.decode()

    assert "64.71 Kota Balikpapan → 64.72 Kota Samarinda" in body


@pytest.fixture
def stale_preview(admin_user, kanwil_kaltim):
    """A preview uploaded 25 hours ago and never committed."""
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=25), tick=False):
        return imports.preview(xlsx([OFFICER], name="akun-kaltim.xlsx"), by=admin_user)


@pytest.mark.parametrize("cleaned_up", [False, True], ids=["past-its-day", "emptied"])
def test_an_expired_preview_says_so_and_offers_the_upload_again(
    client_for, admin_user, stale_preview, cleaned_up
):
    # given: a preview past its day, emptied by the hourly cleanup or still waiting for it
    if cleaned_up:
        tasks.remove_expired_import_previews.apply()
    client = client_for(admin_user)
    page = f"{START}{stale_preview.pk}/"
    commit_url = reverse("accounts:import-commit", args=[stale_preview.pk])

    # when: its page is opened, and its commit pressed (as a form left open for a day would)
    shown = client.get(page)
    pressed = client.post(commit_url, {"confirmed": "1"})
    client.post(reverse("set_language"), {"language": "en", "next": START})
    in_english = client.get(page)

    # then: 410 with the file's name, the zone-named times and the link to upload it again
    for response in (shown, pressed):
        html = response.content.decode()
        assert response.status_code == 410
        assert "Pratinjau impor ini sudah kedaluwarsa" in html
        assert "akun-kaltim.xlsx" in html
        assert f'href="{START}" data-testid="upload-again"' in html
        assert "WIB" in html
    assert in_english.status_code == 410
    assert "This import preview has expired" in in_english.content.decode()
    assert not User.objects.filter(email="siti@contoh.go.id").exists()


def test_an_import_that_never_existed_is_still_not_found(client_for, admin_user):
    assert client_for(admin_user).get(f"{START}999999/").status_code == 404
