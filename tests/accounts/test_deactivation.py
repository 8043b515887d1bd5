"""Whatever door deactivates an account (a save or an update, from the Django admin, a
service or a command), the person's sessions end and stay ended after a reactivation."""

import pytest

from accounts.backends import PortalBackend
from accounts.models import Role, User
from tests.conftest import make_user
from tests.support import signed_in

pytestmark = pytest.mark.django_db

HOME = "/laporan/"


@pytest.mark.parametrize("update_fields", [None, ["is_active"]])
def test_a_save_that_deactivates_ends_the_sessions(officer_balikpapan, update_fields):
    # given
    officer_session = signed_in(officer_balikpapan)

    # when: a command or a service saves the account inactive, and later active again
    officer_balikpapan.is_active = False
    officer_balikpapan.save(update_fields=update_fields)
    officer_balikpapan.is_active = True
    officer_balikpapan.save(update_fields=update_fields)

    # then
    officer_balikpapan.refresh_from_db()
    assert officer_balikpapan.session_epoch == 1
    assert officer_session.get(HOME).status_code == 302


def test_saving_an_inactive_account_again_moves_nothing_and_rolls_nothing_back(
    officer_balikpapan,
):
    # given: a copy of the account read before it was deactivated (epoch 0)
    stale = User.objects.get(pk=officer_balikpapan.pk)
    officer_balikpapan.is_active = False
    officer_balikpapan.save()

    # when: the account is saved inactive again, once from each copy
    officer_balikpapan.save()
    stale.is_active, stale.first_name = False, "Petugas Lama"
    stale.save()

    # then: the epoch stays where the one deactivation put it
    stale.refresh_from_db()
    assert (stale.first_name, stale.session_epoch) == ("Petugas Lama", 1)


def test_an_update_that_deactivates_ends_the_sessions_of_the_active_accounts_only(
    officer_balikpapan, officer_samarinda
):
    # given: Samarinda's officer was deactivated once before; Balikpapan's is signed in
    officer_samarinda.is_active = False
    officer_samarinda.save()
    officer_session = signed_in(officer_balikpapan)

    # when: both are deactivated in one update
    changed = User.objects.filter(role=Role.OFFICER).update(is_active=False)

    # then: only the account that was active moves; its session ends for good
    assert changed == 2
    epochs = dict(User.objects.officers().values_list("username", "session_epoch"))
    assert epochs == {"petugas.bpn": 1, "petugas.smd": 1}
    User.objects.filter(pk=officer_balikpapan.pk).update(is_active=True)
    assert officer_session.get(HOME).status_code == 302


def test_a_new_inactive_account_starts_at_the_first_epoch(balikpapan):
    user = make_user("petugas.nonaktif", role=Role.OFFICER, region=balikpapan, is_active=False)

    user.refresh_from_db()
    assert user.session_epoch == 0


def _update(user):
    User.objects.filter(pk=user.pk).update(is_active=False)


def _bulk_update(user):
    user.is_active = False
    User.objects.bulk_update([user], ["is_active"])


@pytest.mark.parametrize("deactivate", [_update, _bulk_update], ids=["update", "bulk_update"])
def test_an_update_that_deactivates_reaches_the_person_kept_in_the_shared_cache(
    settings, officer_balikpapan, django_capture_on_commit_callbacks, deactivate
):
    # given: the signed-in officer is kept in the shared cache
    settings.CACHE_URL = "redis://shared.example"  # the cached path; the test's cache stands in
    assert PortalBackend().get_user(officer_balikpapan.pk) is not None

    # when: an update deactivates the account (an update sends no post_save)
    with django_capture_on_commit_callbacks(execute=True):
        deactivate(User.objects.get(pk=officer_balikpapan.pk))

    # then: the next request loads the account again, and finds it inactive
    assert PortalBackend().get_user(officer_balikpapan.pk) is None


def test_a_bulk_update_that_deactivates_ends_the_sessions_of_the_active_accounts_only(
    officer_balikpapan, officer_samarinda
):
    # given: Samarinda's officer was deactivated once before; Balikpapan's is signed in
    officer_samarinda.is_active = False
    officer_samarinda.save()
    officer_session = signed_in(officer_balikpapan)
    accounts = list(User.objects.officers().order_by("username"))

    # when: both are deactivated by one bulk update, then reactivated by another
    for account in accounts:
        account.is_active = False
    changed = User.objects.bulk_update(accounts, ["is_active"])
    epochs = dict(User.objects.officers().values_list("username", "session_epoch"))
    for account in accounts:
        account.is_active = True
    User.objects.bulk_update(accounts, ["is_active"], batch_size=1)

    # then: only the account that was active moved; its session stays ended, and saving
    # the objects again puts no older epoch back
    assert changed == 2
    assert epochs == {"petugas.bpn": 1, "petugas.smd": 1}
    assert [account.session_epoch for account in accounts] == [1, 1]
    for account in accounts:
        account.save()
    assert dict(User.objects.officers().values_list("username", "session_epoch")) == epochs
    assert officer_session.get(HOME).status_code == 302


def test_a_bulk_update_of_other_fields_moves_no_epoch(officer_balikpapan):
    # given
    officer_session = signed_in(officer_balikpapan)
    officer_balikpapan.first_name = "Siti"

    # when
    User.objects.bulk_update([officer_balikpapan], ["first_name"])

    # then
    officer_balikpapan.refresh_from_db()
    assert (officer_balikpapan.first_name, officer_balikpapan.session_epoch) == ("Siti", 0)
    assert officer_session.get(HOME).status_code == 200
