"""A throttle counts each window's accepted requests in one number, in the shared cache as
in a process's own: the previous window weighs by the share of it still within the
duration, a refused request is not counted, and Retry-After says when the next one is
accepted."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from api.throttles import CountingThrottle, KeyThrottle, PublicThrottle
from tests.api.conftest import keyed

pytestmark = pytest.mark.django_db

MINUTE_START = 60 * 29_000_000  # a moment at the start of a one-minute window


class Clock:
    now = MINUTE_START


@pytest.fixture(params=["own cache", "shared cache"])
def caches_of_both_kinds(request):
    """The process's own cache (a quick start), or Redis as in production."""
    if request.param == "shared cache":
        request.getfixturevalue("shared_cache")  # emptied of this test's keys afterwards
        yield
    else:
        cache.clear()
        yield
        cache.clear()


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(CountingThrottle, "timer", staticmethod(lambda: clock.now))
    monkeypatch.setattr(KeyThrottle, "THROTTLE_RATES", {"key": "3/minute"})
    monkeypatch.setattr(PublicThrottle, "THROTTLE_RATES", {"public": "2/minute"})
    return clock


def statuses(client, times):
    url = reverse("api:kanwil")
    return [client.get(url).status_code for _ in range(times)]


def test_a_key_gets_its_rate_and_no_more(caches_of_both_kinds, clock, national_key, regions):
    assert statuses(keyed(national_key), 5) == [200, 200, 200, 429, 429]


def test_an_address_gets_its_rate_and_no_more(caches_of_both_kinds, clock, client, regions):
    assert statuses(client, 3) == [200, 200, 429]


def test_refused_requests_do_not_count_and_the_last_window_slides_out(
    caches_of_both_kinds, clock, national_key, regions
):
    # given: three accepted at the start of a minute, then a refused one asked many times
    client = keyed(national_key)
    assert statuses(client, 3) == [200, 200, 200]
    clock.now += 30
    assert statuses(client, 5) == [429] * 5

    # when: a tenth of the next minute has passed, the three weigh nine tenths of theirs
    clock.now = MINUTE_START + 66
    # then: 2.7 + 1 is over three
    assert statuses(client, 1) == [429]

    # when: half of the next minute has passed, the three weigh half
    clock.now = MINUTE_START + 90
    # then: 1.5 + 1 is within three (counted, the refused ones would make it 4 + 2)
    assert statuses(client, 1) == [200]


def test_retry_after_says_when_the_next_request_is_accepted(
    caches_of_both_kinds, clock, national_key, regions
):
    client = keyed(national_key)
    clock.now = MINUTE_START + 10
    statuses(client, 3)
    refused = client.get(reverse("api:kanwil"))
    assert refused.status_code == 429
    # the next minute, once a third of it has passed: 3 x 2/3 + 1 is within three
    assert refused["Retry-After"] == "70"
    clock.now = MINUTE_START + 10 + 69
    assert statuses(client, 1) == [429]
    clock.now = MINUTE_START + 10 + 70
    assert statuses(client, 1) == [200]
