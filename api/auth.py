"""Authentication by API key (``Authorization: Api-Key <key>``). The key's holder is scoped
like a person: a national key as an admin, a Kanwil key as that Kanwil's evaluator, so that
``Region.objects.visible_to(holder)`` and the other scoping querysets decide what it sees."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework_api_key.permissions import KeyParser

from .models import ApiKey, KeyScope


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


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Api-Key"

    def authenticate(self, request):
        key = KeyParser().get(request._request)
        if not key:
            return None
        try:
            api_key = ApiKey.objects.get_from_key(key)  # revoked keys are not usable
        except ApiKey.DoesNotExist:
            raise exceptions.AuthenticationFailed(
                _("Kunci API tidak dikenal atau sudah dicabut.")
            ) from None
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed(_("Kunci API sudah kedaluwarsa."))
        holder = KeyHolder(key_id=api_key.pk, scope=api_key.scope, kanwil_id=api_key.kanwil_id)
        return holder, api_key

    def authenticate_header(self, request):
        return self.keyword
