FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/var/lib/ranham STATIC_ROOT=/var/lib/ranham/static MEDIA_ROOT=/var/lib/ranham/media

RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2 gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml constraints.txt ./
COPY ranham_portal ranham_portal
COPY accounts accounts
COPY reporting reporting
COPY evaluation evaluation
RUN pip install --no-cache-dir -c constraints.txt .
COPY . .
RUN python manage.py compilemessages --ignore=.venv -v0 \
 && DEBUG=0 SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    python manage.py collectstatic --noinput -v0 \
 && useradd --system --home /app ranham && mkdir -p /var/lib/ranham/media \
 && chown -R ranham /var/lib/ranham
USER ranham
EXPOSE 8000
CMD ["gunicorn", "ranham_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
