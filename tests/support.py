"""Helpers shared by tests."""

import time


def wait_for(predicate, timeout=30.0, interval=0.1):
    """Poll until predicate() is true; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
