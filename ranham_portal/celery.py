import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ranham_portal.settings")

app = Celery("ranham_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _prepare_filesystem_broker(sender, **kwargs):
    # The embedded broker keeps its messages in folders that must exist before use.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


# --- the request id travels with the tasks a request enqueues ---------------------------------

from celery import signals  # noqa: E402

from ranham_portal import observability  # noqa: E402

_task_tokens = {}


@signals.before_task_publish.connect
def _send_request_id(headers=None, **kwargs):
    current = observability.current_request_id()
    if current and headers is not None:
        headers.setdefault("request_id", current)


@signals.task_prerun.connect
def _receive_request_id(task_id=None, task=None, **kwargs):
    value = getattr(task.request, "request_id", None) or (
        (task.request.headers or {}).get("request_id") if task.request.headers else None
    )
    _task_tokens[task_id] = observability.request_id.set(value or f"task-{task_id}")


@signals.task_postrun.connect
def _forget_request_id(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        observability.request_id.reset(token)


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _structure_worker_logs(logger=None, **kwargs):
    from django.conf import settings

    for handler in logger.handlers:
        handler.addFilter(observability.RequestIdFilter())
        if getattr(settings, "LOG_FORMAT", "text") == "json":
            handler.setFormatter(observability.JsonFormatter())


# --- liveness of the workers, for the readiness check -----------------------------------------

WORKER_HEARTBEAT_KEY = "ranham:worker-heartbeat"


@app.task(
    name="ranham_portal.worker_heartbeat", ignore_result=True, soft_time_limit=10, time_limit=20
)
def worker_heartbeat():
    """Run by a worker every 20 s (beat): the readiness check reads when it last ran."""
    import time

    from django.core.cache import cache

    cache.set(WORKER_HEARTBEAT_KEY, time.time(), timeout=3600)
