"""Throttles kept in the shared cache: per client address for the public endpoints, per key
for national systems. The address is the one the rest of the portal counts by."""

from rest_framework.throttling import SimpleRateThrottle

from accounts.network import client_address


class PublicThrottle(SimpleRateThrottle):
    scope = "public"

    def get_cache_key(self, request, view):
        if getattr(request, "auth", None) is not None:
            return None  # a key holder is counted by its key
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class KeyThrottle(SimpleRateThrottle):
    scope = "key"

    def get_cache_key(self, request, view):
        api_key = getattr(request, "auth", None)
        if api_key is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": api_key.pk}
