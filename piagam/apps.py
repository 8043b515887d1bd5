from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PiagamConfig(AppConfig):
    name = "piagam"
    verbose_name = _("Penghargaan dan piagam")

    def ready(self):
        from . import changes, panels, rebuild, receivers  # noqa: F401 - connects the signal receivers

        panels.connect()
        rebuild.connect()
        changes.connect(self.get_model("Certificate"), self.get_model("CertificateBatch"))
