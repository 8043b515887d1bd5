"""The outbox: written with the change, run by id after commit, at least once, bounded."""

import datetime
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from outbox import services, tasks
from outbox.models import Entry, EntryStatus
from outbox.registry import handler_of, register

CALLS = []


@register("tests.outbox.echo", max_attempts=3)
def echo(**payload):
    CALLS.append(payload)


@register("tests.outbox.broken", max_attempts=2)
def broken(**payload):
    raise ConnectionError("mail server down")


@pytest.fixture(autouse=True)
def fresh_calls():
    CALLS.clear()
    yield
    CALLS.clear()


@pytest.fixture
def queued():
    """What reached the broker, without a broker: (entry id, queue) per message."""
    sent = []
    with mock.patch.object(
        tasks.run_entry,
        "apply_async",
        side_effect=lambda args, queue, **kw: sent.append((args[0], queue)),
    ):
        yield sent


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_entry_and_queues_nothing(queued):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.record("tests.outbox.echo", report_id=7)
        raise RuntimeError("the change failed")

    assert Entry.objects.count() == 0
    assert queued == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_entry_is_queued_after_commit_and_run_once(queued):
    with transaction.atomic():
        entry = services.record("tests.outbox.echo", report_id=7)
        assert queued == []  # nothing leaves before the commit

    assert queued == [(entry.pk, "celery")]
    assert tasks.run_entry(entry.pk) == "done"
    assert tasks.run_entry(entry.pk) == "not claimed"  # a duplicated message does nothing
    assert CALLS == [{"report_id": 7}]
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DONE and entry.attempts == 1 and entry.done_at


@pytest.mark.django_db(transaction=True)
def test_an_unknown_topic_fails_the_change_itself():
    with pytest.raises(LookupError):
        services.record("tests.outbox.nobody-listens")
    assert Entry.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_broker_down_at_commit_breaks_nothing_and_the_sweep_queues_later(queued):
    with mock.patch.object(tasks.run_entry, "apply_async", side_effect=OSError("refused")):
        with transaction.atomic():
            entry = services.record("tests.outbox.echo", report_id=8)
    entry.refresh_from_db()
    assert entry.queued_at is None and entry.status == EntryStatus.PENDING

    assert tasks.sweep() == 1
    assert queued == [(entry.pk, "celery")]
    assert tasks.sweep() == 0  # queued just now: not again until it is overdue


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_entry_is_taken_again_only_after_its_lease(queued):
    entry = services.record("tests.outbox.echo", report_id=9)
    assert tasks.claim(entry.pk) is not None  # a worker took it, then was killed

    assert tasks.claim(entry.pk) is None  # its lease still runs: nobody else takes it
    later = timezone.now() + datetime.timedelta(
        seconds=tasks.lease_seconds(handler_of("tests.outbox.echo")) + 1
    )
    assert list(tasks.due_entries(later).values_list("pk", flat=True)) == [entry.pk]
    claimed, _handler = tasks.claim(entry.pk, now=later)
    assert claimed.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_a_failing_handler_is_retried_with_backoff_then_shown_as_failed(queued):
    entry = services.record("tests.outbox.broken", notice_id=1)
    queued.clear()

    assert tasks.run_entry(entry.pk) == "failed"
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING
    assert entry.last_error == "ConnectionError: mail server down"
    assert entry.available_at > timezone.now() + datetime.timedelta(seconds=20)
    assert queued == [(entry.pk, "celery")]
    assert tasks.run_entry(entry.pk) == "not claimed"  # not before its backoff

    Entry.objects.filter(pk=entry.pk).update(available_at=timezone.now())
    assert tasks.run_entry(entry.pk) == "failed"
    entry.refresh_from_db()
    assert entry.status == EntryStatus.FAILED and entry.attempts == 2

    assert services.retry_failed([entry.pk]) == [entry.pk]
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING and entry.attempts == 0


@pytest.mark.django_db(transaction=True)
def test_every_registered_topic_has_a_time_limit_and_an_idempotent_handler_named():
    from outbox.registry import topics

    for topic in topics():
        handler = handler_of(topic)
        assert 0 < handler.soft_time_limit < handler.time_limit
        assert handler.function.__doc__ or topic.startswith("tests."), topic


@register("tests.outbox.claims-its-own-rows", exclusive=False)
def claims_its_own_rows(**payload):
    CALLS.append(payload)


@pytest.mark.django_db(transaction=True)
def test_a_handler_claiming_its_own_rows_is_resumed_at_once_by_a_redelivered_message(queued):
    entry = services.record("tests.outbox.claims-its-own-rows", ids=[1, 2])
    assert tasks.claim(entry.pk) is not None  # a worker process took it, then was killed

    # the message comes back at once (acks_late): the batch is resumed without a wait
    assert tasks.run_entry(entry.pk) == "done"
    assert CALLS == [{"ids": [1, 2]}]
