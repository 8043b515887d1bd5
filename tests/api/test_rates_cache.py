"""The rates of a period are kept whole in the shared cache and answered 304 to a client that
has them, and they follow at once every change they show: a submission, a return, an
extension, a new assignment, a province moved to another Kanwil. A key never gets the answer
kept for another key's scope."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from redis.connection import AbstractConnection

from accounts.models import KanwilProvince
from api.models import ApiKey
from api.services import revoke_key
from api.throttles import KeyThrottle
from reporting.models import Extension, Report
from reporting.requirements import report_requirements
from reporting.services import (
    assign_actions,
    grant_extension,
    return_report,
    start_report,
    submit_report,
)
from tests.api.conftest import WITA, keyed
from tests.reporting.conftest import add_entries, add_evidence_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(national_key):
    return keyed(national_key)


def rates(client, period):
    answer = client.get(reverse("api:rates"), {"period": period.pk, "page_size": 1000})
    assert answer.status_code == 200
    return {
        row["region"]: (row["status"], row["submitted"], row["on_time"])
        for row in answer.json()["results"]
    }


@pytest.fixture
def after(django_capture_on_commit_callbacks):
    """Make a change and commit it, as a request or a task would."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            change()

    return run


def test_a_repeated_request_is_answered_from_the_cache_with_one_query(
    shared_cache, national, current_period, django_assert_max_num_queries
):
    first = national.get(reverse("api:rates"), {"period": current_period.pk})
    # The period with its state (the key's row is kept in the cache); on SQLite, a quick
    # start's database, the state is read in two more queries.
    with django_assert_max_num_queries(1 if connection.vendor == "postgresql" else 3):
        again = national.get(reverse("api:rates"), {"period": current_period.pk})
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]


