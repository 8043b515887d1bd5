"""Gunicorn for the portal: `gunicorn -c gunicorn.conf.py ranham_portal.wsgi:application`.

Every value can be set from the environment, so the same file serves the image, CI and the
benchmarks.

nginx in front is required (deploy/nginx, the compose file's ``proxy``): it buffers slow
clients and whole request bodies before gunicorn sees them, so synchronous workers are
enough; reached directly, four slow clients would hold every sync worker. So gunicorn is never
published to clients: it binds to the container's loopback unless GUNICORN_BIND says
otherwise (compose binds it on its own network, with no host port), and it never believes
forwarded headers itself: the portal does, from TRUSTED_PROXIES only (accounts.network).
"""

import multiprocessing
import os


def _int(name, default):
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8))
threads = _int("GUNICORN_THREADS", 1)
# A request still running after this is killed (and logged): shorter than the proxy's
# proxy_read_timeout, so the proxy answers before it gives up on its own.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM, requests in flight get this long to finish before the workers are stopped.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle each worker after about this many requests (jittered so they do not all restart
# at once): a slow leak never grows into an outage. A recycle costs a worker about 0.15 s
# even with the preloaded application below (about 1.5 s without), so not too often.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)
# The application is loaded (and warmed: ranham_portal.warmup) once in the master, so a worker
# forked to replace a recycled one serves its first request as fast as its hundredth.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"
# Heartbeat files in memory, not on a container's overlay file system.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The access log carries the request id that the portal also puts on its own log lines.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s "%(a)s"'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
# X-Forwarded-Proto is read by Django (SECURE_PROXY_SSL_HEADER) after accounts.network has
# removed it from connections that are not a trusted proxy; gunicorn must not set the
# scheme from it first (FORWARDED_ALLOW_IPS="*" would let any client claim https).
secure_scheme_headers = {}


def post_fork(server, worker):
    """No connection opened in the master is shared with a worker: each opens its own."""
    from django.core.cache import caches
    from django.db import connections

    connections.close_all()
    caches.close_all()


def when_ready(server):
    """The objects the master loaded are left out of every worker's garbage collection, which
    would otherwise touch, and so copy, all of the memory the workers share with the master."""
    import gc

    gc.freeze()
