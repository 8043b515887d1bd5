"""API keys are scoped like people: a Kanwil key reads that Kanwil's regions only, a revoked
or unknown key reads nothing, and a key never writes."""

import pytest
from django.urls import reverse

from api.services import revoke_key
from tests.api.conftest import current_period, kaltim_key, keyed, national_key  # noqa: F401
from tests.public.conftest import published  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_kanwil_key_sees_only_its_regions_reports(kaltim_key, current_period):  # noqa: F811
    body = keyed(kaltim_key).get(reverse("api:reports")).json()
    assert {row["region"] for row in body["results"]} == {"64.71"}


def test_a_kanwil_key_filtering_for_another_kanwils_region_gets_an_empty_list(
    kaltim_key,  # noqa: F811
    current_period,  # noqa: F811
    published,  # noqa: F811
):
    for name in ("reports", "scores"):
        answer = keyed(kaltim_key).get(reverse(f"api:{name}"), {"region": "35.78"})
        assert answer.status_code == 200
        assert answer.json()["results"] == []
        assert answer.json()["count"] == 0


def test_a_kanwil_key_does_not_see_another_kanwils_scores(kaltim_key, published):  # noqa: F811
    body = keyed(kaltim_key).get(reverse("api:scores"), {"page_size": 50}).json()
    assert {row["region"] for row in body["results"]} == {"64.71", "64.72"}


def test_a_kanwil_keys_rates_leave_out_other_kanwils(kaltim_key, current_period):  # noqa: F811
    body = keyed(kaltim_key).get(reverse("api:rates"), {"period": current_period.pk}).json()
    assert {row["region"] for row in body["results"]} == {"64.71", "64.72"}


def test_a_national_key_sees_every_region(national_key, current_period):  # noqa: F811
    body = keyed(national_key).get(reverse("api:reports")).json()
    assert {row["region"] for row in body["results"]} == {"64.71", "35.78"}


def test_a_revoked_key_is_refused(national_key, current_period, admin_user):  # noqa: F811
    assert revoke_key(national_key[0], by=admin_user)
    answer = keyed(national_key).get(reverse("api:reports"))
    assert answer.status_code in (401, 403)
    assert answer["Content-Type"] == "application/problem+json"
    assert "dicabut" in answer.json()["detail"]


def test_an_invented_key_is_refused(client, regions):
    answer = client.get(reverse("api:scores"), HTTP_AUTHORIZATION="Api-Key abc.def")
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_key_cannot_write(national_key, current_period, method):  # noqa: F811
    answer = getattr(keyed(national_key), method)(reverse("api:reports"))
    assert answer.status_code == 405
