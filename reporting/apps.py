from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Pelaporan Aksi HAM")

    def ready(self):
        from . import asked, cycles, requirements

        cycles.connect()
        asked.connect()
        requirements.connect()
