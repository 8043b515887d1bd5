"""Schemathesis against a live server: every operation of the served schema, with generated
parameters, as a national system with a key. No 500, every answer as the schema says."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from api.throttles import KeyThrottle, PublicThrottle
from tests.api.conftest import current_period, national_key  # noqa: F401 (fixtures)
from tests.public.conftest import published  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = 10


@pytest.fixture
def unthrottled(monkeypatch):
    monkeypatch.setattr(PublicThrottle, "THROTTLE_RATES", {"public": "100000/minute"})
    monkeypatch.setattr(KeyThrottle, "THROTTLE_RATES", {"key": "100000/minute"})


def test_every_operation_answers_as_its_schema_says(
    live_server,
    published,  # noqa: F811
    current_period,  # noqa: F811
    national_key,  # noqa: F811
    unthrottled,
):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/")
    headers = {"Authorization": f"Api-Key {national_key[1]}"}
    seen = []
    for result in schema.get_all_operations():
        operation = result.ok()
        seen.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(base_url=live_server.url, headers=headers)

        check()
    assert "GET /api/v1/rates/" in seen
    assert len(seen) >= 10
