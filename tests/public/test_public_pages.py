"""/hasil/: published figures for anyone, nothing else, cached with an ETag."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from evaluation.models import NameStamp, Publication, ScoreStamp
from evaluation.publication import withdraw
from piagam.models import Certificate, CertificateBatch, CertificateStatus
from tests.support import specimen_certificate


@pytest.mark.django_db
def test_a_visitor_finds_balikpapan_first_in_kaltim(client, published, officer_balikpapan):
    page = client.get("/hasil/2025/kanwil/kaltim/")

    assert page.status_code == 200
    rows = page.context["rows"]
    assert [row.code for row in rows] == ["64.71", "64.72"]
    assert rows[0].rank_kanwil == 1 and rows[0].rank_national == 2
    # officers' names are never public
    html = page.content.decode()
    assert officer_balikpapan.username not in html
    assert officer_balikpapan.get_full_name() not in html


@pytest.mark.django_db
def test_the_national_ranking_lists_every_scored_region_in_rank_order(client, published):
    page = client.get("/hasil/2025/")

    assert [row.code for row in page.context["rows"]] == ["35.78", "64.71", "64.72"]
    assert "Unduh CSV" in page.content.decode()


def table_cells(html):
    """The ranking's header and each row's cells as text, in order: the stylesheet shows,
    hides and aligns the columns by their place (portal.css, .ranking)."""
    table = html.split('data-testid="public-ranking"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
        ]
        for row in rows
    ]


@pytest.fixture
def balikpapan_piagam(published, balikpapan, kanwil_kaltim, admin_user):
    batch = CertificateBatch.objects.create(
        cycle=published[2025],
        kanwil=kanwil_kaltim,
        place="Samarinda",
        issued_on=datetime.date(2025, 12, 10),
        created_by=admin_user,
    )
    piagam = specimen_certificate(batch, balikpapan)
    Certificate.objects.filter(pk=piagam.pk).update(specimen=False, status=CertificateStatus.ISSUED)
    return piagam


# The header's words and the decimal mark in each language.
WORDS = {
    "id": ("Daerah", "Tepat waktu", "Piagam", ","),
    "en": ("Region", "On time", "Certificate", "."),
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", WORDS)
@pytest.mark.parametrize("scope", ["national", "kanwil", "period"])
def test_every_ranking_has_its_columns_in_the_order_the_stylesheet_expects(
    client, balikpapan, kanwil_kaltim, balikpapan_piagam, scope, language
):
    # given: Balikpapan, second nationally and first in Kaltim, with a piagam in 2025
    url, rank, under = {
        "national": ("/hasil/2025/", "2", f" {kanwil_kaltim.name}"),
        "kanwil": ("/hasil/2025/kanwil/kaltim/", "1", ""),
        "period": ("/hasil/2025/periode/TW3/", "2", f" {kanwil_kaltim.name}"),
    }[scope]
    client.cookies["django_language"] = language

    # when
    header, *rows = table_cells(client.get(url).content.decode())

    # then: rank, region (its Kanwil below it), F, C, T, R, on-time rate, piagam
    region, on_time, piagam, mark = WORDS[language]
    assert header == ["#", region, "F", "C", "T", "R", on_time, piagam]
    balikpapan_row = next(row for row in rows if row[1].startswith(balikpapan.name))
    assert balikpapan_row == [
        rank,
        balikpapan.name + under,
        f"99{mark}00",
        f"98{mark}00",
        f"100{mark}00",
        f"100{mark}00",
        f"100{mark}0 %",
        "001/PIAGAM-HAM/KALTIM/2025" if scope != "period" else "",
    ]


@pytest.mark.django_db
def test_the_region_page_shows_its_history_as_chart_and_table(client, published):
    page = client.get("/hasil/wilayah/64.71/")

    assert page.status_code == 200
    assert [year for year, _row in page.context["history"]] == [2024, 2025]
    html = page.content.decode()
    assert 'data-testid="history-chart"' in html and "<polyline" in html
    assert "97,00" in html and "99,00" in html


@pytest.mark.django_db
def test_unpublished_and_withdrawn_cycles_are_not_public(client, published, admin_user):
    publication = Publication.objects.get(cycle=published[2025])
    withdraw(publication, by=admin_user, reason="Koreksi")

    assert client.get("/hasil/2025/").status_code == 404
    assert client.get("/hasil/2025/data.csv").status_code == 404
    assert client.get("/hasil/2023/").status_code == 404
    assert [y for y, _r in client.get("/hasil/wilayah/64.71/").context["history"]] == [2024]


@pytest.mark.django_db
def test_pages_carry_public_cache_headers_and_answer_304_to_their_etag(client, published):
    first = client.get("/hasil/2025/")

    assert "public" in first["Cache-Control"] and first["ETag"]
    again = client.get("/hasil/2025/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    english = client.get("/hasil/2025/", HTTP_COOKIE="django_language=en")
    assert english["ETag"] != first["ETag"]
    assert "Download CSV" in english.content.decode()


@pytest.mark.django_db
def test_a_new_publication_changes_the_etag(
    client, published, admin_user, django_capture_on_commit_callbacks
):
    before = client.get("/hasil/")["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(Publication.objects.get(cycle=published[2024]), by=admin_user, reason="Koreksi")

    assert client.get("/hasil/")["ETag"] != before


def recompute(published, admin_user, kanwil_kaltim):
    ScoreStamp.bump(published[2025])


def rename(published, admin_user, kanwil_kaltim):
    NameStamp.bump()


def issue_piagam(published, admin_user, kanwil_kaltim):
    CertificateBatch.objects.create(
        cycle=published[2025],
        kanwil=kanwil_kaltim,
        place="Samarinda",
        issued_on=datetime.date(2025, 12, 10),
        created_by=admin_user,
    )


def unpublish(published, admin_user, kanwil_kaltim):
    withdraw(Publication.objects.get(cycle=published[2025]), by=admin_user, reason="Koreksi")


@pytest.mark.django_db
@pytest.mark.parametrize("change", [recompute, rename, issue_piagam, unpublish])
@pytest.mark.parametrize("shared", [True, False], ids=["shared-cache", "no-shared-cache"])
def test_every_change_the_pages_show_changes_the_etag(
    client,
    settings,
    published,
    admin_user,
    kanwil_kaltim,
    change,
    shared,
    django_capture_on_commit_callbacks,
):
    # given: the versions read from the shared cache (the test's cache stands in), or not
    settings.CACHE_URL = "redis://shared.example" if shared else ""
    before = client.get("/hasil/2025/provinsi/")["ETag"]
    assert client.get("/hasil/2025/provinsi/")["ETag"] == before

    # when
    with django_capture_on_commit_callbacks(execute=True):
        change(published, admin_user, kanwil_kaltim)

    # then
    assert client.get("/hasil/2025/provinsi/").get("ETag") != before


@pytest.mark.django_db
def test_a_kept_page_costs_two_round_trips_to_the_shared_cache(
    client, settings, published, round_trips
):
    # given: a shared cache (the test's cache stands in) that holds the page
    settings.CACHE_URL = "redis://shared.example"
    first = client.get("/hasil/2025/")
    round_trips.clear()

    # when it is asked for again
    again = client.get("/hasil/2025/")

    # then: every version the page depends on in one call, then the page
    assert again.content == first.content
    assert round_trips == ["get_many", "get"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/hasil/2025/", "/hasil/2025/provinsi/", "/hasil/wilayah/64.71/"])
def test_query_counts_do_not_grow_with_the_regions(
    client, published, url, regions, django_assert_max_num_queries
):
    from django.core.cache import cache

    from tests.public.conftest import score

    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    period = published[2025].periods.get()
    for region in regions.filter(code__startswith="64.").exclude(code__in=["64", "64.71", "64.72"]):
        score(region, period, "70", "70", "70", "70")
    from evaluation.models import ScoreStamp

    ScoreStamp.bump(published[2025])
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


DCAT_LINK = (
    '<link rel="alternate" type="application/ld+json" href="/hasil/katalog.jsonld" title="DCAT">'
)


def head_of(response):
    """The page's <head> without its title."""
    head = re.search(r"<head>(.*)</head>", response.content.decode(), re.DOTALL).group(1)
    return re.sub(r"<title>.*?</title>", "", head, flags=re.DOTALL)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["id", "en"])
