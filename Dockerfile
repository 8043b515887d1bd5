# syntax=docker/dockerfile:1
# Two stages: the build stage compiles the virtualenv (with what building wheels needs); the
# runtime stage gets the virtualenv, the source and the system libraries WeasyPrint uses,
# and runs as an unprivileged user. Secrets never enter the image: see .env.example.

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential gettext \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml constraints.txt ./
COPY ranham_portal ranham_portal
COPY accounts accounts
COPY reporting reporting
COPY evaluation evaluation
COPY piagam piagam
COPY demo demo
RUN pip install -c constraints.txt .
COPY . .
# Translations and static files are built here, once, with a throwaway key.
RUN python manage.py compilemessages --ignore=.venv -v0 \
 && DEBUG=0 STATIC_ROOT=/src/staticfiles VAR_DIR=/tmp/var \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    python manage.py collectstatic --noinput -v0

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH \
    VAR_DIR=/var/lib/ranham STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/var/lib/ranham/media \
    LOG_FORMAT=json
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2 postgresql-client sqlite3 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 ranham \
 && useradd --system --uid 10001 --gid ranham --home-dir /app --shell /usr/sbin/nologin ranham \
 && mkdir -p /var/lib/ranham/media /var/lib/ranham/beat \
 && chown -R ranham:ranham /var/lib/ranham
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --from=build --chown=root:root /src /app
USER ranham:ranham
# No EXPOSE: gunicorn binds to the loopback unless GUNICORN_BIND says otherwise, and only
# nginx (deploy/nginx, the compose file's proxy) is published to clients.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "deploy/healthcheck.py", "web"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "ranham_portal.wsgi:application"]
