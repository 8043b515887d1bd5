"""Django's Redis cache, without building a Redis client for every cache operation, and
without turning a Redis outage into error pages.

Django's RedisCacheClient makes a new ``redis.Redis`` around its connection pool on each get,
set or delete, and redis-py fills every new one with its table of about 170 response
callbacks: a third of a millisecond per operation, several times per page. This keeps one
client per pool (a ``redis.Redis`` is safe to share between threads; its pool hands out
the connections, and after a fork the pool opens new ones).

Everything in the cache can be read again from the database, so while Redis does not answer
the cache behaves as an empty one: reads miss, writes are dropped, ``incr`` finds no number
(``ValueError``, as for a missing key). After a failure the process leaves Redis alone for
``RETRY_SECONDS`` rather than waiting for a connection on every call. A version bump or a
delete that was dropped would let an old entry count as current once Redis is back, so the
first process that lost one empties the cache when Redis answers again.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_SECONDS = 2.0


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._lost_invalidation = False

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients.setdefault(index, self._client(connection_pool=pool))
        return client

    # --- a Redis that does not answer is an empty cache ----------------------------------

    def _call(self, name, args, kwargs, *, fallback, invalidates=False):
        if time.monotonic() < self._down_until:
            return self._missed(invalidates, fallback)
        try:
            if self._lost_invalidation:
                self._forget_everything()
            return getattr(super(), name)(*args, **kwargs)
        except UNAVAILABLE as error:
            with self._lock:
                first = time.monotonic() >= self._down_until
                self._down_until = time.monotonic() + RETRY_SECONDS
            if first:
                logger.warning("cache unavailable, reading from the database: %s", error)
            return self._missed(invalidates, fallback)

    def _missed(self, invalidates, fallback):
        if invalidates:
            self._lost_invalidation = True
        if isinstance(fallback, BaseException):
            raise fallback
        return fallback

    def _forget_everything(self):
        super().clear()
        self._lost_invalidation = False
        logger.warning("cache back: emptied it, an invalidation was lost while it was away")

    def get(self, key, default):
        return self._call("get", (key, default), {}, fallback=default)

    def get_many(self, keys):
        return self._call("get_many", (keys,), {}, fallback={})

    def has_key(self, key):
        return self._call("has_key", (key,), {}, fallback=False)

    def set(self, key, value, timeout):
        return self._call("set", (key, value, timeout), {}, fallback=None)

    def set_many(self, data, timeout):
        return self._call("set_many", (data, timeout), {}, fallback=None)

    def add(self, key, value, timeout):
        return self._call("add", (key, value, timeout), {}, fallback=False)

    def touch(self, key, timeout):
        return self._call("touch", (key, timeout), {}, fallback=False)

    def incr(self, key, delta):
        missing = ValueError(f"Key '{key}' not found (cache unavailable).")
        return self._call("incr", (key, delta), {}, fallback=missing, invalidates=True)

    def delete(self, key):
        return self._call("delete", (key,), {}, fallback=False, invalidates=True)

    def delete_many(self, keys):
        return self._call("delete_many", (keys,), {}, fallback=None, invalidates=True)

    def clear(self):
        return self._call("clear", (), {}, fallback=None, invalidates=True)


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
