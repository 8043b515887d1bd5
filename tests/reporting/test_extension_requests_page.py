"""The Kanwil's page of extension requests: its cards and decided rows, drawn by Jinja2 from the
few columns the page reads, give the markup of the Django template and model instances they
replaced, and the page costs as many queries for thirty requests as for three."""

import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.html import parse_html
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import Region
from accounts.templatetags.moments import format_moment, iso_moment
from reporting.cycles import periods_by_pk
from reporting.extension_screen import pending_cards, requests_on_screen
from reporting.models import ExtensionRequest, ExtensionRequestStatus, Period
from reporting.templatetags.extensions import decided_request_rows, pending_request_cards
from tests.conftest import make_user
from tests.support import build_period

pytestmark = pytest.mark.django_db

# The cards and rows as templates/reporting/extension_requests.html drew them before the tags.
REPLACED = (Path(__file__).parent / "extension_requests_replaced.html").read_text()
TOKEN = "t0k3n-of-the-page"


@pytest.fixture
def period(balikpapan, samarinda):
    return build_period([balikpapan, samarinda])


def asked(region, period, by, *, days=7, status=ExtensionRequestStatus.PENDING, **fields):
    return ExtensionRequest.objects.create(
        region=region,
        period=period,
        due_on=period.due_on + datetime.timedelta(days=days),
        reason=fields.pop("reason", "Banjir."),
        requested_by=by,
        status=status,
        **fields,
    )


@pytest.fixture
def requests_in_every_state(period, balikpapan, samarinda, officer_balikpapan, evaluator_kaltim):
    """Waiting (one with markup in its reason and an officer without a full name), granted
    with a note (by an evaluator with markup in the name), refused without one."""
    nameless = make_user("petugas.smd2", role="officer", region=samarinda)
    evaluator_kaltim.last_name = '<Kaltim> & "Timur"'
    evaluator_kaltim.save(update_fields=["last_name"])
    waiting = [
        asked(balikpapan, period, officer_balikpapan, reason='Banjir <b>besar</b> & "jalan" putus'),
        asked(samarinda, period, nameless, days=3),
    ]
    earlier = build_period([balikpapan, samarinda], code="TW2", due_on=datetime.date(2025, 7, 10))
    decided = [
        asked(
            balikpapan,
            earlier,
            officer_balikpapan,
            status=ExtensionRequestStatus.GRANTED,
            granted_due_on=earlier.due_on + datetime.timedelta(days=5),
            decided_by=evaluator_kaltim,
            decision_reason="Dokumen <menyusul>",
        ),
        asked(
            samarinda,
            earlier,
            nameless,
            status=ExtensionRequestStatus.REFUSED,
            decided_by=evaluator_kaltim,
        ),
    ]
    return waiting, decided


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_cards_and_rows_give_the_markup_of_the_template_they_replaced(
    requests_in_every_state, language
):
    requests = ExtensionRequest.objects.select_related("region", "requested_by", "decided_by")
    context = {
        "pending": list(requests.filter(status=ExtensionRequestStatus.PENDING)),
        "decided": list(requests.exclude(status=ExtensionRequestStatus.PENDING)),
        "csrf_token": TOKEN,
    }
    waiting, decided = requests_on_screen(ExtensionRequest.objects.all())

    with translation.override(language):
        before = Template(REPLACED).render(Context(context))
        cards, rows = pending_request_cards(waiting, TOKEN), decided_request_rows(decided)
    after = f"{cards}<table><tbody>{rows}</tbody></table>"

    assert (len(waiting), len(decided)) == (2, 2)
    assert parse_html(after) == parse_html(before), f"\n{after}\n---\n{before}"


def test_values_are_escaped_and_each_card_posts_to_its_request(requests_in_every_state):
    waiting, decided = requests_on_screen(ExtensionRequest.objects.all())

    cards = pending_request_cards(waiting, TOKEN)
    rows = decided_request_rows(decided)

    assert "<b>besar</b>" not in cards and "&lt;b&gt;besar&lt;/b&gt;" in cards
    assert "<menyusul>" not in rows and "&lt;menyusul&gt;" in rows
    assert "&lt;Kaltim&gt; &amp; &#34;Timur&#34;" in rows
    for r in waiting:
        assert cards.count(f'action="/laporan/perpanjangan/{r.pk}/putuskan/"') == 2
    assert cards.count(f'name="csrfmiddlewaretoken" value="{TOKEN}"') == 4


