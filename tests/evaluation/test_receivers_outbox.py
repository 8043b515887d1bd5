"""Rescoring after a change is an outbox entry, carried out by a worker: never in the request."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Holiday
from evaluation.receivers import RECOMPUTE_CYCLE
from outbox import tasks
from outbox.models import Entry, EntryStatus
from tests.reporting.scenes import ranking, returned_and_answered

# Tue 14 to Mon 20 October: five working days, two past the limit: R = 60, F = 90.
BEFORE = [("64.71", "100.00"), ("64.72", "90.00")]
AFTER = [("64.71", "100.00"), ("64.72", "95.00")]


@pytest.fixture
def period(
    balikpapan,
    samarinda,
    officer_balikpapan,
    officer_samarinda,
    evaluator_kaltim,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    return returned_and_answered(
        balikpapan, samarinda, officer_balikpapan, officer_samarinda, evaluator_kaltim
    )


@pytest.mark.django_db
def test_an_admins_holiday_edit_recomputes_nothing_in_the_request(
    period, admin_user, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    # given a broker that takes the message (no worker runs it yet)
    queued = []
    monkeypatch.setattr(
        tasks.run_entry, "apply_async", lambda args, queue, **kw: queued.append((args[0], queue))
    )

    # when the admin declares Wednesday 15 October a holiday in the Django admin
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            reverse("admin:accounts_holiday_add"),
            {"date": "2025-10-15", "name": "Libur daerah", "category": "other"},
        )

    # then the request only wrote an entry per cycle counting that day, and queued it
    assert response.status_code == 302
    assert Holiday.objects.filter(date=datetime.date(2025, 10, 15)).exists()
    entries = list(Entry.objects.filter(topic=RECOMPUTE_CYCLE))
    assert [e.payload["cycle_id"] for e in entries] == [period.cycle_id]
    assert queued == [(entries[0].pk, "celery")]
    assert ranking(period) == BEFORE

    # when the worker carries it out
    assert tasks.run_entry(entries[0].pk) == "done"

    # then the scores follow: four working days, R = 80, F = 95
    assert ranking(period) == AFTER
    entries[0].refresh_from_db()
    assert entries[0].status == EntryStatus.DONE
