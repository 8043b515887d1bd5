from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Akun, wilayah, dan Kanwil")

    def ready(self):
        from . import checks  # noqa: F401 - registers the deployment checks
