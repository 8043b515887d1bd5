"""System checks of the deployment that guard the portal's own defences."""

from django.conf import settings
from django.core.checks import Error, Tags, register

# Caches that live inside one process: each gunicorn worker would count on its own.
_PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.security, Tags.caches, deploy=True)
def shared_cache_in_production(app_configs, **kwargs):
    """Throttles and lockouts count in the cache: with DEBUG off it must be shared (Redis)."""
    if settings.DEBUG:
        return []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if getattr(settings, "CACHE_URL", "") and backend not in _PROCESS_LOCAL_CACHES:
        return []
    return [
        Error(
            "CACHE_URL is not set: the cache is kept per process, so the public piagam check's "
            "throttles and the login lockouts count separately in every web process (two "
            "workers allow twice the limit).",
            hint="Set CACHE_URL to the shared Redis, e.g. CACHE_URL=redis://redis:6379/1.",
            id="accounts.E001",
        )
    ]
