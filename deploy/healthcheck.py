"""Container health checks, with nothing but the standard library and the portal's settings.

python deploy/healthcheck.py web     # gunicorn answers /sehat/ on GUNICORN_BIND's port
python deploy/healthcheck.py beat    # beat is alive and a worker ran its heartbeat lately
"""

import os
import sys
import time
import urllib.request


def web():
    port = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[-1]
    allowed = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",")]
    host = os.environ.get("HEALTHCHECK_HOST") or next((h for h in allowed if h), "localhost")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/sehat/", headers={"Host": host, "X-Forwarded-Proto": "https"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return response.status == 200


def beat():
    pidfile = os.environ.get("BEAT_PIDFILE", "/var/lib/ranham/beat/celerybeat.pid")
    with open(pidfile) as handle:
        os.kill(int(handle.read().strip()), 0)  # raises if beat is gone
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ranham_portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache

    from ranham_portal.celery import WORKER_HEARTBEAT_KEY

    last = cache.get(WORKER_HEARTBEAT_KEY)
    # Beat sends the heartbeat every 20 s: none for two minutes means beat or the workers stall.
    return last is not None and time.time() - last < 2 * settings.WORKER_HEARTBEAT_MAX_AGE


if __name__ == "__main__":
    checks = {"web": web, "beat": beat}
    try:
        healthy = checks[sys.argv[1]]()
    except Exception as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        healthy = False
    sys.exit(0 if healthy else 1)
