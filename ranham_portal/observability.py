"""What operators see: a request id on every log line (and in the Celery tasks a request
enqueues), JSON log lines in production, error reports to ADMINS and optionally Sentry."""

import contextvars
import datetime
import json
import logging
import re
import uuid
from email.utils import getaddresses

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")

request_id = contextvars.ContextVar("request_id", default="")


def current_request_id():
    return request_id.get()


def new_request_id():
    return uuid.uuid4().hex


def request_id_middleware(get_response):
    """Take the proxy's X-Request-ID (or make one), keep it for the logs and answer with it."""

    def middleware(request):
        given = request.headers.get(REQUEST_ID_HEADER, "")
        value = given if _ACCEPTABLE_ID.match(given) else new_request_id()
        request.request_id = value
        token = request_id.set(value)
        try:
            response = get_response(request)
        finally:
            request_id.reset(token)
        response[REQUEST_ID_HEADER] = value
        return response

    return middleware


class RequestIdFilter(logging.Filter):
    """Puts the current request id (or "-") on every record."""

    def filter(self, record):
        if not getattr(record, "request_id", None):
            record.request_id = request_id.get() or "-"
        return True


_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras, error."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get() or None,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else repr(value)
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def logging_config(*, json_lines, level="INFO"):
    """The LOGGING dict: console in JSON or readable text; server errors mailed to ADMINS."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "ranham_portal.observability.RequestIdFilter"},
            "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        },
        "formatters": {
            "json": {"()": "ranham_portal.observability.JsonFormatter"},
            "text": {"format": TEXT_FORMAT},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "json" if json_lines else "text",
            },
            "mail_admins": {
                "class": "django.utils.log.AdminEmailHandler",
                "level": "ERROR",
                "filters": ["require_debug_false", "request_id"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own logging already mails its errors (django.request) to ADMINS.
            "celery.app.trace": {"handlers": ["mail_admins"], "level": "INFO"},
            # WeasyPrint narrates every rendering step at INFO; a worker needs only its problems.
            "weasyprint.progress": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
        },
    }


def parse_admins(value):
    """ADMINS="Name <mail>,Other <mail2>" -> [("Name", "mail"), ("Other", "mail2")]."""
    return [(name, address) for name, address in getaddresses([value or ""]) if "@" in address]


def init_sentry(dsn, *, environment="production", release="", traces_sample_rate=0.0):
    """Report errors of the web and the workers to a Sentry-compatible service."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
    return sentry_sdk.get_client()
