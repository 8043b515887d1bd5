"""A task travels through the real broker to a real Celery worker and changes the database."""

import datetime

import pytest

from accounts.models import Holiday
from accounts.tasks import sync_holidays_task
from tests.support import wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_syncs_a_years_holidays_into_the_table(celery_worker_process):
    assert not Holiday.objects.filter(date__year=2031).exists()

    sync_holidays_task.delay(2031)

    assert wait_for(lambda: Holiday.objects.filter(date__year=2031).count() >= 15)
    assert Holiday.objects.filter(date=datetime.date(2031, 8, 17)).exists()
