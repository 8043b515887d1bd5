from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluasi")

    def ready(self):
        from . import caches, panels, receivers  # noqa: F401 - receivers connect on import

        panels.connect()
        caches.connect()
