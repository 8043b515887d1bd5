"""API keys of national systems: hashed (SHA-512, djangorestframework-api-key), scoped to the
whole country or one Kanwil's regions, created and revoked by admins."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey

from accounts.models import Kanwil


class KeyScope(models.TextChoices):
    NATIONAL = "national", _("Nasional (baca)")
    KANWIL = "kanwil", _("Wilayah satu Kanwil (baca)")


class ApiKey(AbstractAPIKey):
    """One national system's key. It reads what its scope allows through the same scoping
    querysets as the portal's pages (``api.auth.KeyHolder``)."""

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
