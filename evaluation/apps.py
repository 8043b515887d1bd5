from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluasi")

    def ready(self):
        from . import caches, panels, rebuild, receivers  # noqa: F401 - connect, register

        panels.connect()
        caches.connect()
