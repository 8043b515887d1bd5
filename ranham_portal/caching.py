"""Django's Redis cache, without building a Redis client for every cache operation.

Django's RedisCacheClient makes a new ``redis.Redis`` around its connection pool on each get,
set or delete, and redis-py fills every new one with its table of about 170 response
callbacks: a third of a millisecond per operation, several times per page. This keeps one
client per pool (a ``redis.Redis`` is safe to share between threads; its pool hands out
the connections, and after a fork the pool opens new ones).
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients.setdefault(index, self._client(connection_pool=pool))
        return client


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