@pytest.fixture
def round_trips(monkeypatch):
    """How many times the portal spoke to Redis (a pipeline or a multi-key read is one)."""
    sent = []
    original = AbstractConnection.send_packed_command

    def counted(connection, command, *args, **kwargs):
        sent.append(command)
        return original(connection, command, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    return sent


def test_a_repeated_request_takes_two_round_trips_to_the_shared_cache(
    shared_cache, national, current_period, round_trips
):
    # given: the answer kept, the key's row kept
    url = reverse("api:rates") + f"?period={current_period.pk}"
    first = national.get(url)
    round_trips.clear()

    # when
    again = national.get(url)

    # then: the key's row and its version; the key's count with the versions and the answer
    assert again.content == first.content
    assert len(round_trips) == 2


def test_without_a_throttle_the_answer_reads_the_cache_itself(
    shared_cache, national, current_period, monkeypatch, django_assert_max_num_queries
):
    # given: no rate for keys, so no throttle's round trip to read with
    monkeypatch.setattr(KeyThrottle, "THROTTLE_RATES", {"key": None})
    url = reverse("api:rates") + f"?period={current_period.pk}"
    first = national.get(url)

    # when, then: the kept answer, with the one query of the period's state
    with django_assert_max_num_queries(1 if connection.vendor == "postgresql" else 3):
        again = national.get(url)
    assert again.content == first.content
    assert national.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_the_cached_answer_is_the_one_computed_without_a_cache(settings, national, current_period):
    url = reverse("api:rates") + f"?period={current_period.pk}"
    without = national.get(url).json()
    settings.CACHE_URL = "redis://shared.example"  # the cached path; the test's cache stands in
    assert national.get(url).json() == national.get(url).json() == without
    assert [row["region"] for row in without["results"]] == ["35.78", "64.71", "64.72"]
    assert without["results"][0] == {
        "region": "35.78",
        "period": current_period.pk,
        "status": "submitted",
        "submitted": True,
        "on_time": False,
    }


def test_a_matching_etag_gets_304_until_a_report_moves(
    shared_cache, national, current_period, evaluator_kaltim, balikpapan, after
):
    url = reverse("api:rates") + f"?period={current_period.pk}"
    etag = national.get(url)["ETag"]
    assert national.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    report = Report.objects.get(region=balikpapan, period=current_period)
    after(lambda: return_report(report, by=evaluator_kaltim, note="Lengkapi data dukung."))
    answer = national.get(url, HTTP_IF_NONE_MATCH=etag)
    assert answer.status_code == 200
    assert answer["ETag"] != etag


def test_a_return_and_a_submission_are_seen_at_once(
    shared_cache,
    national,
    current_period,
    balikpapan,
    samarinda,
    evaluator_kaltim,
    officer_samarinda,
    after,
):
    assert rates(national, current_period)["64.71"] == ("submitted", True, True)
    assert rates(national, current_period)["64.72"] == (None, False, False)

    returned = Report.objects.get(region=balikpapan, period=current_period)
    after(lambda: return_report(returned, by=evaluator_kaltim, note="Lengkapi data dukung."))
    assert rates(national, current_period)["64.71"] == ("returned", True, True)

    draft = start_report(samarinda, current_period, by=officer_samarinda)
    assert rates(national, current_period)["64.72"] == ("draft", False, False)
    add_entries(draft)
    for block in report_requirements(samarinda, current_period):
        for requirement in block.requirements:
            add_evidence_rows(draft, requirement, 1, by=officer_samarinda)
    on_the_day = datetime.datetime(2026, 4, 10, 23, 0, tzinfo=WITA)
    after(lambda: submit_report(draft, by=officer_samarinda, now=on_the_day))
    assert rates(national, current_period)["64.72"] == ("submitted", True, True)


def test_an_extension_granted_makes_a_late_report_on_time(
    shared_cache, national, current_period, surabaya, admin_user, after
):
    assert rates(national, current_period)["35.78"] == ("submitted", True, False)
    after(
        lambda: grant_extension(
            surabaya,
            current_period,
            due_on=datetime.date(2026, 4, 15),
            reason="Banjir.",
            by=admin_user,
        )
    )
    assert rates(national, current_period)["35.78"] == ("submitted", True, True)


def test_an_extended_date_corrected_in_the_database_is_seen(
    shared_cache, national, current_period, surabaya, admin_user, after
):
    # given: Surabaya, submitted on the 14th, on time by its extension to the 15th
    after(
        lambda: grant_extension(
            surabaya,
            current_period,
            due_on=datetime.date(2026, 4, 15),
            reason="Banjir.",
            by=admin_user,
        )
    )
    assert rates(national, current_period)["35.78"] == ("submitted", True, True)

    # when: the extension's date is corrected by no service
    Extension.objects.filter(region=surabaya, period=current_period).update(
        due_on=datetime.date(2026, 4, 12)
    )

    # then
    assert rates(national, current_period)["35.78"] == ("submitted", True, False)


def test_a_new_assignment_adds_its_region(
    shared_cache, national, current_period, regions, admin_user, after
):
    bontang = regions.get(code="64.74")
    assert "64.74" not in rates(national, current_period)
    action = current_period.measures.order_by("action__number")[0].action
    after(lambda: assign_actions([action], [bontang], by=admin_user))
    assert rates(national, current_period)["64.74"] == (None, False, False)


def test_a_province_moved_to_another_kanwil_moves_its_regions_between_keys(
    shared_cache, national_key, kaltim_key, current_period, kanwil_kaltim, kanwil_jatim, after
):
    kaltim = keyed(kaltim_key)
    assert set(rates(kaltim, current_period)) == {"64.71", "64.72"}
    link = KanwilProvince.objects.get(province__code="35")
    link.kanwil = kanwil_kaltim
    after(link.save)
    assert set(rates(kaltim, current_period)) == {"35.78", "64.71", "64.72"}
    assert set(rates(keyed(national_key), current_period)) == {"35.78", "64.71", "64.72"}


def test_a_kanwil_key_never_gets_the_national_keys_answer(
    shared_cache, national_key, kaltim_key, current_period
):
    url = reverse("api:rates") + f"?period={current_period.pk}"
    national = keyed(national_key).get(url)
    assert national.status_code == 200
    kaltim = keyed(kaltim_key)
    assert kaltim.get(url, HTTP_IF_NONE_MATCH=national["ETag"]).status_code == 200
    assert set(rates(kaltim, current_period)) == {"64.71", "64.72"}
    assert kaltim.get(reverse("api:rates"), {"period": 999999}).status_code == 404


def test_a_fix_in_the_data_and_a_regions_new_time_zone_are_seen(
    shared_cache, national, current_period, balikpapan, after
):
    # a first submission corrected in the database, by no service: late by Balikpapan's clock
    late_evening = datetime.datetime(2026, 4, 10, 23, 30, tzinfo=WITA)
    Report.objects.filter(region=balikpapan, period=current_period).update(
        first_submitted_at=late_evening
    )
    assert rates(national, current_period)["64.71"] == ("submitted", True, True)
    # the same moment is already the next day in WIT
    balikpapan.time_zone = "Asia/Jayapura"
    after(balikpapan.save)
    assert rates(national, current_period)["64.71"] == ("submitted", True, False)


def test_a_key_kept_in_the_cache_is_refused_from_the_request_after_its_revocation(
    shared_cache, national_key, admin_user, current_period, after
):
    # given: a key used once, its row now kept in the shared cache
    client = keyed(national_key)
    url = reverse("api:rates") + f"?period={current_period.pk}"
    assert client.get(url).status_code == 200

    # when: an admin revokes it
    after(lambda: revoke_key(national_key[0], by=admin_user))

    # then: the next request is refused
    assert client.get(url).status_code == 401


def test_a_key_kept_in_the_cache_is_refused_once_it_expires(
    shared_cache, national_key, current_period, after
):
    client = keyed(national_key)
    url = reverse("api:rates") + f"?period={current_period.pk}"
    assert client.get(url).status_code == 200

    # when: its expiry is set to the past, by a write that sends no signal
    past = timezone.now() - datetime.timedelta(minutes=1)
    after(lambda: ApiKey.objects.filter(pk=national_key[0].pk).update(expiry_date=past))

    # then
    refused = client.get(url)
    assert refused.status_code == 401
    assert "kedaluwarsa" in refused.json()["detail"]