def test_cards_sent_in_one_minute_share_its_time_only_within_one_zone(
    period, balikpapan, samarinda, surabaya, officer_balikpapan
):
    earlier = build_period([balikpapan, samarinda, surabaya], code="TW2")
    minute = datetime.datetime(2025, 10, 8, 1, 59, tzinfo=datetime.UTC)
    sent = {  # Balikpapan, Samarinda (both WITA) and Surabaya (WIB) in one minute; one later
        (balikpapan, period): minute + datetime.timedelta(seconds=5),
        (samarinda, period): minute + datetime.timedelta(seconds=55),
        (surabaya, earlier): minute + datetime.timedelta(seconds=30),
        (balikpapan, earlier): minute + datetime.timedelta(seconds=65),
    }
    for (region, asked_in), created_at in sent.items():
        ExtensionRequest.objects.filter(pk=asked(region, asked_in, officer_balikpapan).pk).update(
            created_at=created_at
        )

    cards = pending_cards(requests_on_screen(ExtensionRequest.objects.all())[0])

    assert {(card.code, card.created, card.created_iso) for card in cards} == {
        (region.code, format_moment(created_at, region), iso_moment(created_at, region))
        for (region, _period), created_at in sent.items()
    }
    assert len({card.created for card in cards}) == 3


def test_the_page_reads_no_more_of_the_users_than_their_names(
    requests_in_every_state, evaluator_kaltim, client_for
):
    client = client_for(evaluator_kaltim)
    client.get("/laporan/perpanjangan/")  # warm: session, user, cached cycles

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/laporan/perpanjangan/")

    requests_read = [q["sql"] for q in captured if "reporting_extensionrequest" in q["sql"]]
    assert response.status_code == 200 and len(requests_read) == 2
    assert not any("password" in sql or "email" in sql for sql in requests_read)


@pytest.fixture
def kaltim_periods(regions):
    """Three periods: enough for a request waiting from each Kaltim region in each, 33 in all."""
    return [build_period([], code=f"P{number}", actions=0) for number in range(3)]


def kaltim_requests(periods, count, *, status, by, decided_by=None):
    """``count`` more requests of Kaltim's regions in this state, a period after another."""
    regions = list(Region.objects.filter(code__startswith="64").order_by("code"))
    existing = ExtensionRequest.objects.filter(status=status).count()
    ExtensionRequest.objects.bulk_create(
        ExtensionRequest(
            region=regions[index % len(regions)],
            period=periods[index // len(regions)],
            due_on=periods[0].due_on + datetime.timedelta(days=7),
            reason="Banjir.",
            requested_by=by,
            status=status,
            decided_by=decided_by,
        )
        for index in range(existing, existing + count)
    )


@pytest.mark.parametrize("shared_cache", [False, True])
def test_the_page_costs_as_many_queries_for_thirty_requests_as_for_three(
    shared_cache, settings, kaltim_periods, officer_balikpapan, evaluator_kaltim, client_for
):
    if shared_cache:
        # The periods then come from the cached cycles; the test's local cache stands in.
        settings.CACHE_URL = "redis://shared.example"
    client = client_for(evaluator_kaltim)

    def queries_of_the_page():
        client.get("/laporan/perpanjangan/")  # warm: session, user, cached cycles
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/laporan/perpanjangan/")
        assert response.status_code == 200
        return len(captured), response.content.decode().count('data-testid="pending-')

    pending, granted = ExtensionRequestStatus.PENDING, ExtensionRequestStatus.GRANTED
    kaltim_requests(kaltim_periods, 3, status=pending, by=officer_balikpapan)
    kaltim_requests(
        kaltim_periods, 2, status=granted, by=officer_balikpapan, decided_by=evaluator_kaltim
    )
    small, cards = queries_of_the_page()
    assert cards == 3
    kaltim_requests(kaltim_periods, 27, status=pending, by=officer_balikpapan)
    kaltim_requests(
        kaltim_periods, 31, status=granted, by=officer_balikpapan, decided_by=evaluator_kaltim
    )
    large, cards = queries_of_the_page()

    assert cards == 30
    assert large == small


def test_periods_come_from_the_cached_cycles_and_a_newer_one_from_one_query(
    settings, period, django_assert_num_queries
):
    settings.CACHE_URL = "redis://shared.example"
    periods_by_pk([period.pk])  # the cycles are read once, then kept
    # Written after the list was kept and before it was forgotten (no signal either way).
    (newer,) = Period.objects.bulk_create(
        [
            Period(
                cycle=period.cycle,
                order=9,
                code="TW4",
                name="Triwulan IV",
                starts_on=datetime.date(2025, 10, 1),
                ends_on=datetime.date(2025, 12, 31),
                opens_on=datetime.date(2025, 10, 1),
                due_on=datetime.date(2026, 1, 10),
                closes_on=datetime.date(2026, 1, 31),
            )
        ]
    )

    with django_assert_num_queries(0):
        known = periods_by_pk([period.pk])
    with django_assert_num_queries(1):
        both = periods_by_pk([period.pk, newer.pk])

    assert str(known[period.pk]) == f"{period.name} 2025"
    assert str(both[newer.pk]) == "Triwulan IV 2025"
    assert set(both) == {period.pk, newer.pk}
