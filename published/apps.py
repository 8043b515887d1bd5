from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "published"
    verbose_name = _("Hasil terbuka")
