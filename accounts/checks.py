"""System checks of the deployment that guard the portal's own defences."""

from django.conf import settings
from django.core.checks import Error, Info, Tags, Warning, register

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


@register(Tags.security, deploy=True)
def forwarded_headers_from_proxies_only(app_configs, **kwargs):
    """X-Forwarded-* are believed only after accounts.network removed them from connections
    that are not a declared proxy: without that middleware any client could claim https or an
    address of its choice."""
    if "accounts.network.forwarded_headers_from_proxies_only" in settings.MIDDLEWARE:
        return []
    return [
        Error(
            "accounts.network.forwarded_headers_from_proxies_only is not in MIDDLEWARE: "
            "X-Forwarded-For and X-Forwarded-Proto would be believed from any client.",
            hint="Put it in MIDDLEWARE before django.middleware.security.SecurityMiddleware.",
            id="accounts.E002",
        )
    ]


@register(Tags.security, deploy=True)
def health_check_token_strength(app_configs, **kwargs):
    """A readiness token guards the checks of the database, broker and workers."""
    token = getattr(settings, "HEALTH_CHECK_TOKEN", "")
    if not token or len(token) >= 32:
        return []
    return [
        Warning(
            "HEALTH_CHECK_TOKEN is shorter than 32 characters: it can be guessed.",
            hint="Use e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))'.",
            id="accounts.W002",
        )
    ]


@register(Tags.security, deploy=True)
def proxies_declared(app_configs, **kwargs):
    """Behind a proxy, say which addresses it connects from."""
    if getattr(settings, "TRUSTED_PROXIES", None) or not getattr(
        settings, "TRUSTED_PROXY_COUNT", 0
    ):
        return []
    return [
        Info(
            "TRUSTED_PROXY_COUNT is set without TRUSTED_PROXIES: forwarded headers are believed "
            "from any loopback or private address (a container network's proxy).",
            hint="Set TRUSTED_PROXIES to the proxy's address or network, e.g. 172.18.0.0/16.",
            id="accounts.I001",
        )
    ]
