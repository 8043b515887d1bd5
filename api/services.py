"""Creating and revoking API keys: audited; the key itself is shown once and kept hashed."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import AuditAction
from accounts.services import audit

from .models import ApiKey, KeyScope


@transaction.atomic
def create_key(name, *, scope, by, kanwil=None, expiry_date=None):
    """A new key; returns (ApiKey, the key to hand over once)."""
    if scope == KeyScope.KANWIL and kanwil is None:
        raise ValidationError(_("Kunci untuk satu Kanwil harus menyebut Kanwil-nya."))
    if scope == KeyScope.NATIONAL:
        kanwil = None
    api_key, key = ApiKey.objects.create_key(
        name=name, scope=scope, kanwil=kanwil, expiry_date=expiry_date
    )
    audit(
        AuditAction.API_KEY_CREATED,
        api_key,
        by=by,
        object_id=api_key.prefix,  # the primary key holds the hash: too long, and not for logs
        details={
            "scope": scope,
            "kanwil": kanwil.code if kanwil else None,
            "prefix": api_key.prefix,
        },
    )
    return api_key, key


@transaction.atomic
def revoke_key(api_key, *, by):
    changed = ApiKey.objects.filter(pk=api_key.pk, revoked=False).update(revoked=True)
    if changed:
        audit(
            AuditAction.API_KEY_REVOKED,
            api_key,
            by=by,
            object_id=api_key.prefix,
            details={"prefix": api_key.prefix},
        )
    return bool(changed)
