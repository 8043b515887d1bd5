"""Report states, rates and scores for national systems with a key."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Region
from evaluation.recaps import expected_reports
from tests.api.conftest import keyed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["reports", "rates", "scores"])
def test_without_a_key_the_answer_is_a_401_problem(client, name, regions):
    answer = client.get(reverse(f"api:{name}"), {"period": 1})
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert answer["WWW-Authenticate"] == "Api-Key"
    assert answer.json()["status"] == 401


def test_rates_give_every_expected_region_its_on_time_flag(national_key, current_period):
    answer = keyed(national_key).get(reverse("api:rates"), {"period": current_period.pk})
    assert answer.status_code == 200
    rows = {row["region"]: row for row in answer.json()["results"]}
    assert {code: (row["submitted"], row["on_time"]) for code, row in rows.items()} == {
        "35.78": (True, False),
        "64.71": (True, True),
        "64.72": (False, False),
    }
    codes = dict(Region.objects.values_list("pk", "code"))
    assert {
        codes[entry.region_id]: (entry.submitted, entry.on_time)
        for entry in expected_reports([current_period])
    } == {code: (row["submitted"], row["on_time"]) for code, row in rows.items()}


def test_rates_without_a_period_is_a_400_problem(national_key, current_period):
    answer = keyed(national_key).get(reverse("api:rates"))
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert "period" in answer.json()["errors"]


def test_rates_of_an_unknown_period_is_a_404(national_key, current_period):
    answer = keyed(national_key).get(reverse("api:rates"), {"period": 999999})
    assert answer.status_code == 404


def test_report_states_filtered_by_status(national_key, current_period):
    answer = keyed(national_key).get(
        reverse("api:reports"), {"period": current_period.pk, "status": "submitted"}
    )
    assert sorted(row["region"] for row in answer.json()["results"]) == ["35.78", "64.71"]
    first = next(row for row in answer.json()["results"] if row["region"] == "64.71")
    assert first["first_submitted_at"] == "2026-04-09T10:00:00+08:00"  # in WITA


def test_scores_as_they_stand_for_a_national_key(national_key, published):
    body = keyed(national_key).get(reverse("api:scores"), {"page_size": 50}).json()
    assert {row["region"] for row in body["results"]} == {"64.71", "64.72", "35.78"}
    assert body["count"] == 5


def test_a_key_answer_has_an_etag_and_304(national_key, current_period):
    client = keyed(national_key)
    url = reverse("api:rates") + f"?period={current_period.pk}"
    first = client.get(url)
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_an_expired_key_is_refused(national_key, current_period):
    api_key, _key = national_key
    api_key.expiry_date = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    api_key.save()
    answer = keyed(national_key).get(reverse("api:reports"))
    assert answer.status_code == 401
    assert "kedaluwarsa" in answer.json()["detail"]
