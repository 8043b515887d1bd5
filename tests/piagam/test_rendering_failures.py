"""A piagam's rendering when things break: a full disk, the database failing on the final
update, a broker that is down, a worker killed mid-way and files a power cut leaves.

The task runs in this process with faults injected; the real-worker runs are in
test_certificate_pipeline.py.
"""

import datetime
import errno
import hashlib
import os
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from accounts import storage
from piagam import rendering, tasks
from piagam.models import Certificate, CertificateBatch, CertificateStatus
from piagam.services import retry_failed
from tests.support import build_period, specimen_certificate, tiny_pdf

PDF = tiny_pdf("piagam")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PIAGAM_MAX_ATTEMPTS = 3
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def sent(monkeypatch):
    """The rendering messages sent to the broker, recorded instead of sent."""
    messages = []

    def apply_async(args=None, countdown=None, **options):
        messages.append((args[0], countdown))

    monkeypatch.setattr(tasks.render_certificate, "apply_async", apply_async)
    # What was sent waits in the queue; nothing else is anywhere alive.
    monkeypatch.setattr(tasks, "renders_in_flight", lambda: {pk for pk, _ in messages})
    return messages


@pytest.fixture
def quick_render(monkeypatch):
    monkeypatch.setattr(rendering, "render_bytes", lambda certificate: (PDF, False))


@pytest.fixture
def batch(balikpapan, kanwil_kaltim, admin_user):
    period = build_period([balikpapan], actions=1, items_per_action=1)
    return CertificateBatch.objects.create(
        cycle=period.cycle,
        kanwil=kanwil_kaltim,
        place="Balikpapan",
        issued_on=datetime.date(2025, 12, 10),
        created_by=admin_user,
    )


@pytest.fixture
def certificate(batch, balikpapan):
    return specimen_certificate(batch, balikpapan)


def files_under(root):
    return sorted(p.relative_to(root).as_posix() for p in Path(root).rglob("*") if p.is_file())


def render(certificate):
    return tasks.render_certificate.apply(args=[certificate.pk]).get()


def fail_fsync(_descriptor):
    raise OSError(errno.ENOSPC, "No space left on device")


# --- success ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_rendered_piagam_lands_under_its_fixed_name_with_no_temporary_file_left(
    certificate, media, quick_render, sent
):
    assert render(certificate) == "issued"

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.pdf.name == f"piagam/2025/{certificate.token}.pdf"
    assert files_under(media) == [certificate.pdf.name]
    assert hashlib.sha256((media / certificate.pdf.name).read_bytes()).hexdigest() == (
        certificate.sha256
    )
    assert certificate.heartbeat_at is None


# --- a full disk ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_full_disk_is_retried_then_fails_with_its_reason_and_leaves_no_file(
    certificate, media, quick_render, sent, monkeypatch
):
    # given: the media volume is full, so writing the PDF fails
    monkeypatch.setattr(storage.os, "fsync", fail_fsync)

    # when: the first two attempts give the row back and queue a retry
    outcomes = [render(certificate), render(certificate)]
    certificate.refresh_from_db()
    between = certificate.status, certificate.error
    outcomes.append(render(certificate))

    # then: the third attempt ends it failed, with the reason, and no junk on disk
    assert outcomes == ["retrying", "retrying", "failed"]
    assert between[0] == CertificateStatus.PENDING
    assert "No space left on device" in between[1]
    assert [pk for pk, _countdown in sent] == [certificate.pk, certificate.pk]
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.FAILED
    assert certificate.attempts == 3
    assert "No space left on device" in certificate.error
    assert files_under(media) == []


@pytest.mark.django_db
def test_retrying_a_failed_piagam_gives_it_fresh_attempts(
    certificate, media, quick_render, sent, monkeypatch, django_capture_on_commit_callbacks
):
    # given: a piagam that failed three times on a full disk
    Certificate.objects.filter(pk=certificate.pk).update(
        status=CertificateStatus.FAILED, attempts=3, error="No space left on device"
    )

    # when: the admin retries the batch after freeing space
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_failed(certificate.batch) == 1

    # then: it is queued again and renders
    assert [pk for pk, _countdown in sent] == [certificate.pk]
    assert render(certificate) == "issued"
    certificate.refresh_from_db()
    assert (certificate.status, certificate.attempts, certificate.error) == ("issued", 1, "")


# --- the database failing on the final update -------------------------------------------------


