"""NUL bytes and broken encodings answer 400 on every page, for everyone; nothing is stored."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from accounts.models import AuditEvent
from tests.security.conftest import footprint

pytestmark = pytest.mark.django_db

SAMPLES = {"int": 1, "str": "1", "path": "1", "slug": "x", "uuid": str(uuid.uuid4())}
# The admin's regular-expression patterns, by group name.
REGEX_SAMPLES = {"app_label": "accounts", "url": "x", "object_id": "1"}


def named_urls(resolver=None, namespace=""):
    """Every named URL of the portal, reversed with sample arguments."""
    resolver = resolver or get_resolver()
    found = {}
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found.update(named_urls(pattern, inner))
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}{pattern.name}"
            converters = getattr(pattern.pattern, "converters", {})
            groups = pattern.pattern.regex.groupindex
            kwargs = {
                key: SAMPLES.get(type(converters[key]).__name__.replace("Converter", "").lower())
                if key in converters
                else REGEX_SAMPLES.get(key, "1")
                for key in groups
            }
            try:
                found[name] = reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                found[name] = None
    return found


URLS = named_urls()
UPLOAD_VIEWS = {
    "reporting:report-edit",
    "reporting:evidence-upload",
    "piagam:lookup",
    "piagam:verify",
}
HOSTILE_QUERIES = ["x=%00", "x=%FF", "nomor=%00", "wilayah=%00", "q=%C3%28", "%00=1"]
ROLES = [
    "anonymous",
    "officer_balikpapan",
    "evaluator_kaltim",
    "admin_user",
]


def test_every_named_url_of_the_portal_is_in_the_sweep():
    # The sweep must not silently skip a page it could not build.
    assert [name for name, url in URLS.items() if url is None] == []
    assert len(URLS) > 40  # the portal's own pages and the admin's


@pytest.mark.parametrize("cast_member", ROLES, indirect=True)
def test_hostile_query_strings_answer_400_on_every_page(client_for, cast_member, media):
    client = client_for(cast_member)
    before = footprint(media)
    events = AuditEvent.objects.count()
    statuses = {}

    for name, url in URLS.items():
        for query in HOSTILE_QUERIES:
            response = client.get(f"{url}?{query}")
            statuses[(name, query)] = response.status_code

    assert {key: code for key, code in statuses.items() if code != 400} == {}
    assert footprint(media) == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("cast_member", ROLES, indirect=True)
def test_a_nul_in_a_form_field_answers_400_on_every_page(client_for, cast_member, media):
    client = client_for(cast_member)
    before = footprint(media)

    responses = {
        name: client.post(url, {"narrative": "a\x00b", "username": "x\x00"})
        for name, url in URLS.items()
    }

    # The upload views read their body only after their own checks: anyone who may not post
    # there (a login page or 403), or a check by number without a number (back to the form),
    # is answered before a byte of the body is parsed.
    unread = {
        name: response.status_code
        for name, response in responses.items()
        if name in UPLOAD_VIEWS and response.status_code != 400
    }
    assert set(unread.values()) <= {302, 403}
    assert {
        name: response.status_code
        for name, response in responses.items()
        if response.status_code != 400 and name not in unread
    } == {}
    assert footprint(media) == before


@pytest.mark.parametrize(
    "url",
    [
        "/piagam/cek/?nomor=%00",
        "/piagam/cek/?nomor=%FF%FE",
        "/evaluasi/antrean/?wilayah=%00",
        "/evaluasi/antrean/?kanwil=%00&status=%00",
        "/admin/accounts/user/?role__exact=%00",
        "/admin/reporting/report/?q=%00",
        "/evaluasi/peringkat/?siklus=%00",
    ],
)
@pytest.mark.parametrize(
    "cast_member", ["anonymous", "evaluator_kaltim", "admin_user"], indirect=True
)
def test_the_known_500s_answer_400(client_for, cast_member, url):
    response = client_for(cast_member).get(url)

    assert response.status_code == 400


@pytest.mark.parametrize(
    "headers",
    [
        {"cookie": "sessionid=abc\x00def"},
        {"referer": "https://contoh.invalid/\x00"},
        {"x-forwarded-for": "1.2.3.4\x00"},
        {"user-agent": "Mozilla\x00"},
        {"referer": "https://contoh.invalid/\xff\xfe"},
    ],
    ids=["nul-cookie", "nul-referer", "nul-forwarded", "nul-agent", "latin1-referer"],
)
def test_malformed_headers_answer_400(client, regions, headers):
    response = client.get("/piagam/cek/?nomor=001", headers=headers)

    assert response.status_code == 400


def test_a_urlencoded_body_with_broken_utf8_answers_400(client_for, officer_balikpapan, media):
    before = footprint(media)

    response = client_for(officer_balikpapan).post(
        "/laporan/", b"notes=%FF%FE", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert footprint(media) == before


@pytest.mark.parametrize(
    "query",
    ["nomor=001%2FPIAGAM-HAM%2FKALTIM%2F2025", "nomor=Bal%C3%ADkpapan+%E2%80%93+Kota", ""],
)
def test_well_formed_text_passes(client, regions, query):
    response = client.get(f"/piagam/cek/?{query}")

    assert response.status_code in (200, 404)
