"""The OpenAPI schema validates, its two documentation pages render with their own assets,
and throttles answer 429 as problem details."""

import pytest
import yaml
from django.core.cache import cache
from django.urls import reverse
from openapi_spec_validator import validate

from api.throttles import KeyThrottle, PublicThrottle
from tests.api.conftest import keyed

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client, regions):
    answer = client.get(reverse("api:schema"))
    assert answer.status_code == 200
    return yaml.safe_load(answer.content)


def test_the_schema_is_valid_openapi_3(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_the_schema_documents_every_endpoint_and_the_key(schema):
    assert {
        "/api/v1/regions/",
        "/api/v1/regions/{code}/",
        "/api/v1/kanwil/",
        "/api/v1/cycles/",
        "/api/v1/periods/",
        "/api/v1/results/{year}/",
        "/api/v1/piagam/{token}/",
        "/api/v1/reports/",
        "/api/v1/rates/",
        "/api/v1/scores/",
    } <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["ApiKey"]["name"] == "Authorization"
    assert {"ApiKey": []} in schema["paths"]["/api/v1/rates/"]["get"]["security"]


@pytest.mark.parametrize("name", ["docs", "redoc"])
def test_documentation_pages_render_with_the_portals_own_assets(client, name, regions):
    answer = client.get(reverse(f"api:{name}"))
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    policy = answer["Content-Security-Policy"]
    assert "'unsafe-inline'" in policy.split("style-src")[1].split(";")[0]
    assert "script-src" not in policy  # scripts stay the portal's own files


def test_other_pages_keep_the_strict_policy(client, regions):
    answer = client.get(reverse("api:regions"))
    assert "unsafe-inline" not in answer.get("Content-Security-Policy", "")


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(PublicThrottle, "THROTTLE_RATES", {"public": "2/minute"})
    monkeypatch.setattr(KeyThrottle, "THROTTLE_RATES", {"key": "3/minute"})
    cache.clear()
    yield
    cache.clear()


def test_public_reads_are_throttled_per_address_as_a_problem(client, regions, low_rates):
    url = reverse("api:kanwil")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    answer = client.get(url)
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["status"] == 429
    assert answer.has_header("Retry-After")


def test_a_key_is_throttled_by_its_own_rate(national_key, regions, low_rates):
    client = keyed(national_key)
    url = reverse("api:kanwil")
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