def fail_issuing_update(execute, sql, params, many, context):
    if sql.startswith("UPDATE") and '"sha256"' in sql:
        raise OperationalError("server closed the connection unexpectedly")
    return execute(sql, params, many, context)


@pytest.mark.django_db
def test_a_database_error_on_the_final_update_leaves_no_file_and_the_row_to_retry(
    certificate, media, quick_render, sent
):
    # when: the database fails just as the finished PDF is recorded
    with connection.execute_wrapper(fail_issuing_update):
        outcome = render(certificate)

    # then: no file was moved into place nor left under a temporary name
    assert outcome == "retrying"
    assert files_under(media) == []
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.PENDING
    assert "server closed the connection" in certificate.error
    assert certificate.pdf.name == ""
    # and the retry stores exactly one file under the fixed name
    assert render(certificate) == "issued"
    certificate.refresh_from_db()
    assert files_under(media) == [certificate.pdf.name]


def fail_every_query(execute, sql, params, many, context):
    raise OperationalError("the database system is shutting down")


@pytest.mark.django_db(transaction=True)
def test_a_message_that_arrives_while_the_database_restarts_is_sent_again_not_lost(
    certificate, media, quick_render, sent
):
    # when: the worker cannot even claim the row
    with connection.execute_wrapper(fail_every_query):
        outcome = render(certificate)

    # then: the message is sent again after a delay, and the row is untouched
    assert outcome == "retrying"
    assert sent == [(certificate.pk, 10)]
    certificate.refresh_from_db()
    assert (certificate.status, certificate.attempts) == (CertificateStatus.PENDING, 0)


@pytest.mark.django_db
def test_a_piagam_that_always_crashes_its_renderer_fails_after_the_configured_attempts(
    certificate, media, sent, monkeypatch, settings
):
    settings.PIAGAM_MAX_ATTEMPTS = 2

    def crash(_certificate):
        raise ValueError("font missing")

    monkeypatch.setattr(rendering, "render_bytes", crash)

    assert [render(certificate), render(certificate), render(certificate)] == [
        "retrying",
        "failed",
        "skipped",
    ]
    certificate.refresh_from_db()
    assert (certificate.status, certificate.attempts, certificate.error) == (
        "failed",
        2,
        "font missing",
    )


# --- a broker that is down --------------------------------------------------------------------


@pytest.fixture
def broker_down(monkeypatch):
    calls = []

    def apply_async(*args, **kwargs):
        calls.append(args)
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.render_certificate, "apply_async", apply_async)
    return calls


@pytest.mark.django_db
def test_enqueue_with_the_broker_down_logs_and_leaves_the_rows_for_the_sweep(
    certificate, broker_down, caplog
):
    assert tasks.enqueue_render([certificate.pk, certificate.pk + 1000]) == []

    assert len(broker_down) == 1  # it stops at the first refusal, not one wait per row
    assert "broker unavailable" in caplog.text
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.PENDING
    assert certificate.last_enqueued_at is None


@pytest.mark.django_db(transaction=True)
def test_retrying_a_batch_while_the_broker_is_down_is_saved_not_an_error_page(
    certificate, broker_down, client, admin_user
):
    # given: a failed piagam, and Redis down
    Certificate.objects.filter(pk=certificate.pk).update(status=CertificateStatus.FAILED)
    client.force_login(admin_user)

    # when: the admin asks for a retry (the request commits for real)
    response = client.post(reverse("piagam:batch-retry", args=[certificate.batch_id]))

    # then: the page answers normally and the row waits for the sweep
    assert response.status_code == 302
    assert broker_down
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.PENDING


# --- the sweep --------------------------------------------------------------------------------


def ago(**delta):
    return timezone.now() - datetime.timedelta(**delta)


@pytest.mark.django_db
def test_the_sweep_takes_back_a_render_whose_heartbeat_stopped_within_a_minute(
    certificate, sent, settings
):
    # given: a worker killed 40 seconds after its last heartbeat
    Certificate.objects.filter(pk=certificate.pk).update(
        status=CertificateStatus.RENDERING,
        attempts=1,
        claimed_at=ago(seconds=45),
        heartbeat_at=ago(seconds=40),
        last_enqueued_at=ago(seconds=50),
    )

    assert tasks.sweep_stuck() == [certificate.pk]

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.PENDING
    assert certificate.error == tasks.WORKER_LOST
    assert sent == [(certificate.pk, None)]
    sweep_every = settings.CELERY_BEAT_SCHEDULE["sweep-certificates"]["schedule"]
    assert settings.PIAGAM_LOST_AFTER_SECONDS + sweep_every <= 60  # retried within a minute


