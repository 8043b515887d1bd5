"""The rankings page and the admins' national overview: scope, figures, tie-breaks, queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Region
from demo.story import ensure_cycle
from evaluation import scoring
from evaluation.models import Score
from reporting.models import Action, Assignment, Report, ReportingCycle, ReportStatus
from reporting.services import generate_periods
from tests.conftest import make_user

WITA = datetime.timezone(datetime.timedelta(hours=8))
KALTIM = ["64", "64.01", "64.02", "64.03", "64.07", "64.08", "64.09", "64.11", "64.71"]
KALTIM += ["64.72", "64.74", "65", "65.01", "65.02", "65.03", "65.04", "65.71"]


@pytest.fixture
def cycle(kanwil_kaltim):
    """The demo's 2025 cycle without its reports: Kanwil Kaltim's 17 regions assigned seven
    actions of two evidence items each; all four periods are closed by now. Scores and
    reports are added by each test with known figures."""
    return ensure_cycle(2025, list(Region.objects.of_kanwil(kanwil_kaltim)))


def periods_of(cycle):
    return {period.code: period for period in cycle.periods.all()}


def give_score(region, period, c, t, r, *, provisional=False, offset_hours=None):
    """Store a Score with known criteria; F from the real rule."""
    c, t, r = Decimal(c), Decimal(t), Decimal(r)
    return Score.objects.create(
        region=region,
        period=period,
        completeness=c,
        timeliness=t,
        responsiveness=r,
        final=scoring.final_score(completeness=c, timeliness=t, responsiveness=r),
        submitted=True,
        on_time=t == 100,
        submission_offset=(
            datetime.timedelta(hours=offset_hours) if offset_hours is not None else None
        ),
        provisional=provisional,
    )


def score_regions(cycle, codes, *, base=60):
    """Every region in `codes` scored in every period, each region a different F."""
    for index, code in enumerate(codes):
        region = Region.objects.get(code=code)
        for period in cycle.periods.all():
            give_score(region, period, base + index, 100, 100)


# --- permissions ------------------------------------------------------------------------------

RANKINGS = reverse("evaluation:rankings")
EXPORT_XLSX = reverse("evaluation:rankings-export", args=["xlsx"])
EXPORT_CSV = reverse("evaluation:rankings-export", args=["csv"])
OVERVIEW = reverse("evaluation:overview")

REQUESTS = [
    RANKINGS,
    RANKINGS + "?kanwil=kaltim",
    RANKINGS + "?kanwil=jatim",
    EXPORT_XLSX + "?kanwil=kaltim",
    EXPORT_CSV + "?kanwil=kaltim",
    EXPORT_CSV + "?kanwil=jatim",
    OVERVIEW,
]
# The status each cast member gets for each request above (302: to the login page).
MATRIX = {
    "officer_balikpapan": [200, 200, 404, 200, 200, 404, 403],
    "officer_samarinda": [200, 200, 404, 200, 200, 404, 403],
    "evaluator_kaltim": [200, 200, 404, 200, 200, 404, 403],
    "evaluator_other": [200, 404, 200, 404, 404, 200, 403],
    "admin_user": [200, 200, 200, 200, 200, 200, 200],
    "anonymous": [302, 302, 302, 302, 302, 302, 302],
}


@pytest.mark.django_db
@pytest.mark.parametrize("cast_member", list(MATRIX), indirect=True)
@pytest.mark.parametrize("index", range(len(REQUESTS)))
def test_rankings_and_overview_permission_matrix(
    client_for, cast_member, request, index, cycle, kanwil_jatim
):
    name = request.node.callspec.params["cast_member"]

    response = client_for(cast_member).get(REQUESTS[index])

    assert response.status_code == MATRIX[name][index]


@pytest.mark.django_db
def test_a_user_without_a_role_may_not_see_rankings(client_for, cycle):
    # given
    nobody = make_user("tanpa.peran")

    # when
    response = client_for(nobody).get(RANKINGS)

    # then
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["?siklus=1999", "?siklus=abc", "?siklus=2025&periode=TW9", "?kanwil=tidak-ada"]
)
def test_unknown_cycle_period_or_kanwil_is_not_found(client_for, admin_user, cycle, query):
    response = client_for(admin_user).get(RANKINGS + query)

    assert response.status_code == 404


# --- what each member sees --------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_sees_the_national_annual_ranking_by_final_score(client_for, admin_user, cycle):
    # given: three regions, Samarinda best, then Balikpapan, then Tarakan
    score_regions(cycle, ["65.71", "64.71", "64.72"])

    # when
    response = client_for(admin_user).get(RANKINGS + "?siklus=2025")

    # then
    rows = response.context["rows"]
    assert [row.region.code for row in rows] == ["64.72", "64.71", "65.71"]
    assert [row.position for row in rows] == [1, 2, 3]
    assert [row.periods for row in rows] == [4, 4, 4]
    assert response.context["selection"].kanwil is None
    assert rows[0].final == Decimal("81.00")  # 0.5 * 62 + 25 + 25
    content = response.content.decode()
    assert "81,00" in content
    assert "Kantor Wilayah Kementerian HAM Kalimantan Timur" in content


@pytest.mark.django_db
def test_evaluator_gets_the_ranking_of_its_own_kanwil_by_default(
    client_for, evaluator_other, cycle, kanwil_jatim
):
    # given: regions scored in Kaltim and in Jawa Timur
    score_regions(cycle, ["64.71", "64.72"])
    score_regions(cycle, ["35.78"])

    # when
    response = client_for(evaluator_other).get(RANKINGS + "?siklus=2025")

    # then
    selection = response.context["selection"]
    assert selection.kanwil == kanwil_jatim
    assert selection.national_allowed is False
    assert [row.region.code for row in response.context["rows"]] == ["35.78"]
    assert 'value="">Nasional<' not in response.content.decode()


@pytest.mark.django_db
def test_officer_sees_only_its_own_line_of_the_national_ranking(
    client_for, officer_balikpapan, cycle, kanwil_jatim
):
    # given
    score_regions(cycle, ["64.72", "64.71", "35.78"])

    # when
    response = client_for(officer_balikpapan).get(RANKINGS + "?siklus=2025")

    # then: only its own region (DESIGN section 4), with its national position
    assert [(row.position, row.region.code) for row in response.context["rows"]] == [(2, "64.71")]
    own = [line for line in response.context["lines"] if line.own]
    assert [line.row.region.code for line in own] == ["64.71"]
    content = response.content.decode()
    assert content.count('data-testid="own-region"') == 1
    balikpapan = Region.objects.get(code="64.71")
    samarinda = Region.objects.get(code="64.72")
    tw1 = periods_of(cycle)["TW1"]
    assert reverse("evaluation:explain", args=[balikpapan.pk, tw1.pk]) in content
    assert reverse("evaluation:explain", args=[samarinda.pk, tw1.pk]) not in content
    assert "Kota Samarinda" not in content


@pytest.mark.django_db
def test_officer_may_narrow_the_ranking_to_its_kanwil(
    client_for, officer_balikpapan, cycle, kanwil_kaltim, kanwil_jatim
):
    # given
    score_regions(cycle, ["64.72", "64.71", "35.78"])

    # when
    response = client_for(officer_balikpapan).get(RANKINGS + "?siklus=2025&kanwil=kaltim")

    # then
    assert response.context["selection"].kanwil == kanwil_kaltim
    assert [(row.position, row.region.code) for row in response.context["rows"]] == [(1, "64.71")]


@pytest.mark.django_db
def test_period_ranking_links_each_row_to_its_explanation(client_for, admin_user, cycle):
    # given: TW3 only for Balikpapan; another period for Samarinda
    tw3 = periods_of(cycle)["TW3"]
    balikpapan = Region.objects.get(code="64.71")
    give_score(balikpapan, tw3, 96.43, 100, 100)
    give_score(Region.objects.get(code="64.72"), periods_of(cycle)["TW1"], 100, 100, 100)

    # when
    response = client_for(admin_user).get(RANKINGS + "?siklus=2025&periode=TW3&kanwil=kaltim")

    # then: the C1 example of DESIGN.md, and the link to its explanation
    (line,) = response.context["lines"]
    assert line.row.final == Decimal("98.22")
    assert line.explain_url == reverse("evaluation:explain", args=[balikpapan.pk, tw3.pk])
    content = response.content.decode()
    assert line.explain_url in content
    assert "98,22" in content


@pytest.mark.django_db
def test_annual_ranking_shows_each_period_figure_with_its_explanation_link(
    client_for, admin_user, cycle
):
    # given
    balikpapan = Region.objects.get(code="64.71")
    periods = periods_of(cycle)
    for code, c in [("TW1", 100), ("TW2", 90), ("TW3", 80), ("TW4", 70)]:
        give_score(balikpapan, periods[code], c, 100, 100)

    # when
    response = client_for(admin_user).get(RANKINGS + "?siklus=2025")

    # then: the mean of 100, 95, 90, 85, and the four figures it came from
    (line,) = response.context["lines"]
    assert line.row.final == Decimal("92.50")
    assert [figure.final for figure in line.figures] == [
        Decimal("100.00"),
        Decimal("95.00"),
        Decimal("90.00"),
        Decimal("85.00"),
    ]
    content = response.content.decode()
    for code in ("TW1", "TW2", "TW3", "TW4"):
        url = reverse("evaluation:explain", args=[balikpapan.pk, periods[code].pk])
        assert f'href="{url}"' in content


@pytest.mark.django_db
def test_tie_breaks_are_shown_under_the_region_they_placed(client_for, admin_user, cycle):
    # given: equal F; Samarinda has the better T, Bontang and Paser tie on all but the code
    tw3 = periods_of(cycle)["TW3"]
    give_score(Region.objects.get(code="64.72"), tw3, 80, 100, 60)  # F 80
    give_score(Region.objects.get(code="64.71"), tw3, 80, 60, 100)  # F 80, lower T
    give_score(Region.objects.get(code="64.74"), tw3, 50, 50, 50)
    give_score(Region.objects.get(code="64.01"), tw3, 50, 50, 50)

    # when
    response = client_for(admin_user).get(RANKINGS + "?siklus=2025&periode=TW3")

    # then
    lines = response.context["lines"]
    assert [line.row.region.code for line in lines] == ["64.72", "64.71", "64.01", "64.74"]
    assert [line.row.ranked_by for line in lines] == [None, "timeliness", "final", "region_code"]
    assert [str(line.tie_break) if line.tie_break else None for line in lines] == [
        None,
        "ditentukan oleh T",
        None,
        "ditentukan oleh kode wilayah",
    ]
    content = response.content.decode()
    assert content.count('data-testid="tie-break"') == 2
    assert "ditentukan oleh T" in content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("?siklus=2025&periode=TW3", "ditentukan oleh waktu kirim pertama"),
        ("?siklus=2025", "ditentukan oleh rata-rata waktu kirim pertama"),
    ],
)
def test_equal_scores_are_parted_by_the_earlier_submission(
    client_for, admin_user, cycle, query, label
):
    # given: identical criteria; Samarinda sent two days before the deadline, Balikpapan one
    tw3 = periods_of(cycle)["TW3"]
    give_score(Region.objects.get(code="64.71"), tw3, 90, 100, 100, offset_hours=-24)
    give_score(Region.objects.get(code="64.72"), tw3, 90, 100, 100, offset_hours=-48)

    # when
    response = client_for(admin_user).get(RANKINGS + query)

    # then
    lines = response.context["lines"]
    assert [line.row.region.code for line in lines] == ["64.72", "64.71"]
    assert str(lines[1].tie_break) == label
    assert label in response.content.decode()


@pytest.mark.django_db
def test_provisional_scores_carry_the_sementara_badge(client_for, admin_user, cycle):
    # given
    tw3 = periods_of(cycle)["TW3"]
    give_score(Region.objects.get(code="64.71"), tw3, 100, 100, 100, provisional=True)
    give_score(Region.objects.get(code="64.72"), tw3, 90, 100, 100)

    # when
    response = client_for(admin_user).get(RANKINGS + "?siklus=2025&periode=TW3")

    # then
    content = response.content.decode()
    assert content.count('data-testid="provisional"') == 1
    assert ">sementara<" in content


@pytest.mark.django_db
def test_a_cycle_without_closed_periods_says_so(client_for, admin_user, cycle):
    # given: a cycle whose periods are all in the future
    generate_periods(ReportingCycle.objects.create(year=2099))

    # when
    response = client_for(admin_user).get(RANKINGS + "?siklus=2099")

    # then
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "Belum ada periode yang ditutup" in response.content.decode()


@pytest.mark.django_db
def test_export_links_carry_the_resolved_selection(client_for, evaluator_kaltim, cycle):
    response = client_for(evaluator_kaltim).get(RANKINGS + "?siklus=2025&periode=TW2")

    assert response.context["export_xlsx"] == EXPORT_XLSX + "?siklus=2025&periode=TW2&kanwil=kaltim"
    assert response.context["export_csv"] == EXPORT_CSV + "?siklus=2025&periode=TW2&kanwil=kaltim"


# --- the national overview --------------------------------------------------------------------


def submit(code, period, when, status):
    return Report.objects.create(
        region=Region.objects.get(code=code),
        period=period,
        status=status,
        first_submitted_at=when,
        last_submitted_at=when,
    )


@pytest.mark.django_db
def test_overview_counts_reports_and_rates_per_kanwil(client_for, admin_user, cycle, kanwil_jatim):
    # given: TW3 2025 (due 10 October): two on time, one late, one still a draft
    tw3 = periods_of(cycle)["TW3"]
    submit("64.71", tw3, datetime.datetime(2025, 10, 10, 23, 30, tzinfo=WITA), "verified")
    submit("64.72", tw3, datetime.datetime(2025, 10, 13, 9, 0, tzinfo=WITA), "returned")
    submit("64.74", tw3, datetime.datetime(2025, 10, 5, 9, 0, tzinfo=WITA), "submitted")
    Report.objects.create(region=Region.objects.get(code="64.01"), period=tw3)

    # when
    response = client_for(admin_user).get(OVERVIEW + "?siklus=2025&periode=TW3")

    # then
    recap = response.context["recap"]
    kaltim = next(row for row in recap.rows if row.kanwil and row.kanwil.code == "kaltim")
    jatim = next(row for row in recap.rows if row.kanwil and row.kanwil.code == "jatim")
    counts = kaltim.counts
    assert (kaltim.regions, counts.expected, counts.submitted, counts.on_time) == (17, 17, 3, 2)
    assert (counts.awaiting, counts.returned, counts.verified) == (1, 1, 1)
    assert counts.reporting_rate == Decimal("17.6")
    assert counts.on_time_rate == Decimal("11.8")
    assert (jatim.regions, jatim.counts.expected) == (39, 0)
    assert recap.total.regions == Region.objects.count()
    assert recap.total.counts.submitted == 3
    content = response.content.decode()
    assert "17,6%" in content
    assert "11,8%" in content
    assert content.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 3


@pytest.mark.django_db
def test_overview_without_a_period_counts_the_periods_past_their_due_date(
    client_for, admin_user, cycle
):
    # given: a report in TW1 and one in TW2
    periods = periods_of(cycle)
    submit("64.71", periods["TW1"], datetime.datetime(2025, 4, 2, 9, 0, tzinfo=WITA), "verified")
    submit("64.71", periods["TW2"], datetime.datetime(2025, 7, 2, 9, 0, tzinfo=WITA), "verified")

    # when
    response = client_for(admin_user).get(OVERVIEW + "?siklus=2025")

    # then: 17 regions x 4 periods expected, 2 sent
    total = response.context["recap"].total.counts
    assert [p.code for p in response.context["counted_periods"]] == ["TW1", "TW2", "TW3", "TW4"]
    assert (total.expected, total.submitted, total.on_time) == (68, 2, 2)
    assert total.reporting_rate == Decimal("2.9")


@pytest.mark.django_db
def test_overview_escapes_region_names_in_its_charts(client_for, admin_user, cycle):
    # given: a region whose name is markup, ranked first
    province = Region.objects.get(code="64")
    hostile = Region.objects.create(
        code="64.99",
        name="<script>alert(1)</script>",
        level="kota",
        province=province,
        time_zone="Asia/Makassar",
    )
    give_score(hostile, periods_of(cycle)["TW3"], 100, 100, 100)

    # when
    response = client_for(admin_user).get(OVERVIEW + "?siklus=2025&periode=TW3")

    # then
    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


@pytest.mark.django_db
def test_overview_with_no_cycle_at_all_still_answers(client_for, admin_user):
    response = client_for(admin_user).get(OVERVIEW)

    assert response.status_code == 200
    assert response.context["cycle"] is None
    assert "Belum ada siklus pelaporan" in response.content.decode()


# --- query counts at two data sizes -----------------------------------------------------------


def grow(cycle, codes):
    """Scores in every period and a verified TW1 report for each region in `codes`."""
    score_regions(cycle, codes)
    tw1 = periods_of(cycle)["TW1"]
    for code in codes:
        submit(code, tw1, datetime.datetime(2025, 4, 2, 9, 0, tzinfo=WITA), "verified")


def assign_everywhere(cycle, codes):
    regions = list(Region.objects.filter(code__in=codes))
    Assignment.objects.bulk_create(
        [
            Assignment(action=a, region=r)
            for a in Action.objects.filter(cycle=cycle)
            for r in regions
        ],
        ignore_conflicts=True,
    )


def count_queries(client, url):
    client.get(url)  # warm: session and user
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        RANKINGS + "?siklus=2025",
        RANKINGS + "?siklus=2025&periode=TW1",
        RANKINGS + "?siklus=2025&kanwil=kaltim",
        OVERVIEW + "?siklus=2025",
        OVERVIEW + "?siklus=2025&periode=TW1",
        EXPORT_XLSX + "?siklus=2025",
        EXPORT_CSV + "?siklus=2025&periode=TW1",
        reverse("piagam:awards") + "?siklus=2025",
        reverse("piagam:awards") + "?siklus=2025&kanwil=kaltim",
    ],
)
def test_query_count_does_not_grow_with_the_data(client_for, admin_user, cycle, kanwil_jatim, url):
    # given: 5 regions with scores and reports
    client = client_for(admin_user)
    grow(cycle, KALTIM[:5])
    small = count_queries(client, url)

    # when: 17 Kaltim regions and 12 of Jawa Timur, assigned, scored and reporting
    jatim = list(Region.objects.of_kanwil(kanwil_jatim).values_list("code", flat=True)[:12])
    assign_everywhere(cycle, jatim)
    grow(cycle, KALTIM[5:] + jatim)
    large = count_queries(client, url)

    # then
    assert Score.objects.count() == (17 + 12) * 4
    assert Report.objects.filter(status=ReportStatus.VERIFIED).count() == 29
    assert large == small


@pytest.mark.django_db
def test_the_cached_ranking_follows_a_recomputation(
    client_for, admin_user, cycle, django_assert_max_num_queries
):
    from evaluation.models import ScoreStamp

    # given: a ranking shown once, then served from the cache
    score_regions(cycle, ["64.72", "64.71"])
    ScoreStamp.bump(cycle)
    client = client_for(admin_user)
    first = client.get(RANKINGS + "?siklus=2025").content.decode()
    with django_assert_max_num_queries(6):
        cached = client.get(RANKINGS + "?siklus=2025").content.decode()

    def table(html):
        return html[html.index("<table") : html.index("</table>")]

    assert table(cached) == table(first)
    assert "Kota Balikpapan" in table(cached)

    # when: scores change through a recomputation, which bumps the version
    Score.objects.filter(region__code="64.71").update(final=Decimal("12.34"))
    ScoreStamp.bump(cycle)

    # then
    assert "12,34" in client.get(RANKINGS + "?siklus=2025").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", [OVERVIEW + "?siklus=2025", reverse("piagam:awards") + "?siklus=2025"]
)
def test_the_cached_overview_and_awards_follow_a_recomputation(client_for, admin_user, cycle, url):
    from evaluation.models import ScoreStamp

    # given: the page shown once to one session and once to another (its figures cached)
    score_regions(cycle, ["64.72", "64.71"])
    ScoreStamp.bump(cycle)
    client_for(admin_user).get(url)
    client = client_for(admin_user)
    assert "12,34" not in client.get(url).content.decode()

    # when: scores change through a recomputation, which bumps the version
    Score.objects.filter(region__code="64.71").update(final=Decimal("12.34"))
    ScoreStamp.bump(cycle)

    # then: the same session and a new one see the new figure
    assert "12,34" in client.get(url).content.decode()
    assert "12,34" in client_for(admin_user).get(url).content.decode()


@pytest.mark.django_db
def test_a_repeated_ranking_page_comes_from_the_cache_but_never_swallows_a_message(
    client, admin_user, cycle, django_assert_max_num_queries
):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpResponse
    from django.test import RequestFactory

    from evaluation.models import ScoreStamp

    # given: a logged-in admin who has seen the page once
    score_regions(cycle, ["64.72", "64.71"])
    ScoreStamp.bump(cycle)
    client.force_login(admin_user)
    client.get(RANKINGS + "?siklus=2025")

    # when: the same page again
    with django_assert_max_num_queries(4):
        again = client.get(RANKINGS + "?siklus=2025")

    # then: served whole from the cache (session, user, the score versions and the bell's
    # count, which a shared cache keeps)
    assert "Kota Balikpapan" in again.content.decode()

    # and a flash message waiting for the next page is shown, not hidden behind the cache
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(constants.SUCCESS, "Pesan uji yang harus tampil")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value
    shown = client.get(RANKINGS + "?siklus=2025").content.decode()
    assert "Pesan uji yang harus tampil" in shown


@pytest.mark.django_db(transaction=True)
def test_with_a_shared_cache_the_score_versions_are_forgotten_when_a_recomputation_commits(
    cycle, settings, django_assert_num_queries
):
    from django.db import transaction

    from evaluation.models import ScoreStamp

    # given: a shared cache (only the setting's presence matters here) holding the versions
    settings.CACHE_URL = "redis://cache.example/1"
    ScoreStamp.bump(cycle)
    before = ScoreStamp.version_of(cycle)
    with django_assert_num_queries(0):
        assert ScoreStamp.version_of(cycle) == before

    # when: a recomputation bumps the version; until it commits, the old one stands
    with transaction.atomic():
        ScoreStamp.bump(cycle)
        assert ScoreStamp.version_of(cycle) == before

    # then: once committed, the new version is read
    assert ScoreStamp.version_of(cycle) == before + 1


def table_of(html):
    return html[html.index("<table") : html.index("</table>")]


@pytest.mark.django_db
def test_an_evaluator_moved_to_another_kanwil_sees_its_ranking_at_once(
    client_for, evaluator_kaltim, cycle, kanwil_jatim, django_assert_max_num_queries
):
    from evaluation.models import ScoreStamp

    # given: an evaluator of Kanwil Kaltim whose ranking page is served from the cache
    score_regions(cycle, ["64.71", "64.72"])
    score_regions(cycle, ["35.78"])
    ScoreStamp.bump(cycle)
    client = client_for(evaluator_kaltim)
    client.get(RANKINGS + "?siklus=2025")
    with django_assert_max_num_queries(4):  # the whole page, the bell counted
        before = client.get(RANKINGS + "?siklus=2025").content.decode()
    assert "Kota Balikpapan" in table_of(before)

    # when: the evaluator is moved to Kanwil Jawa Timur, the session unchanged
    evaluator_kaltim.kanwil = kanwil_jatim
    evaluator_kaltim.save(update_fields=["kanwil"])
    after = client.get(RANKINGS + "?siklus=2025").content.decode()

    # then: Jawa Timur's ranking, and Kaltim's regions no longer
    assert "Kota Surabaya" in table_of(after)
    assert "Kota Balikpapan" not in after
    assert "Kementerian HAM Jawa Timur" in after


@pytest.mark.django_db
def test_a_renamed_region_or_kanwil_shows_its_new_name_on_the_cached_page_at_once(
    client_for, admin_user, evaluator_kaltim, cycle, kanwil_kaltim, django_assert_max_num_queries
):
    from django.test import Client

    from evaluation.models import ScoreStamp

    # given: the national ranking served from the cache to an admin, and Kaltim's to its
    # evaluator
    score_regions(cycle, ["64.71", "64.72"])
    ScoreStamp.bump(cycle)
    admin = client_for(admin_user)
    admin.get(RANKINGS + "?siklus=2025")
    with django_assert_max_num_queries(4):  # the whole page, the bell counted
        assert "Kota Balikpapan" in admin.get(RANKINGS + "?siklus=2025").content.decode()
    evaluator = Client()
    evaluator.force_login(evaluator_kaltim)
    assert "Kalimantan Timur" in evaluator.get(RANKINGS + "?siklus=2025").content.decode()

    # when: the region and the Kanwil are renamed
    balikpapan = Region.objects.get(code="64.71")
    balikpapan.name = "Kota Beruang Madu"
    balikpapan.save(update_fields=["name"])
    kanwil_kaltim.name = "Kantor Wilayah Kementerian HAM Benua Etam"
    kanwil_kaltim.save(update_fields=["name"])

    # then: both pages show the new names at once, the old ones nowhere
    national = admin.get(RANKINGS + "?siklus=2025").content.decode()
    assert "Kota Beruang Madu" in table_of(national)
    assert "Kota Balikpapan" not in national
    assert "Benua Etam" in national
    own = evaluator.get(RANKINGS + "?siklus=2025").content.decode()
    assert "Benua Etam" in own
    assert "Kota Beruang Madu" in table_of(own)


@pytest.mark.django_db
def test_a_province_moved_to_another_kanwil_leaves_the_cached_ranking_at_once(
    client_for, evaluator_kaltim, cycle, kanwil_jatim
):
    from accounts.models import KanwilProvince
    from evaluation.models import ScoreStamp

    # given: Kaltim's ranking, with Kalimantan Utara's Tarakan in it, served from the cache
    score_regions(cycle, ["64.71", "65.71"])
    ScoreStamp.bump(cycle)
    client = client_for(evaluator_kaltim)
    assert "Kota Tarakan" in table_of(client.get(RANKINGS + "?siklus=2025").content.decode())

    # when: Kalimantan Utara is handed to another Kanwil
    link = KanwilProvince.objects.get(province__code="65")
    link.kanwil = kanwil_jatim
    link.save(update_fields=["kanwil"])

    # then
    shown = table_of(client.get(RANKINGS + "?siklus=2025").content.decode())
    assert "Kota Balikpapan" in shown
    assert "Kota Tarakan" not in shown
