"""Authentication by API key (``Authorization: Api-Key <key>``). The key's holder is scoped
like a person: a national key as an admin, a Kanwil key as that Kanwil's evaluator, so that
``Region.objects.visible_to(holder)`` and the other scoping querysets decide what it sees."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework_api_key.permissions import KeyParser

from accounts.cached import digest, read_at_version

from .models import KEYS_VERSION, ApiKey, KeyScope

KEY_SECONDS = 300


def usable_key(key):
    """The usable (not revoked) key row whose hash matches ``key``, as a dict, or None.

    The row is kept in the shared cache under the version that every write of a key moves
    (api.models.KEYS_VERSION), so a revocation is refused from the next request on; the key
    itself is checked against the stored hash on every request."""
    prefix, _dot, _secret = key.partition(".")

    def read():
        return (
            ApiKey.objects.get_usable_keys()
            .filter(prefix=prefix)
            .values("pk", "hashed_key", "scope", "kanwil_id", "expiry_date")
            .first()
        )

    row = read_at_version(KEYS_VERSION, digest("api-key", prefix), read, KEY_SECONDS)
    if row is None or not ApiKey.objects.key_generator.verify(key, row["hashed_key"]):
        return None
    return row


@dataclass(frozen=True)
class KeyHolder:
    """A national system acting through its key; read-only, never a person."""

    key_id: str
    scope: str
    kanwil_id: int | None

    is_authenticated = True
    is_active = True
    is_officer = False
    region_id = None

    @property
    def is_portal_admin(self):
        return self.scope == KeyScope.NATIONAL

    @property
    def is_evaluator(self):
        return self.scope == KeyScope.KANWIL


@dataclass(frozen=True)
class KeyRecord:
    """``request.auth`` for a key: what the throttle and the views read of it."""

    pk: str
    prefix: str


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Api-Key"

    def authenticate(self, request):
        key = KeyParser().get(request._request)
        if not key:
            return None
        row = usable_key(key)  # revoked keys are not usable
        if row is None:
            raise exceptions.AuthenticationFailed(_("Kunci API tidak dikenal atau sudah dicabut."))
        if ApiKey(expiry_date=row["expiry_date"]).has_expired:
            raise exceptions.AuthenticationFailed(_("Kunci API sudah kedaluwarsa."))
        holder = KeyHolder(key_id=row["pk"], scope=row["scope"], kanwil_id=row["kanwil_id"])
        return holder, KeyRecord(pk=row["pk"], prefix=key.partition(".")[0])

    def authenticate_header(self, request):
        return self.keyword