def test_public_pages_have_the_portals_head_and_nothing_of_the_visitor(
    client_for, admin_user, published, language
):
    # given: a signed-in admin with a message waiting for the portal, reading in `language`
    admin = client_for(admin_user)
    visitor = Client()
    admin.cookies["django_language"] = visitor.cookies["django_language"] = language
    admin.post("/laporan/matriks/simpan/", {"digest": "0" * 64})

    # when: the admin and an anonymous visitor open a public page, and the login page
    public = admin.get("/hasil/2025/")
    portal = visitor.get("/masuk/")

    # then: the public page is built on the portal's page: the same <head> (language, viewport,
    # stylesheets, icon), with the catalogue's link added
    assert "base.html" in [template.name for template in public.templates]
    html = public.content.decode()
    assert f'<html lang="{language}">' in html
    assert head_of(public).replace(DCAT_LINK, "") == head_of(portal)
    assert DCAT_LINK in head_of(public)
    # ...and nothing of the visitor, for the page is cached whole: no menu, name or message
    assert 'data-testid="who"' not in html and "csrfmiddlewaretoken" not in html
    assert admin_user.username not in html
    with translation.override(language):
        message = gettext(
            "Pratinjau ini sudah tidak berlaku: kedaluwarsa, sudah diimpor, atau dibuat di sesi "
            "lain; tidak ada yang diimpor. Unggah berkasnya lagi di bawah ini."
        )
    assert message not in html
    assert "bootstrap.bundle" not in html
    # ...which waits for the next portal page
    assert message in admin.get("/akun/").content.decode()
