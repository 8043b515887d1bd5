"""Public reads answer without a key: reference data and published results only."""

import hashlib

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_regions_list_needs_no_key_and_pages_by_page_size(client, regions):
    answer = client.get(reverse("api:regions"), {"page_size": 5})
    assert answer.status_code == 200
    body = answer.json()
    assert len(body["results"]) == 5
    assert body["count"] > 500
    assert body["next"] and "page=2" in body["next"]
    second = client.get(body["next"]).json()
    assert second["results"][0]["code"] > body["results"][-1]["code"]


def test_page_size_is_capped_at_a_thousand(client, regions):
    body = client.get(reverse("api:regions"), {"page_size": 5000}).json()
    assert len(body["results"]) == min(1000, body["count"])


def test_region_detail_by_kemendagri_code(client, balikpapan):
    answer = client.get(reverse("api:region", args=["64.71"]))
    assert answer.status_code == 200
    assert answer.json()["name"] == balikpapan.name
    assert answer.json()["province_code"] == "64"


def test_unknown_region_is_a_404_problem(client, regions):
    answer = client.get(reverse("api:region", args=["99.99"]))
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["status"] == 404


def test_results_of_a_published_cycle_in_rank_order_filtered_by_kanwil(
    client, published, kanwil_kaltim
):
    answer = client.get(reverse("api:results", args=[2025]))
    codes = [row["code"] for row in answer.json()["results"]]
    assert codes[:2] == ["35.78", "64.71"]  # Surabaya 99.50, Balikpapan 99.00
    kaltim = client.get(reverse("api:results", args=[2025]), {"kanwil": kanwil_kaltim.code})
    codes = [row["code"] for row in kaltim.json()["results"]]
    assert codes == ["64.71", "64.72"]


def test_results_of_an_unpublished_cycle_are_not_found(client, published):
    assert client.get(reverse("api:results", args=[2023])).status_code == 404


def test_cycles_say_which_are_published(client, published):
    body = client.get(reverse("api:cycles")).json()
    assert {row["year"]: row["published"] for row in body["results"]} == {
        2025: True,
        2024: True,
    }


def test_an_unchanged_answer_is_a_304_for_its_etag(client, published):
    url = reverse("api:results", args=[2025])
    first = client.get(url)
    assert first.has_header("ETag")
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_a_kept_page_carries_the_etag_of_its_content(client, published):
    url = reverse("api:regions")
    first = client.get(url)
    kept = client.get(url)  # from the cache
    etag = '"' + hashlib.md5(first.content, usedforsecurity=False).hexdigest() + '"'
    assert first["ETag"] == kept["ETag"] == etag
    assert kept.content == first.content


def test_unknown_piagam_token_is_a_404_problem(client, regions):
    answer = client.get(reverse("api:piagam", args=["tidak-ada"]))
    assert answer.status_code == 404
    assert answer.json()["title"] == "Not Found"


def test_a_list_is_served_from_the_cache_until_a_publication_changes_it(
    client, published, admin_user, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from evaluation.publication import active_publication, withdraw

    url = reverse("api:results", args=[2025])
    first = client.get(url).json()
    with django_assert_max_num_queries(4):  # versions only: no scores, no serializing
        assert client.get(url).json() == first
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(active_publication(published[2025]), by=admin_user, reason="Salah hitung.")
    assert client.get(url).status_code == 404


def test_a_query_refused_before_any_view_is_still_a_problem(client, regions):
    answer = client.get("/api/v1/regions/?province=%00")
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert client.get("/api/v1/tidak-ada/")["Content-Type"] == "application/problem+json"
