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


@pytest.fixture
def shared_cache(settings):
    settings.CACHE_URL = "redis://shared.example"  # the cached path; the test's cache stands in


def test_with_a_shared_cache_the_next_request_loads_nobody(
    shared_cache, evaluator_other, django_assert_num_queries
):
    first = PortalBackend().get_user(evaluator_other.pk)
    with django_assert_num_queries(0):
        again = PortalBackend().get_user(evaluator_other.pk)
        assert again.pk == first.pk and again.kanwil.name == first.kanwil.name
        assert user_zone(again) == ZoneInfo("Asia/Jakarta")


def test_a_saved_user_is_loaded_again_at_once(
    shared_cache, officer_balikpapan, django_capture_on_commit_callbacks
):
    PortalBackend().get_user(officer_balikpapan.pk)
    with django_capture_on_commit_callbacks(execute=True):
        officer_balikpapan.set_password("Sandi-Baru-2026")
        officer_balikpapan.first_name = "Baru"
        officer_balikpapan.save()
    user = PortalBackend().get_user(officer_balikpapan.pk)
    assert user.first_name == "Baru" and user.check_password("Sandi-Baru-2026")
    with django_capture_on_commit_callbacks(execute=True):
        officer_balikpapan.is_active = False
        officer_balikpapan.save()
    assert PortalBackend().get_user(officer_balikpapan.pk) is None


def test_a_renamed_region_and_a_moved_seat_are_seen_at_once(
    shared_cache, officer_balikpapan, evaluator_other, regions, django_capture_on_commit_callbacks
):
    PortalBackend().get_user(officer_balikpapan.pk)
    PortalBackend().get_user(evaluator_other.pk)
    with django_capture_on_commit_callbacks(execute=True):
        region = regions.get(code="64.71")
        region.name = "Kota Balikpapan Baru"
        region.save()
        # Jawa Timur's Kanwil now sits first in Papua (WIT).
        KanwilProvince.objects.filter(kanwil=evaluator_other.kanwil).delete()
        KanwilProvince.objects.create(
            kanwil=evaluator_other.kanwil, province=regions.get(code="94")
        )
    assert PortalBackend().get_user(officer_balikpapan.pk).affiliation == "Kota Balikpapan Baru"
    assert user_zone(PortalBackend().get_user(evaluator_other.pk)) == ZoneInfo("Asia/Jayapura")


def test_a_session_of_a_changed_password_ends_with_a_shared_cache(
    shared_cache, client, officer_balikpapan, django_capture_on_commit_callbacks
):
    client.post("/masuk/", {"username": "petugas.bpn", "password": PASSWORD})
    assert client.get("/laporan/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        officer_balikpapan.set_password("Sandi-Lain-2026")
        officer_balikpapan.save()
    # Elsewhere the password changed: this session's hash no longer matches.
    assert client.get("/laporan/").status_code == 302
