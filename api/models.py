"""API keys of national systems: hashed (SHA-512, djangorestframework-api-key), scoped to the
whole country or one Kanwil's regions, created and revoked by admins."""

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager

from accounts.cached import bump_after_commit
from accounts.models import Kanwil

# Moved by every write of a key (save, delete, queryset update), once it commits: the
# authentication keeps each key's row in the shared cache under it (api.auth).
KEYS_VERSION = "api-keys-version"


def keys_changed(**kwargs):
    bump_after_commit(KEYS_VERSION)


class ApiKeyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        changed = super().update(**kwargs)
        keys_changed()
        return changed

    def bulk_update(self, objs, fields, **kwargs):
        changed = super().bulk_update(objs, fields, **kwargs)
        keys_changed()
        return changed


class KeyScope(models.TextChoices):
    NATIONAL = "national", _("Nasional (baca)")
    KANWIL = "kanwil", _("Wilayah satu Kanwil (baca)")


class ApiKey(AbstractAPIKey):
    """One national system's key. It reads what its scope allows through the same scoping
    querysets as the portal's pages (``api.auth.KeyHolder``)."""

    objects = APIKeyManager.from_queryset(ApiKeyQuerySet)()

    scope = models.CharField(_("cakupan"), max_length=10, choices=KeyScope.choices)
    kanwil = models.ForeignKey(
        Kanwil,
        verbose_name=_("Kanwil"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_keys",
    )

    class Meta(AbstractAPIKey.Meta):
        ordering = ["-created"]
        verbose_name = _("kunci API")
        verbose_name_plural = _("kunci API")
        constraints = [
            models.CheckConstraint(
                name="kanwil_key_names_its_kanwil",
                condition=(models.Q(scope="kanwil", kanwil__isnull=False))
                | (models.Q(scope="national", kanwil__isnull=True)),
            )
        ]


post_save.connect(keys_changed, sender=ApiKey, dispatch_uid="api-keys-version-save")
post_delete.connect(keys_changed, sender=ApiKey, dispatch_uid="api-keys-version-delete")
