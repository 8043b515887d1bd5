from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo and national-scale seeding: installed only with DEBUG or DEMO=1, never in production."""

    name = "demo"
    verbose_name = _("Data contoh")
