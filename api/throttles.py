"""Throttles kept in the shared cache: per client address for the public endpoints, per key
for national systems. The address is the one the rest of the portal counts by."""

import time

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework.throttling import SimpleRateThrottle

from accounts.network import client_address

# A Redis that does not answer, as the shared cache's client counts it (a cache left alone).
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)


class CountingThrottle(SimpleRateThrottle):
    """A rate of N requests per duration, counted in two numbers rather than in a list of
    every request's time (what DRF keeps, read and written whole on each request: thousands
    of entries for a busy national system).

    Time is cut into windows of the duration; each window's accepted requests are one
    counter. A request is accepted while the counter of its window, plus the previous
    window's counter weighted by the share of that window still within one duration, stays
    within N. With a Redis cache that is one round trip (the counter raised, the previous
    one read); a refused request takes its count back, so that a client waiting out its
    limit is not held longer for having asked.

    A view with ``read_ahead(request)`` names the cache entries its answer will read: they
    are read in the same round trip and left on the request as ``request.read_ahead``
    ({key: value} of those found), so that the answer needs no round trip of its own."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.into = self.now - window * self.duration
        current_key = f"{self.key}:{window}"
        ahead = view.read_ahead(request) if hasattr(view, "read_ahead") else ()
        counted, self.previous, found = count(
            current_key, f"{self.key}:{window - 1}", self.duration, ahead
        )
        if found is not None:
            request.read_ahead = found
        weight = 1 - self.into / self.duration
        if self.previous * weight + counted <= self.num_requests:
            return True
        uncount(current_key, self.duration)
        self.current = counted - 1
        return self.throttle_failure()

    def wait(self):
        """Seconds until one more request is accepted."""
        limit, duration, into = self.num_requests, self.duration, self.into
        if self.previous and self.current <= limit - 1:
            # Within this window, once enough of the previous one has slid out.
            later = duration * (1 - (limit - 1 - self.current) / self.previous) - into
            if later < duration - into:
                return max(later, 0.0)
        # In the next window, once enough of this one has slid out.
        share = max(0.0, 1 - (limit - 1) / self.current) if self.current else 0.0
        return duration - into + duration * share


def count(key, previous_key, seconds, ahead=()):
    """(the count under ``key`` raised by one, the count under ``previous_key``, the entries
    under the ``ahead`` keys as ``get_many`` gives them, or None when none were read); the
    counter is kept twice ``seconds``, so that it can be the next window's previous one."""
    backend = getattr(cache, "_cache", None)
    if not isinstance(backend, RedisCacheClient):
        cache.add(key, 0, 2 * seconds)
        try:
            counted = cache.incr(key)
        except ValueError:  # evicted between the two calls
            cache.set(key, 1, 2 * seconds)
            counted = 1
        return counted, cache.get(previous_key, 0), cache.get_many(ahead) if ahead else None
    if time.monotonic() < getattr(backend, "_down_until", 0.0):
        return 1, 0, None  # left alone for a while after it failed (ranham_portal.caching)
    counter = cache.make_and_validate_key(key)
    names = {cache.make_and_validate_key(name): name for name in ahead}
    try:
        pipeline = backend.get_client(write=True).pipeline(transaction=False)
        pipeline.incr(counter).expire(counter, 2 * seconds)
        pipeline.get(cache.make_and_validate_key(previous_key))
        if names:
            pipeline.mget(list(names))
        counted, _expiry, before, *read = pipeline.execute()
    except UNAVAILABLE:
        return 1, 0, None  # a cache that does not answer is an empty one
    found = None
    if names:
        loads = backend._serializer.loads  # as RedisCacheClient.get_many decodes them
        found = {names[k]: loads(v) for k, v in zip(names, read[0], strict=True) if v is not None}
    return counted, int(before or 0), found


def uncount(key, seconds):
    backend = getattr(cache, "_cache", None)
    if not isinstance(backend, RedisCacheClient):
        try:
            cache.decr(key)
        except ValueError:  # evicted: nothing to take back
            pass
        return
    counter = cache.make_and_validate_key(key)
    pipeline = backend.get_client(write=True).pipeline(transaction=False)
    try:
        pipeline.decr(counter).expire(counter, 2 * seconds).execute()
    except UNAVAILABLE:
        pass


class PublicThrottle(CountingThrottle):
    scope = "public"

    def get_cache_key(self, request, view):
        if getattr(request, "auth", None) is not None:
            return None  # a key holder is counted by its key
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class KeyThrottle(CountingThrottle):
    scope = "key"

    def get_cache_key(self, request, view):
        api_key = getattr(request, "auth", None)
        if api_key is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": api_key.pk}
