"""Notifications run their workers inline here: what a worker would send lands in mail.outbox."""

import datetime

import pytest

from accounts.models import Role
from tests.conftest import make_user
from tests.support import build_period

WITA = datetime.timezone(datetime.timedelta(hours=8))
# Notices go only to confirmed contacts (accounts.contacts): the cast confirmed theirs.
CONFIRMED_AT = datetime.datetime(2025, 1, 6, 9, 0, tzinfo=WITA)


@pytest.fixture(autouse=True)
def inline_workers(settings):
    from ranham_portal.celery import app

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFY_GATEWAY_URL = ""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def with_email(officer_balikpapan, officer_samarinda, evaluator_kaltim, evaluator_other):
    for user in (officer_balikpapan, officer_samarinda, evaluator_kaltim, evaluator_other):
        user.email = f"{user.username}@example.test"
        user.email_confirmed_at = CONFIRMED_AT
        user.save(update_fields=["email", "email_confirmed_at"])
    return officer_balikpapan, officer_samarinda, evaluator_kaltim, evaluator_other


@pytest.fixture
def period_kaltim(balikpapan, samarinda, surabaya):
    """Triwulan III 2025 for Balikpapan, Samarinda and Surabaya: due 10 Oct, closes 31 Oct."""
    return build_period([balikpapan, samarinda, surabaya])


@pytest.fixture
def officer_surabaya(surabaya):
    return make_user(
        "petugas.sby",
        role=Role.OFFICER,
        region=surabaya,
        email="petugas.sby@example.test",
        email_confirmed_at=CONFIRMED_AT,
    )


def notices_of(user, kind=None):
    from notifications.models import Notice

    notices = Notice.objects.filter(recipient=user)
    if kind:
        notices = notices.filter(kind=kind)
    return list(notices)
