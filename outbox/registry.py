"""Which function carries out each topic, on which queue and within which time. Apps
register their handlers in ``AppConfig.ready``; the writer of an entry only names the topic,
so a lower app can ask for work that an app above it does (accounts -> notifications)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Handler:
    topic: str
    function: object
    queue: str
    soft_time_limit: int
    time_limit: int
    max_attempts: int
    # How long a worker holds an entry: by default past the hard limit, so that a live worker
    # is stopped by Celery before another may take its entry. A handler that claims its own
    # rows (deliveries) may ask for less, so that a killed worker's entry is resumed sooner.
    lease_seconds: int
    # False for a handler that claims its own rows (deliveries): a redelivered message (a
    # killed worker process) takes the entry at once instead of waiting for its lease.
    exclusive: bool


_handlers = {}

DEFAULT_QUEUE = "celery"


def register(
    topic,
    *,
    queue=DEFAULT_QUEUE,
    soft_time_limit=60,
    time_limit=None,
    max_attempts=5,
    lease_seconds=None,
    exclusive=True,
):
    """Decorator: ``function(**payload)`` carries out the entries of ``topic``. It must be
    idempotent: an entry is run at least once, and again after a killed worker."""

    def decorate(function):
        hard = time_limit or soft_time_limit + 30
        _handlers[topic] = Handler(
            topic=topic,
            function=function,
            queue=queue,
            soft_time_limit=soft_time_limit,
            time_limit=hard,
            max_attempts=max_attempts,
            lease_seconds=lease_seconds or hard + 30,
            exclusive=exclusive,
        )
        return function

    return decorate


def handler_of(topic):
    try:
        return _handlers[topic]
    except KeyError:
        raise LookupError(f"no handler registered for outbox topic {topic!r}") from None


def topics():
    return sorted(_handlers)


def queues():
    """The queues the registered handlers run on."""
    return sorted({handler.queue for handler in _handlers.values()})


def longest_time_limit():
    return max((handler.time_limit for handler in _handlers.values()), default=0)
