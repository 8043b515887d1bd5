"""The signed-in person is loaded with their region, Kanwil and Kanwil seat zone at once."""

from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY

from accounts.backends import PortalBackend
from accounts.days import ministry_zone, user_zone
from accounts.models import Kanwil, KanwilProvince
from tests.conftest import PASSWORD


def test_an_officer_comes_with_the_region_and_its_zone(
    officer_balikpapan, django_assert_num_queries
):
    with django_assert_num_queries(1):
        user = PortalBackend().get_user(officer_balikpapan.pk)
        assert user.affiliation == "Kota Balikpapan"
        assert user_zone(user) == ZoneInfo("Asia/Makassar")


def test_an_evaluator_comes_with_the_kanwil_and_its_seat_zone(
    evaluator_other, django_assert_num_queries
):
    with django_assert_num_queries(1):
        user = PortalBackend().get_user(evaluator_other.pk)
        assert user.affiliation == evaluator_other.kanwil.name
        # Jawa Timur's seat (its first province) speaks WIB.
        assert user_zone(user) == ZoneInfo("Asia/Jakarta")
    # The same zone the Kanwil finds on its own.
    assert user_zone(user) == Kanwil.objects.get(pk=evaluator_other.kanwil_id).zone


def test_a_kanwil_without_provinces_speaks_the_ministrys_zone(evaluator_other):
    KanwilProvince.objects.filter(kanwil=evaluator_other.kanwil).delete()
    user = PortalBackend().get_user(evaluator_other.pk)
    assert user.kanwil.zone == ministry_zone()


def test_an_inactive_user_is_not_loaded(officer_balikpapan):
    officer_balikpapan.is_active = False
    officer_balikpapan.save()
    assert PortalBackend().get_user(officer_balikpapan.pk) is None
    assert PortalBackend().get_user(10**9) is None


@pytest.mark.django_db
def test_a_password_login_is_kept_by_this_backend(client, officer_balikpapan):
    response = client.post("/masuk/", {"username": "petugas.bpn", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.PortalBackend"
    assert client.get("/laporan/").status_code == 200
