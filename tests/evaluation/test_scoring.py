"""The scoring rules of DESIGN.md section 5, including every worked example."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.scoring import (
    ItemOutcome,
    RankedBy,
    RankingEntry,
    RevisionRequest,
    ScoringSettings,
    annual_score,
    completeness,
    final_score,
    local_date,
    rank,
    responsiveness,
    round2,
    score_report,
    timeliness,
    working_days_between,
)

WITA = ZoneInfo("Asia/Makassar")
WIB = ZoneInfo("Asia/Jakarta")
WIT = ZoneInfo("Asia/Jayapura")
ZONES = (WIB, WITA, WIT)

DUE = date(2025, 10, 10)
CLOSES = date(2025, 10, 31)


def indonesian_holidays(year):
    """The holiday dates exactly as the portal loads them into its table."""
    calendar = holidays.country_holidays("ID", years=[year], categories=("public", "government"))
    return frozenset(calendar.keys())


HOLIDAYS_2025 = indonesian_holidays(2025)


def t_for(submitted_at, *, tz=WITA, extended_to=None, closes_on=CLOSES, settings=None):
    extra = {"settings": settings} if settings is not None else {}
    return timeliness(
        first_submitted_at=submitted_at,
        due_on=DUE,
        closes_on=closes_on,
        tz=tz,
        extended_to=extended_to,
        **extra,
    )


# Timeliness: worked examples T1-T5 ---------------------------------------------------------------


def test_submission_half_an_hour_before_local_midnight_is_on_time():
    # given Kota Balikpapan submitting at 23:30 WITA on the due date
    submitted = datetime(2025, 10, 10, 23, 30, tzinfo=WITA)

    # when
    result = t_for(submitted, tz="Asia/Makassar")

    # then
    assert result.score == Decimal("100.00")
    assert result.late_days == 0
    assert result.on_time is True
    assert result.submitted_by_close is True
    assert result.deadline_date == DUE
    assert result.submitted_local == submitted
    assert result.tz == "Asia/Makassar"


def test_submission_after_local_midnight_in_jayapura_is_a_day_late():
    # given 15:30 UTC on the due date, which is already 00:30 WIT on the 11th
    submitted = datetime(2025, 10, 10, 15, 30, tzinfo=UTC)

    # when
    result = t_for(submitted, tz="Asia/Jayapura")

    # then
    assert result.submitted_local == datetime(2025, 10, 11, 0, 30, tzinfo=WIT)
    assert result.submitted_local.tzinfo == WIT
    assert result.late_days == 1
    assert result.on_time is False
    assert result.score == Decimal("90.00")


@pytest.mark.parametrize(
    ("submitted_utc", "expected_score", "expected_late_days"),
    [
        (datetime(2025, 10, 10, 16, 59, 59, tzinfo=UTC), Decimal("100"), 0),
        (datetime(2025, 10, 10, 17, 0, 0, tzinfo=UTC), Decimal("90"), 1),
    ],
)
def test_jakarta_deadline_ends_at_seventeen_hundred_utc(
    submitted_utc, expected_score, expected_late_days
):
    # given a region in Asia/Jakarta (UTC+7)
    # when
    result = t_for(submitted_utc, tz="Asia/Jakarta")

    # then
    assert result.score == expected_score
    assert result.late_days == expected_late_days


def test_submission_three_days_late_loses_thirty_points():
    # given Balikpapan submitting on Monday the 13th, three calendar days after the due date
    submitted = datetime(2025, 10, 13, 9, 0, tzinfo=WITA)

    # when
    result = t_for(submitted)

    # then
    assert result.late_days == 3
    assert result.score == Decimal("70.00")


def test_extension_moves_the_deadline():
    # given an extension to the 15th
    submitted = datetime(2025, 10, 13, 9, 0, tzinfo=WITA)

    # when
    result = t_for(submitted, extended_to=date(2025, 10, 15))

    # then
    assert result.deadline_date == date(2025, 10, 15)
    assert result.due_on == DUE
    assert result.late_days == 0
    assert result.on_time is True
    assert result.score == Decimal("100.00")


# Timeliness: other rules -------------------------------------------------------------------------


def test_report_never_submitted_scores_zero_for_timeliness():
    result = t_for(None)

    assert result.score == 0
    assert result.submitted is False
    assert result.submitted_local is None
    assert result.late_days is None
    assert result.on_time is False
    assert result.submitted_by_close is False


def test_first_submission_after_the_close_scores_zero():
    # given a submission on the local day after the close
    submitted = datetime(2025, 11, 1, 0, 5, tzinfo=WITA)

    # when
    result = t_for(submitted, closes_on=date(2025, 10, 31))

    # then
    assert result.submitted_by_close is False
    assert result.late_days == 22
    assert result.score == 0


def test_submission_on_the_closing_day_still_counts_with_its_penalty():
    submitted = datetime(2025, 10, 12, 23, 59, tzinfo=WITA)

    result = t_for(submitted, closes_on=date(2025, 10, 12))

    assert result.submitted_by_close is True
    assert result.score == Decimal("80.00")


def test_ten_or_more_days_late_bottoms_out_at_zero_without_going_negative():
    for late_days in (10, 15):
        submitted = datetime(2025, 10, 10, 12, 0, tzinfo=WITA) + timedelta(days=late_days)

        result = t_for(submitted)

        assert result.submitted_by_close is True
        assert result.late_days == late_days
        assert result.score == Decimal("0.00")


def test_extension_past_the_close_keeps_submission_open_until_the_extended_date():
    submitted = datetime(2025, 11, 5, 10, 0, tzinfo=WITA)

    result = t_for(submitted, closes_on=date(2025, 10, 31), extended_to=date(2025, 11, 7))

    assert result.effective_close == date(2025, 11, 7)
    assert result.submitted_by_close is True
    assert result.score == Decimal("100.00")


def test_cycle_penalty_per_day_replaces_the_default():
    submitted = datetime(2025, 10, 13, 9, 0, tzinfo=WITA)

    result = t_for(submitted, settings=ScoringSettings(late_penalty_per_day=Decimal("5")))

    assert result.penalty_per_day == Decimal("5")
    assert result.score == Decimal("85.00")


def test_naive_datetimes_are_refused():
    naive = datetime(2025, 10, 10, 23, 30)

    with pytest.raises(ValueError, match="naive"):
        local_date(naive, WITA)
    with pytest.raises(ValueError, match="naive"):
        t_for(naive)
    with pytest.raises(ValueError, match="naive"):
        responsiveness([RevisionRequest(returned_at=naive)], tz=WITA, holidays=())


def test_local_date_uses_the_region_time_zone_not_utc():
    moment = datetime(2025, 10, 10, 16, 30, tzinfo=UTC)

    assert local_date(moment, "Asia/Jakarta") == date(2025, 10, 10)
    assert local_date(moment, "Asia/Makassar") == date(2025, 10, 11)
    assert local_date(moment, WIT) == date(2025, 10, 11)


def test_extension_before_the_due_date_is_refused():
    with pytest.raises(ValueError):
        t_for(datetime(2025, 10, 1, tzinfo=WITA), extended_to=date(2025, 10, 9))


# Responsiveness: worked examples R1-R4 -----------------------------------------------------------


def test_three_working_days_over_a_weekend_keep_full_marks():
    # given a return on Friday 19 December, answered on Wednesday 24 December
    request = RevisionRequest(
        returned_at=datetime(2025, 12, 19, 10, 0, tzinfo=WITA),
        resubmitted_at=datetime(2025, 12, 24, 16, 0, tzinfo=WITA),
    )

    # when
    result = responsiveness([request], tz="Asia/Makassar", holidays=HOLIDAYS_2025)

    # then
    (detail,) = result.requests
    assert detail.w == 3
    assert detail.working_days.counted == (
        date(2025, 12, 22),
        date(2025, 12, 23),
        date(2025, 12, 24),
    )
    assert detail.score == Decimal("100")
    assert result.score == Decimal("100.00")


def test_christmas_and_its_cuti_bersama_are_not_working_days():
    # given a return on Tuesday 23 December, answered on Monday 29 December
    request = RevisionRequest(
        returned_at=datetime(2025, 12, 23, 9, 0, tzinfo=WITA),
        resubmitted_at=datetime(2025, 12, 29, 11, 0, tzinfo=WITA),
    )

    # when
    result = responsiveness([request], tz="Asia/Makassar", holidays=HOLIDAYS_2025)

    # then
    (detail,) = result.requests
    assert detail.w == 2
    assert detail.working_days.counted == (date(2025, 12, 24), date(2025, 12, 29))
    assert detail.working_days.skipped_holidays == (date(2025, 12, 25), date(2025, 12, 26))
    assert detail.score == Decimal("100")
    assert result.score == Decimal("100.00")


def test_nyepi_and_idul_fitri_with_cuti_bersama_are_skipped():
    # given a Jakarta region returned on Monday 24 March, answered on Tuesday 8 April
    request = RevisionRequest(
        returned_at=datetime(2025, 3, 24, 10, 0, tzinfo=WIB),
        resubmitted_at=datetime(2025, 4, 8, 10, 0, tzinfo=WIB),
    )

    # when
    result = responsiveness([request], tz="Asia/Jakarta", holidays=HOLIDAYS_2025)

    # then
    (detail,) = result.requests
    assert detail.w == 4
    assert detail.working_days.counted == (
        date(2025, 3, 25),
        date(2025, 3, 26),
        date(2025, 3, 27),
        date(2025, 4, 8),
    )
    # Nyepi itself (29 March) is a Saturday, so only its cuti bersama shows as skipped.
    assert detail.working_days.skipped_holidays == (
        date(2025, 3, 28),
        date(2025, 3, 31),
        date(2025, 4, 1),
        date(2025, 4, 2),
        date(2025, 4, 3),
        date(2025, 4, 4),
        date(2025, 4, 7),
    )
    assert detail.score == Decimal("80")
    assert result.score == Decimal("80.00")


def test_unanswered_revision_request_scores_zero():
    request = RevisionRequest(returned_at=datetime(2025, 12, 19, 10, 0, tzinfo=WITA))

    result = responsiveness(
        [request], tz=WITA, holidays=HOLIDAYS_2025, closes_on=date(2025, 12, 31)
    )

    (detail,) = result.requests
    assert detail.answered_by_close is False
    assert detail.w is None
    assert detail.score == 0
    assert result.score == Decimal("0.00")


# Responsiveness: other rules ---------------------------------------------------------------------


def test_no_revision_requests_means_full_responsiveness():
    result = responsiveness([], tz=WITA, holidays=HOLIDAYS_2025)

    assert result.score == Decimal("100.00")
    assert result.requests == ()


def test_each_working_day_beyond_the_sla_costs_twenty_points():
    # Mon 1 Dec 2025 to Mon 8 Dec: five working days, two beyond the SLA of three.
    request = RevisionRequest(
        returned_at=datetime(2025, 12, 1, 9, 0, tzinfo=WITA),
        resubmitted_at=datetime(2025, 12, 8, 9, 0, tzinfo=WITA),
    )

    result = responsiveness([request], tz=WITA, holidays=HOLIDAYS_2025)

    assert result.requests[0].w == 5
    assert result.score == Decimal("60.00")


def test_responsiveness_is_the_mean_over_requests():
    answered_fast = RevisionRequest(
        returned_at=datetime(2025, 12, 1, 9, 0, tzinfo=WITA),
        resubmitted_at=datetime(2025, 12, 2, 9, 0, tzinfo=WITA),
    )
    answered_slowly = RevisionRequest(
        returned_at=datetime(2025, 12, 1, 9, 0, tzinfo=WITA),
        resubmitted_at=datetime(2025, 12, 5, 9, 0, tzinfo=WITA),
    )
    never_answered = RevisionRequest(returned_at=datetime(2025, 12, 8, 9, 0, tzinfo=WITA))

    result = responsiveness(
        [answered_fast, answered_slowly, never_answered], tz=WITA, holidays=HOLIDAYS_2025
    )

    assert [item.score for item in result.requests] == [100, 80, 0]
    assert result.score == Decimal("60.00")


def test_answer_on_the_same_day_counts_zero_working_days():
    request = RevisionRequest(
        returned_at=datetime(2025, 12, 1, 9, 0, tzinfo=WITA),
        resubmitted_at=datetime(2025, 12, 1, 17, 0, tzinfo=WITA),
    )

    result = responsiveness([request], tz=WITA, holidays=HOLIDAYS_2025)

    assert result.requests[0].w == 0
    assert result.score == Decimal("100.00")


def test_working_days_are_counted_in_the_region_time_zone():
    # given a return at Thu 4 Dec 23:30 WIB, which is already Fri 5 Dec 01:30 WIT,
    # answered on Wed 10 Dec in both zones
    request = RevisionRequest(
        returned_at=datetime(2025, 12, 4, 16, 30, tzinfo=UTC),
        resubmitted_at=datetime(2025, 12, 10, 1, 0, tzinfo=UTC),
    )

    # when
    in_jakarta = responsiveness([request], tz=WIB, holidays=HOLIDAYS_2025)
    in_jayapura = responsiveness([request], tz=WIT, holidays=HOLIDAYS_2025)

    # then Friday the 5th counts in Jakarta only
    assert in_jakarta.requests[0].returned_local.date() == date(2025, 12, 4)
    assert in_jayapura.requests[0].returned_local.date() == date(2025, 12, 5)
    assert in_jakarta.requests[0].w == 4
    assert in_jayapura.requests[0].w == 3
    assert in_jakarta.score == Decimal("80.00")
    assert in_jayapura.score == Decimal("100.00")


def test_answer_after_the_close_counts_as_unanswered():
    request = RevisionRequest(
        returned_at=datetime(2025, 12, 29, 9, 0, tzinfo=WITA),
        resubmitted_at=datetime(2026, 1, 2, 9, 0, tzinfo=WITA),
    )

    # The span crosses New Year, so the holiday table must hold both years.
    holiday_dates = HOLIDAYS_2025 | indonesian_holidays(2026)

    result = responsiveness(
        [request], tz=WITA, holidays=holiday_dates, closes_on=date(2025, 12, 31)
    )

    (detail,) = result.requests
    assert detail.answered_by_close is False
    assert detail.w == 3
    assert detail.working_days.skipped_holidays == (date(2026, 1, 1),)
    assert detail.score == 0


def test_working_days_skip_weekends_and_weekday_holidays_only():
    # Sun 17 Aug 2025 (Independence Day) falls on a weekend; Mon 18 Aug is its cuti bersama.
    result = working_days_between(date(2025, 8, 15), date(2025, 8, 20), HOLIDAYS_2025)

    assert result.counted == (date(2025, 8, 19), date(2025, 8, 20))
    assert result.skipped_holidays == (date(2025, 8, 18),)
    assert result.count == 2


def test_working_days_between_an_empty_span_is_zero():
    result = working_days_between(date(2025, 8, 20), date(2025, 8, 20), HOLIDAYS_2025)

    assert result.count == 0
    assert result.counted == ()


# Completeness and final: worked example C1 -------------------------------------------------------


def test_one_item_accepted_after_revision_costs_half_an_item():
    # given 14 required items: 13 accepted at the first review, 1 after a revision
    outcomes = [ItemOutcome.ACCEPTED_FIRST] * 13 + [ItemOutcome.ACCEPTED_AFTER_REVISION]

    # when
    result = completeness(outcomes)
    final = final_score(
        completeness=result.score, timeliness=Decimal("100"), responsiveness=Decimal("100")
    )

    # then
    assert result.required == 14
    assert result.earned == Decimal("13.5")
    assert result.credits[-1] == Decimal("0.5")
    assert result.count(ItemOutcome.ACCEPTED_FIRST) == 13
    assert result.score == Decimal("96.43")
    assert final == Decimal("98.22")


def test_score_report_reproduces_the_c1_example_end_to_end():
    outcomes = [ItemOutcome.ACCEPTED_FIRST] * 13 + [ItemOutcome.ACCEPTED_AFTER_REVISION]
    revision = RevisionRequest(
        returned_at=datetime(2025, 12, 19, 10, 0, tzinfo=WITA),
        resubmitted_at=datetime(2025, 12, 24, 16, 0, tzinfo=WITA),
    )

    result = score_report(
        first_submitted_at=datetime(2025, 12, 10, 14, 0, tzinfo=WITA),
        due_on=date(2025, 12, 10),
        closes_on=date(2025, 12, 31),
        tz="Asia/Makassar",
        outcomes=outcomes,
        revision_requests=[revision],
        holidays=HOLIDAYS_2025,
    )

    assert (result.completeness, result.timeliness, result.responsiveness) == (
        Decimal("96.43"),
        Decimal("100.00"),
        Decimal("100.00"),
    )
    assert result.final == Decimal("98.22")
    assert result.responsiveness_detail.requests[0].w == 3
    assert [row[0] for row in result.contributions] == ["C", "T", "R"]
    assert result.contributions[0][3] == Decimal("48.2150")


def test_rejected_and_missing_items_earn_nothing():
    outcomes = [
        ItemOutcome.ACCEPTED_FIRST,
        ItemOutcome.REJECTED,
        ItemOutcome.MISSING,
        "accepted_after_revision",
    ]

    result = completeness(outcomes)

    assert result.credits == (Decimal(1), Decimal(0), Decimal(0), Decimal("0.5"))
    assert result.score == Decimal("37.50")


def test_nothing_required_means_full_completeness():
    result = completeness([])

    assert result.required == 0
    assert result.score == Decimal("100.00")


def test_report_never_submitted_by_the_close_scores_zero_everywhere():
    # Even with items and answered requests on record, nothing counts without a submission.
    result = score_report(
        first_submitted_at=datetime(2025, 11, 1, 9, 0, tzinfo=WITA),
        due_on=DUE,
        closes_on=CLOSES,
        tz=WITA,
        outcomes=[ItemOutcome.ACCEPTED_FIRST] * 3,
        holidays=HOLIDAYS_2025,
    )

    assert result.submitted_by_close is False
    assert (result.completeness, result.timeliness, result.responsiveness, result.final) == (
        0,
        0,
        0,
        0,
    )
    assert result.completeness_detail is None
    assert result.responsiveness_detail is None


def test_cycle_weights_replace_the_defaults():
    settings = ScoringSettings(
        weight_completeness=Decimal("0.6"),
        weight_timeliness=Decimal("0.2"),
        weight_responsiveness=Decimal("0.2"),
    )

    final = final_score(
        completeness=Decimal("50"),
        timeliness=Decimal("100"),
        responsiveness=Decimal("100"),
        settings=settings,
    )

    assert final == Decimal("70.00")


@pytest.mark.parametrize(
    "overrides",
    [
        {"weight_completeness": Decimal("0.6")},
        {"weight_timeliness": Decimal("-0.25"), "weight_completeness": Decimal("1")},
        {"revision_credit": Decimal("1.5")},
        {"late_penalty_per_day": Decimal("-1")},
        {"revision_sla_days": -1},
    ],
)
def test_settings_that_could_leave_zero_to_hundred_are_refused(overrides):
    with pytest.raises(ValueError):
        ScoringSettings(**overrides)


def test_criteria_outside_zero_to_hundred_are_refused():
    with pytest.raises(ValueError):
        final_score(
            completeness=Decimal("100.01"), timeliness=Decimal("0"), responsiveness=Decimal("0")
        )


# Rounding ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("96.425"), Decimal("96.43")),
        ("96.425", Decimal("96.43")),
        (96.425, Decimal("96.43")),
        (2.675, Decimal("2.68")),
        (Decimal("0.005"), Decimal("0.01")),
        (Decimal("98.2149"), Decimal("98.21")),
        (100, Decimal("100.00")),
    ],
)
def test_rounding_is_half_up_to_two_places(value, expected):
    rounded = round2(value)

    assert rounded == expected
    assert rounded.as_tuple().exponent == -2


def test_final_score_is_computed_from_the_rounded_criteria():
    # given C = 13.5/14 unrounded (96.428571...): unrounded it would give F = 98.21
    unrounded_c = Decimal("100") * Decimal("13.5") / Decimal("14")
    unrounded_f = round2(
        Decimal("0.5") * unrounded_c + Decimal("0.25") * 100 + Decimal("0.25") * 100
    )

    # when
    final = final_score(
        completeness=unrounded_c, timeliness=Decimal("100"), responsiveness=Decimal("100")
    )

    # then
    assert unrounded_f == Decimal("98.21")
    assert final == Decimal("98.22")


# Annual ------------------------------------------------------------------------------------------


def test_annual_score_is_the_rounded_mean_over_closed_periods():
    scores = [Decimal("98.22"), Decimal("100"), Decimal("90.5"), Decimal("0")]

    assert annual_score(scores) == Decimal("72.18")


def test_annual_score_without_periods_is_none():
    assert annual_score([]) is None


# Ranking tie-breaks ------------------------------------------------------------------------------


def entry(code, *, f="90", t="90", r="90", submitted=None):
    return RankingEntry(
        key=code,
        region_code=code,
        final=Decimal(f),
        timeliness=Decimal(t),
        responsiveness=Decimal(r),
        mean_first_submission=submitted,
    )


def ranked_codes(entries):
    return [(item.position, item.entry.region_code, item.ranked_by) for item in rank(entries)]


def test_ranking_puts_the_higher_final_score_first():
    low = entry("64.01", f="80", t="100", r="100")
    high = entry("64.72", f="95", t="50", r="50")

    assert ranked_codes([low, high]) == [(1, "64.72", None), (2, "64.01", RankedBy.FINAL)]


def test_ranking_breaks_a_final_score_tie_by_timeliness():
    slow = entry("64.01", t="80", r="100")
    fast = entry("64.72", t="90", r="60")

    assert ranked_codes([slow, fast]) == [
        (1, "64.72", None),
        (2, "64.01", RankedBy.TIMELINESS),
    ]


def test_ranking_breaks_a_timeliness_tie_by_responsiveness():
    less_responsive = entry("64.01", r="80")
    more_responsive = entry("64.72", r="100")

    assert ranked_codes([less_responsive, more_responsive]) == [
        (1, "64.72", None),
        (2, "64.01", RankedBy.RESPONSIVENESS),
    ]


def test_ranking_breaks_a_responsiveness_tie_by_earlier_mean_submission():
    earlier = entry("64.72", submitted=datetime(2025, 10, 8, 9, 0, tzinfo=WITA))
    later = entry("64.01", submitted=datetime(2025, 10, 9, 9, 0, tzinfo=WITA))
    unknown = entry("11.01", submitted=None)

    assert ranked_codes([unknown, later, earlier]) == [
        (1, "64.72", None),
        (2, "64.01", RankedBy.MEAN_FIRST_SUBMISSION),
        (3, "11.01", RankedBy.MEAN_FIRST_SUBMISSION),
    ]


def test_ranking_compares_mean_submission_offsets_given_as_numbers():
    earlier = entry("64.72", submitted=-86400.0)
    later = entry("64.01", submitted=3600.0)

    assert ranked_codes([later, earlier])[0][1] == "64.72"


def test_ranking_breaks_a_full_tie_by_region_code():
    same = datetime(2025, 10, 8, 9, 0, tzinfo=WITA)
    balikpapan = entry("64.71", submitted=same)
    samarinda = entry("64.72", submitted=same)
    kaltim = entry("64", submitted=same)

    assert ranked_codes([samarinda, balikpapan, kaltim]) == [
        (1, "64", None),
        (2, "64.71", RankedBy.REGION_CODE),
        (3, "64.72", RankedBy.REGION_CODE),
    ]


def test_ranking_refuses_duplicate_region_codes():
    with pytest.raises(ValueError):
        rank([entry("64.71"), entry("64.71")])


def test_ranking_of_nobody_is_empty():
    assert rank([]) == []


# Properties --------------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 3, 31), timezones=st.just(UTC)
)
days_2025 = st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 12, 31))
zones = st.sampled_from(ZONES)
outcome_lists = st.lists(st.sampled_from(list(ItemOutcome)), max_size=30)
holiday_sets = st.one_of(
    st.just(HOLIDAYS_2025), st.frozensets(days_2025, max_size=40), st.just(frozenset())
)
settings_strategy = st.builds(
    ScoringSettings,
    late_penalty_per_day=st.decimals(min_value=0, max_value=100, places=2),
    revision_credit=st.decimals(min_value=0, max_value=1, places=2),
    revision_sla_days=st.integers(min_value=0, max_value=10),
    late_response_penalty_per_day=st.decimals(min_value=0, max_value=100, places=2),
) | st.just(ScoringSettings())


@st.composite
def revision_requests(draw):
    returned = draw(instants)
    answered = draw(st.booleans())
    if not answered:
        return RevisionRequest(returned_at=returned)
    delay = draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)))
    return RevisionRequest(returned_at=returned, resubmitted_at=returned + delay)


def within_bounds(value):
    return Decimal(0) <= value <= Decimal(100) and value.as_tuple().exponent == -2


@given(
    submitted=st.none() | instants,
    due_on=days_2025,
    close_after=st.integers(min_value=0, max_value=60),
    extension=st.none() | st.integers(min_value=0, max_value=60),
    tz=zones,
    outcomes=outcome_lists,
    requests=st.lists(revision_requests(), max_size=5),
    holiday_dates=holiday_sets,
    settings=settings_strategy,
)
def test_every_criterion_and_the_final_score_stay_within_zero_and_hundred(
    submitted, due_on, close_after, extension, tz, outcomes, requests, holiday_dates, settings
):
    result = score_report(
        first_submitted_at=submitted,
        due_on=due_on,
        closes_on=due_on + timedelta(days=close_after),
        tz=tz,
        outcomes=outcomes,
        revision_requests=requests,
        holidays=holiday_dates,
        extended_to=None if extension is None else due_on + timedelta(days=extension),
        settings=settings,
    )

    for value in (result.completeness, result.timeliness, result.responsiveness, result.final):
        assert within_bounds(value)


@given(
    c=st.decimals(min_value=0, max_value=100, places=4),
    t=st.decimals(min_value=0, max_value=100, places=4),
    r=st.decimals(min_value=0, max_value=100, places=4),
    settings=settings_strategy,
)
def test_final_score_of_valid_criteria_stays_within_zero_and_hundred(c, t, r, settings):
    assert within_bounds(
        final_score(completeness=c, timeliness=t, responsiveness=r, settings=settings)
    )


@given(
    earlier=instants,
    delay=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=70)),
    due_on=days_2025,
    close_after=st.integers(min_value=0, max_value=60),
    extension=st.none() | st.integers(min_value=0, max_value=60),
    tz=zones,
)
def test_submitting_later_never_scores_higher(earlier, delay, due_on, close_after, extension, tz):
    def score(submitted):
        return timeliness(
            first_submitted_at=submitted,
            due_on=due_on,
            closes_on=due_on + timedelta(days=close_after),
            tz=tz,
            extended_to=None if extension is None else due_on + timedelta(days=extension),
        ).score

    assert score(earlier + delay) <= score(earlier)
    assert score(None) <= score(earlier)


@given(
    returned=instants,
    first_delay=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)),
    extra_delay=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)),
    other_requests=st.lists(revision_requests(), max_size=3),
    tz=zones,
    holiday_dates=holiday_sets,
    closes_on=st.none() | st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 6, 30)),
)
def test_answering_later_never_scores_higher(
    returned, first_delay, extra_delay, other_requests, tz, holiday_dates, closes_on
):
    sooner = returned + first_delay
    later = sooner + extra_delay

    def score(resubmitted_at):
        request = RevisionRequest(returned_at=returned, resubmitted_at=resubmitted_at)
        return responsiveness(
            [request, *other_requests], tz=tz, holidays=holiday_dates, closes_on=closes_on
        ).score

    assert score(later) <= score(sooner)
    assert score(None) <= score(later)


IMPROVEMENT_ORDER = [
    ItemOutcome.MISSING,
    ItemOutcome.REJECTED,
    ItemOutcome.ACCEPTED_AFTER_REVISION,
    ItemOutcome.ACCEPTED_FIRST,
]


@given(
    outcomes=st.lists(st.sampled_from(IMPROVEMENT_ORDER), min_size=1, max_size=30),
    data=st.data(),
    settings=settings_strategy,
)
def test_improving_an_item_never_lowers_completeness(outcomes, data, settings):
    index = data.draw(st.integers(min_value=0, max_value=len(outcomes) - 1))
    current = IMPROVEMENT_ORDER.index(outcomes[index])
    better = data.draw(st.sampled_from(IMPROVEMENT_ORDER[current:]))
    improved = [*outcomes[:index], better, *outcomes[index + 1 :]]

    before = completeness(outcomes, settings).score
    after = completeness(improved, settings).score

    assert after >= before
    assert within_bounds(after)
