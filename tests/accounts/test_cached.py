"""An entry kept with the version number it was read at: one round trip to the shared cache
while the number stands, read again once a committed write moves it. Several numbers read
together: one round trip."""

import pytest
from django.core.cache import cache

from accounts.cached import bump_after_commit, read_at_version, versions

VERSION_KEY = "test-things-version"


class Reads:
    """A read that counts how often it runs."""

    def __init__(self):
        self.count = 0

    def __call__(self):
        self.count += 1
        return [f"read {self.count}"]


def test_a_kept_entry_costs_one_round_trip_and_no_read(round_trips):
    # given an entry read once
    read = Reads()
    first = read_at_version(VERSION_KEY, "things", read, 60)
    round_trips.clear()

    # when it is asked for again
    again = read_at_version(VERSION_KEY, "things", read, 60)

    # then it comes from the cache, with the number, in one call
    assert again == first == ["read 1"]
    assert read.count == 1
    assert round_trips == ["get_many"]


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_makes_the_next_request_read_again(django_capture_on_commit_callbacks):
    # given an entry read and kept
    read = Reads()
    read_at_version(VERSION_KEY, "things", read, 60)

    # when a write moves the number once it commits
    with django_capture_on_commit_callbacks(execute=True):
        bump_after_commit(VERSION_KEY)

    # then the next request reads again, and keeps what it read
    assert read_at_version(VERSION_KEY, "things", read, 60) == ["read 2"]
    assert read_at_version(VERSION_KEY, "things", read, 60) == ["read 2"]
    assert read.count == 2


def test_an_entry_kept_at_another_number_is_not_taken():
    # given an entry stored by a request that read the number before a write moved it
    read = Reads()
    read_at_version(VERSION_KEY, "things", read, 60)
    number = cache.get(VERSION_KEY)
    cache.set("things", (number - 1, ["stale"]), 60)

    # when it is asked for, then it is read again
    assert read_at_version(VERSION_KEY, "things", read, 60) == ["read 2"]


def test_an_empty_result_is_kept_too():
    read = Reads()
    nothing = lambda: (read(), [])[1]  # noqa: E731 - a read that finds nothing
    assert read_at_version(VERSION_KEY, "nothing", nothing, 60) == []
    assert read_at_version(VERSION_KEY, "nothing", nothing, 60) == []
    assert read.count == 1


def test_numbers_read_together_cost_one_round_trip(round_trips):
    # given one number that stands and one not there yet
    first = versions(["test-a-version"])[0]

    # when both are read together, twice
    started = versions(["test-a-version", "test-b-version"])
    round_trips.clear()
    again = versions(["test-a-version", "test-b-version"])

    # then the missing one was started (and kept), and the second time both came in one call
    assert round_trips == ["get_many"]
    assert again == started == [first, cache.get("test-b-version")]