@pytest.mark.django_db
def test_the_sweep_leaves_a_long_render_alone_while_its_heartbeat_beats(certificate, sent):
    Certificate.objects.filter(pk=certificate.pk).update(
        status=CertificateStatus.RENDERING,
        attempts=1,
        claimed_at=ago(minutes=10),
        heartbeat_at=ago(seconds=3),
    )

    assert tasks.sweep_stuck() == []
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.RENDERING


@pytest.mark.django_db
def test_a_render_killed_on_its_last_attempt_ends_failed(certificate, sent):
    Certificate.objects.filter(pk=certificate.pk).update(
        status=CertificateStatus.RENDERING, attempts=3, heartbeat_at=ago(minutes=2)
    )

    assert tasks.sweep_stuck() == []
    certificate.refresh_from_db()
    assert (certificate.status, certificate.error) == ("failed", tasks.WORKER_LOST)


@pytest.mark.django_db
def test_the_sweep_queues_a_waiting_piagam_again_at_most_once_per_interval(
    certificate, sent, settings
):
    # given: queued six minutes ago and still waiting (the message was lost)
    settings.PIAGAM_REQUEUE_AFTER_SECONDS = 300
    Certificate.objects.filter(pk=certificate.pk).update(last_enqueued_at=ago(minutes=6))

    # when: the sweep runs every fifteen seconds for a while
    rounds = [
        tasks.sweep_stuck(now=timezone.now() + datetime.timedelta(seconds=15 * n)) for n in range(8)
    ]

    # then: one message, not one per round
    assert rounds[0] == [certificate.pk]
    assert all(found == [] for found in rounds[1:])
    assert len(sent) == 1


@pytest.mark.django_db
def test_a_message_taken_by_a_killed_worker_before_it_started_is_queued_again_within_a_minute(
    certificate, sent, settings
):
    # given: queued 40 s ago, taken by a worker that was killed before it started the render
    # (so neither in the queue nor with a live worker), the row still pending
    Certificate.objects.filter(pk=certificate.pk).update(last_enqueued_at=ago(seconds=40))

    # when the sweep runs
    queued = tasks.sweep_stuck()

    # then it is queued again, without waiting for the five-minute requeue
    assert queued == [certificate.pk]
    assert sent == [(certificate.pk, None)]
    sweep_every = settings.CELERY_BEAT_SCHEDULE["sweep-certificates"]["schedule"]
    assert settings.PIAGAM_ENQUEUE_GRACE_SECONDS + sweep_every <= 60


@pytest.mark.django_db
def test_a_message_waiting_in_the_queue_is_found_there(certificate, settings):
    import uuid

    queue = f"sweep-test-{uuid.uuid4().hex}"
    app = tasks.render_certificate.app
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        assert tasks._queued_render_ids(queue) is None  # unknown: the time rule applies
        return
    tasks.render_certificate.apply_async(args=[certificate.pk], queue=queue)
    try:
        assert tasks._queued_render_ids(queue) == {certificate.pk}
    finally:
        with app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)


@pytest.mark.django_db
def test_the_sweep_queues_a_piagam_the_broker_never_received_after_a_short_grace(certificate, sent):
    # given: created just now, its enqueue failed (last_enqueued_at empty)
    assert tasks.sweep_stuck() == []  # still within the after-commit grace

    later = timezone.now() + datetime.timedelta(seconds=31)
    assert tasks.sweep_stuck(now=later) == [certificate.pk]
    certificate.refresh_from_db()
    assert certificate.last_enqueued_at is not None


# --- files a power cut leaves -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_cleanup_removes_old_unreferenced_files_only(certificate, media, quick_render, sent):
    # given: an issued piagam, an hour-old temporary and stray file, and a fresh temporary file
    render(certificate)
    certificate.refresh_from_db()
    folder = media / "piagam" / "2025"
    old_temp = folder / ".abc.0123.tmp"
    stray = folder / "stray.pdf"
    fresh_temp = folder / ".def.4567.tmp"
    for path in (old_temp, stray, fresh_temp):
        path.write_bytes(b"%PDF-partial")
    hour_ago = time.time() - 3700
    for path in (old_temp, stray, media / certificate.pdf.name):
        os.utime(path, (hour_ago, hour_ago))

    # when
    removed = tasks.remove_orphan_pdfs.apply().get()

    # then
    assert removed == 2
    assert files_under(media) == sorted([certificate.pdf.name, "piagam/2025/.def.4567.tmp"])
