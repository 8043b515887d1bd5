"""Published 2024 and 2025 (tests/public), a 2026 period with reports as they stand, and keys
for a national system and for Kanwil Kaltim."""

import datetime
import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from api.models import KeyScope
from api.services import create_key
from reporting.models import Report, ReportStatus
from tests.public.conftest import published  # noqa: F401 (fixture)
from tests.support import build_period

WITA = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def current_period(balikpapan, samarinda, surabaya):
    """Triwulan I 2026 expected of three regions: Balikpapan on time, Surabaya late,
    Samarinda not yet."""
    period = build_period(
        [balikpapan, samarinda, surabaya],
        year=2026,
        code="TW1",
        due_on=datetime.date(2026, 4, 10),
    )
    for region, when in [
        (balikpapan, datetime.datetime(2026, 4, 9, 10, 0, tzinfo=WITA)),
        (surabaya, datetime.datetime(2026, 4, 14, 10, 0, tzinfo=WITA)),
    ]:
        Report.objects.create(
            region=region,
            period=period,
            status=ReportStatus.SUBMITTED,
            first_submitted_at=when,
            last_submitted_at=when,
        )
    return period


@pytest.fixture
def national_key(admin_user):
    return create_key("SIPP nasional", scope=KeyScope.NATIONAL, by=admin_user)


@pytest.fixture
def kaltim_key(admin_user, kanwil_kaltim):
    return create_key(
        "Dasbor Kanwil Kaltim", scope=KeyScope.KANWIL, kanwil=kanwil_kaltim, by=admin_user
    )


def keyed(key_pair):
    """A test client that sends the key of (ApiKey, key) with every request."""
    return Client(HTTP_AUTHORIZATION=f"Api-Key {key_pair[1]}")


@pytest.fixture
def shared_cache(settings):
    """A real Redis (the broker's, in CI) as the portal's shared cache, under a prefix of this
    test's own, emptied of it afterwards."""
    broker = settings.CELERY_BROKER_URL
    url = broker if broker.startswith("redis://") else "redis://127.0.0.1:6379/0"
    prefix = uuid.uuid4().hex
    settings.CACHE_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "ranham_portal.caching.PortalRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    yield
    client = cache._cache.get_client()
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
