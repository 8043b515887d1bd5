"""The portal's Redis cache: Django's, with one Redis client per pool kept between operations."""

import uuid

import pytest
from django.conf import settings

from ranham_portal.caching import PortalRedisCache


@pytest.fixture
def redis_cache():
    # The Redis the tests already use (the broker's, in CI), under a prefix of this test's own.
    broker = settings.CELERY_BROKER_URL
    url = broker if broker.startswith("redis://") else "redis://127.0.0.1:6379/0"
    cache = PortalRedisCache(url, {"KEY_PREFIX": uuid.uuid4().hex})
    yield cache
    cache.delete_many(["a", "n", "m1", "m2"])


def test_operations_share_one_client_and_behave_as_djangos(redis_cache):
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client

    assert redis_cache.get("a") is None
    redis_cache.set("a", {"versions": (1, 2)}, 30)
    assert redis_cache.get("a") == {"versions": (1, 2)}
    assert redis_cache.add("n", 5, 30) and not redis_cache.add("n", 6, 30)
    assert redis_cache.incr("n") == 6
    redis_cache.set_many({"m1": 1, "m2": 2}, 30)
    assert redis_cache.get_many(["m1", "m2", "a"]) == {"m1": 1, "m2": 2, "a": {"versions": (1, 2)}}
    redis_cache.delete("a")
    assert redis_cache.get("a") is None
    assert redis_cache._cache.get_client() is client
