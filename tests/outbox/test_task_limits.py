"""Every task is bounded, and Redis never hands a running task to a second worker."""

from django.conf import settings

from outbox.registry import handler_of, longest_time_limit, topics
from ranham_portal.celery import app

PROJECT_APPS = ("accounts", "reporting", "evaluation", "piagam", "notifications", "outbox")


def own_tasks():
    app.loader.import_default_modules()  # autodiscovery, as a worker does at start
    return {
        name: task
        for name, task in app.tasks.items()
        if task.__module__.split(".")[0] in (*PROJECT_APPS, "ranham_portal")
    }


def test_every_task_of_the_project_has_a_soft_and_a_hard_time_limit():
    tasks = own_tasks()

    assert "notifications.tasks.morning_round" in tasks and "outbox.run_entry" in tasks
    unbounded = [
        name
        for name, task in tasks.items()
        if not (task.soft_time_limit and task.time_limit and task.soft_time_limit < task.time_limit)
    ]
    assert unbounded == []


def test_every_outbox_topic_is_bounded_on_a_queue_a_worker_consumes():
    for topic in topics():
        handler = handler_of(topic)
        assert 0 < handler.soft_time_limit < handler.time_limit, topic
        assert handler.queue in {"celery", "pdf", "notices"}, topic


def test_the_visibility_timeout_is_longer_than_the_longest_task():
    longest = max([longest_time_limit()] + [task.time_limit for task in own_tasks().values()])

    assert settings.CELERY_BROKER_URL.startswith("redis")  # as in production and CI
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert timeout > longest
    assert app.conf.broker_transport_options["visibility_timeout"] == timeout
