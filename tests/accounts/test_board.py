"""The readiness board: who can log in per region, its counts, filters, export and re-sends."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import board, invitations
from accounts.models import AuditEvent, Invitation, Region, Role, User
from outbox.models import Entry
from tests.conftest import CAST, make_user

BOARD = reverse("accounts:board")


def invited_officer(region, username, *, by, days_ago=0, **fields):
    user = make_user(username, role=Role.OFFICER, region=region, **fields)
    user.set_unusable_password()
    user.save()
    now = timezone.now() - datetime.timedelta(days=days_ago)
    invitations.invite(user, by=by, now=now)
    return user


@pytest.fixture
def kaltim_board(officer_balikpapan, officer_samarinda, evaluator_kaltim, admin_user, regions):
    """Balikpapan and Samarinda active (Balikpapan's officer confirmed an e-mail), Bontang
    invited 3 days ago, Kutai Kartanegara invited 20 days ago (expired), the rest nobody."""
    officer_balikpapan.email_confirmed_at = timezone.now()
    officer_balikpapan.save(update_fields=["email_confirmed_at"])
    bontang = invited_officer(
        regions.get(code="64.74"), "petugas.btg", by=admin_user, days_ago=3, email="b@x.id"
    )
    kukar = invited_officer(regions.get(code="64.02"), "petugas.kkr", by=admin_user, days_ago=20)
    return {"bontang": bontang, "kukar": kukar}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cast_member", "status"),
    [
        ("officer_balikpapan", 403),
        ("officer_samarinda", 403),
        ("evaluator_kaltim", 200),
        ("evaluator_other", 200),
        ("admin_user", 200),
        ("anonymous", 302),
    ],
    indirect=["cast_member"],
)
def test_the_board_opens_for_evaluators_and_admins_only(client_for, cast_member, status):
    assert {"officer_balikpapan", "anonymous"} <= set(CAST)

    response = client_for(cast_member).get(BOARD)

    assert response.status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cast_member", "status"),
    [
        ("officer_balikpapan", 403),
        ("evaluator_kaltim", 200),
        ("admin_user", 200),
        ("anonymous", 302),
    ],
    indirect=["cast_member"],
)
def test_the_exports_open_for_evaluators_and_admins_only(client_for, cast_member, status):
    client = client_for(cast_member)

    assert client.get(reverse("accounts:board-csv")).status_code == status
    assert client.get(reverse("accounts:board-xlsx")).status_code == status


@pytest.mark.django_db
def test_each_region_has_one_state_and_the_counts_add_up(kaltim_board, evaluator_kaltim):
    regions = board.board_regions(evaluator_kaltim)
    states = dict(regions.values_list("code", "board_state"))

    assert states["64.71"] == states["64.72"] == board.State.ACTIVE
    assert states["64.74"] == states["64.02"] == board.State.INVITED
    assert states["64.01"] == board.State.NOBODY
    counts = board.counts(board.summary(evaluator_kaltim)[0])
    assert (
        counts["total"] == len(states) == Region.objects.of_kanwil(evaluator_kaltim.kanwil).count()
    )
    assert counts["active"] == 2 and counts["invited"] == 2
    assert counts["nobody"] == counts["total"] - 4
    # Samarinda's, Bontang's and Kukar's officers have no confirmed contact; Balikpapan's has.
    assert counts["unreachable"] == 3


@pytest.mark.django_db
def test_an_evaluator_sees_only_the_regions_of_its_own_kanwil(kaltim_board, evaluator_other):
    codes = set(board.board_regions(evaluator_other).values_list("code", flat=True))

    assert "35.78" in codes
    assert not codes & {"64.71", "64.74"}


@pytest.mark.django_db
def test_the_page_shows_counts_days_since_invitation_and_the_unreachable(
    client_for, kaltim_board, evaluator_kaltim
):
    response = client_for(evaluator_kaltim).get(BOARD, {"state": "diundang"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="count-active">2<' in page
    assert 'data-testid="count-invited">2<' in page
    assert "diundang 3 hari lalu" in page
    assert "undangan kedaluwarsa" in page
    assert 'data-testid="region-64.71"' not in page  # filtered out: active
    assert 'data-testid="unreachable"' in page


@pytest.mark.django_db
def test_filters_by_province_and_kanwil_for_admins(client_for, kaltim_board, admin_user):
    kaltara = Region.objects.get(code="65")
    response = client_for(admin_user).get(BOARD, {"province": kaltara.pk})

    page = response.content.decode()
    assert 'data-testid="region-65.71"' in page
    assert 'data-testid="region-64.71"' not in page
    response = client_for(admin_user).get(BOARD, {"kanwil": evaluator_kaltim_kanwil(kaltara)})
    assert 'data-testid="region-64.71"' in response.content.decode()


def evaluator_kaltim_kanwil(region):
    return region.kanwil_link.kanwil_id


@pytest.mark.django_db
def test_a_bad_filter_value_is_ignored(client_for, kaltim_board, evaluator_kaltim):
    response = client_for(evaluator_kaltim).get(BOARD, {"province": "x", "state": "?"})

    assert response.status_code == 200
    assert 'data-testid="region-64.71"' in response.content.decode()


def _officers(count, start, admin_user):
    regions = list(Region.objects.exclude(level="provinsi").order_by("code")[start : start + count])
    users = []
    for index, region in enumerate(regions):
        user = make_user(f"massal.{start}.{index}", role=Role.OFFICER, region=region)
        if index % 2:
            user.set_unusable_password()
            user.save()
            invitations.invite(user, by=admin_user)
        users.append(user)
    return users


@pytest.mark.django_db
def test_the_page_query_count_does_not_grow_with_the_regions(
    client_for, admin_user, django_assert_max_num_queries
):
    client = client_for(admin_user)
    _officers(4, 0, admin_user)
    client.get(BOARD)  # the session and the cached person
    with django_assert_max_num_queries(12) as small:
        client.get(BOARD)
    _officers(60, 10, admin_user)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(BOARD)
    assert response.context["counts"]["total"] == Region.objects.count()


@pytest.mark.django_db
def test_the_csv_export_has_one_line_per_region_of_the_filter(
    client_for, kaltim_board, evaluator_kaltim
):
    response = client_for(evaluator_kaltim).get(
        reverse("accounts:board-csv"), {"state": "diundang"}
    )

    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Disposition"].startswith("attachment;")
    assert lines[0][:4] == ["Kode", "Wilayah", "Kanwil", "Status"]
    assert sorted(line[0] for line in lines[1:]) == ["64.02", "64.74"]
    bontang = next(line for line in lines if line[0] == "64.74")
    assert bontang[4] == "3"


@pytest.mark.django_db
def test_the_xlsx_export_opens_in_openpyxl(client_for, kaltim_board, evaluator_kaltim):
    from openpyxl import load_workbook

    response = client_for(evaluator_kaltim).get(reverse("accounts:board-xlsx"))

    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "64.71" in codes and "35.78" not in codes


@pytest.mark.django_db
def test_resend_all_asks_first_then_renews_open_invitations_of_the_filter(
    client_for, kaltim_board, admin_user, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    url = reverse("accounts:board-resend")

    confirm = client.get(url, {"state": "diundang"})
    assert "2 petugas" in confirm.content.decode()
    assert Invitation.objects.count() == 2

    response = client.post(url, {"state": "diundang"})

    assert response.status_code == 302
    for user in kaltim_board.values():
        latest = Invitation.objects.filter(user=user).first()
        assert latest.status == "pending" and latest.created_by == admin_user
    assert Invitation.objects.count() == 4
    assert AuditEvent.objects.filter(action="user_invited").count() == 4
    # the resent ones ride on one batch entry (accounts.invitations.invite_many)
    assert Entry.objects.filter(topic="accounts.invitation_sent").count() == 2
    assert Entry.objects.filter(topic="accounts.invitations_sent").count() == 1


@pytest.mark.django_db
def test_resend_all_is_refused_to_an_evaluator_who_is_no_kanwil_admin(
    client_for, kaltim_board, evaluator_kaltim
):
    response = client_for(evaluator_kaltim).post(reverse("accounts:board-resend"))

    assert response.status_code == 403
    assert Invitation.objects.count() == 2


@pytest.mark.django_db
def test_a_kanwil_admin_resends_only_its_own_kanwils_invitations(
    client_for, kaltim_board, evaluator_other, admin_user, surabaya
):
    evaluator_other.is_kanwil_admin = True
    evaluator_other.save(update_fields=["is_kanwil_admin"])
    invited_officer(surabaya, "petugas.sby.baru", by=admin_user)

    client_for(evaluator_other).post(reverse("accounts:board-resend"))

    assert Invitation.objects.filter(created_by=evaluator_other).count() == 1
    assert not Invitation.objects.filter(
        created_by=evaluator_other, user__in=list(kaltim_board.values())
    ).exists()
    assert User.objects.filter(username="petugas.sby.baru").exists()


@pytest.mark.django_db
def test_with_a_shared_cache_a_repeated_view_reads_nothing_and_a_change_shows_after_commit(
    client_for,
    kaltim_board,
    admin_user,
    settings,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    settings.CACHE_URL = "redis://cache.example/1"  # the test's own cache stands in
    from accounts import people

    client = client_for(admin_user)
    client.get(BOARD, {"state": "diundang"})
    with django_assert_max_num_queries(3):  # the session and the signed-in person at most
        page = client.get(BOARD, {"state": "diundang"}).content.decode()
    assert 'data-testid="region-64.74"' in page

    with django_capture_on_commit_callbacks(execute=True):
        people.deactivate(kaltim_board["bontang"], by=admin_user)

    page = client.get(BOARD, {"state": "diundang"}).content.decode()
    assert 'data-testid="region-64.74"' not in page
