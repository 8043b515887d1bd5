"""An entry kept with the version number it was read at: one round trip to the shared cache
while the number stands, read again once a committed write moves it."""

import pytest
from django.core.cache import cache

from accounts.cached import bump_after_commit, read_at_version

VERSION_KEY = "test-things-version"


class Reads:
    """A read that counts how often it runs."""

    def __init__(self):
        self.count = 0

    def __call__(self):
        self.count += 1
        return [f"read {self.count}"]


@pytest.fixture
def round_trips(monkeypatch):
    """The calls made to the cache, by name (not the test cache's own calls within them: its
    get_many asks get for each key, where Redis answers in one round trip)."""
    calls, depth = [], [0]
    for name in ("get", "get_many", "set", "add"):
        real = getattr(cache, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            if not depth[0]:
                calls.append(_name)
            depth[0] += 1
            try:
                return _real(*args, **kwargs)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(cache, name, spy)
    return calls


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
