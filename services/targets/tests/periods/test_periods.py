import datetime as dt
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from targets.periods import InvalidPeriod, Period, PeriodType, format_period, parse_period

FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)
ONE_DAY = dt.timedelta(days=1)

types = st.sampled_from(PeriodType)
any_day = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
# A year inside each edge, so that every type's period and its neighbours keep a year in 1900-2199.
inner_day = st.dates(min_value=dt.date(1902, 1, 1), max_value=dt.date(2197, 12, 31))
# Far enough from the edges for 40 steps of the longest (yearly) periods either way.
middle_day = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2150, 12, 31))


def is_bi_week_53(p: Period) -> bool:
    # DHIS2's BiW27 (a 53-week ISO year's last bi-week) runs 14 days into the next year's BiW1.
    return p.type is PeriodType.BI_WEEKLY and p.start.isocalendar().week == 53


# --- properties ----------------------------------------------------------------------------------------


# The first month of the year each type's identifiers are named after, when that is not January.
NAMING_YEAR_STARTS = {
    PeriodType.SIX_MONTHLY_APRIL: 4,
    PeriodType.FINANCIAL_APRIL: 4,
    PeriodType.FINANCIAL_JULY: 7,
    PeriodType.FINANCIAL_OCT: 10,
}


def naming_year(type_: PeriodType, day: dt.date) -> int:
    if type_ in (PeriodType.WEEKLY, PeriodType.BI_WEEKLY):
        return day.isocalendar().year
    if type_ is PeriodType.FINANCIAL_NOV:  # named after the year it ends in, as dhis2-core does
        return day.year + 1 if day.month >= 11 else day.year
    return day.year if day.month >= NAMING_YEAR_STARTS.get(type_, 1) else day.year - 1


@given(types, any_day)
def test_from_date_round_trips_and_contains_the_date(type_: PeriodType, day: dt.date) -> None:
    if not 1900 <= naming_year(type_, day) <= 2199:
        with pytest.raises(InvalidPeriod, match="year out of range 1900-2199"):
            Period.from_date(type_, day)
        return
    period = Period.from_date(type_, day)
    assert period.type is type_
    assert period.contains(day)
    assert parse_period(str(period)) == period
    assert format_period(period) == period.id == str(period)
    assert period.days == (period.end - period.start).days + 1
    assert Period(period.type, period.start, period.end) == period


@given(types, inner_day)
def test_neighbours_are_adjacent_and_inverse(type_: PeriodType, day: dt.date) -> None:
    period = Period.from_date(type_, day)
    following, preceding = period.next(), period.previous()
    if is_bi_week_53(period):
        assert following.start == period.start + dt.timedelta(days=7)
    else:
        assert following.start == period.end + ONE_DAY
    if is_bi_week_53(preceding):
        assert period.start == preceding.start + dt.timedelta(days=7)
    else:
        assert preceding.end + ONE_DAY == period.start
    assert following.previous() == period
    assert preceding.next() == period
    assert preceding < period < following
    assert following.type is preceding.type is type_


@given(types, middle_day, st.integers(min_value=-40, max_value=40))
def test_shift_is_repeated_next_or_previous(type_: PeriodType, day: dt.date, steps: int) -> None:
    period = Period.from_date(type_, day)
    walked = period
    for _ in range(abs(steps)):
        walked = walked.next() if steps > 0 else walked.previous()
    assert period.shift(steps) == walked
    assert period.shift(steps).shift(-steps) == period


@given(types, middle_day, st.data())
def test_sorting_shuffled_consecutive_periods_restores_their_order(
    type_: PeriodType, day: dt.date, data: st.DataObject
) -> None:
    periods = [Period.from_date(type_, day)]
    for _ in range(data.draw(st.integers(min_value=1, max_value=30), label="count")):
        periods.append(periods[-1].next())
    shuffled = data.draw(st.permutations(periods), label="shuffled")
    assert sorted(shuffled) == periods
    assert [p.start for p in periods] == sorted(p.start for p in periods)


@given(types, types, inner_day, inner_day)
def test_order_across_types_is_total_and_consistent_with_equality(
    type_a: PeriodType, type_b: PeriodType, day_a: dt.date, day_b: dt.date
) -> None:
    a, b = Period.from_date(type_a, day_a), Period.from_date(type_b, day_b)
    assert [a < b, a == b, a > b].count(True) == 1
    assert (a <= b) == (a < b or a == b)
    assert (a >= b) == (a > b or a == b)
    if a == b:
        assert hash(a) == hash(b)
        assert a.type is b.type


@given(types, any_day, any_day)
def test_same_type_periods_order_by_start(type_: PeriodType, day_a: dt.date, day_b: dt.date) -> None:
    try:
        a, b = Period.from_date(type_, day_a), Period.from_date(type_, day_b)
    except InvalidPeriod:
        return  # an identifier year outside 1900-2199: covered by the round-trip property
    assert (a < b) == (a.start < b.start)
    assert (a == b) == (a.start == b.start)


@given(inner_day)
def test_zero_padded_week_parses_like_the_unpadded_one(day: dt.date) -> None:
    period = Period.from_date(PeriodType.WEEKLY, day)
    iso = period.start.isocalendar()
    assert parse_period(f"{iso.year}W{iso.week:02d}") == period
    assert parse_period(f"{iso.year}W{iso.week}") == period
    assert str(parse_period(f"{iso.year}W{iso.week:02d}")) == f"{iso.year}W{iso.week}"


# --- examples ------------------------------------------------------------------------------------------

D = dt.date

EXAMPLES = [
    # The DHIS2 Web API's "Period format" table, one row per supported type.
    ("20040315", PeriodType.DAILY, D(2004, 3, 15), D(2004, 3, 15)),
    ("2004W10", PeriodType.WEEKLY, D(2004, 3, 1), D(2004, 3, 7)),
    ("2015BiW1", PeriodType.BI_WEEKLY, D(2014, 12, 29), D(2015, 1, 11)),
    ("200403", PeriodType.MONTHLY, D(2004, 3, 1), D(2004, 3, 31)),
    ("200401B", PeriodType.BI_MONTHLY, D(2004, 1, 1), D(2004, 2, 29)),
    ("2004Q1", PeriodType.QUARTERLY, D(2004, 1, 1), D(2004, 3, 31)),
    ("2004S1", PeriodType.SIX_MONTHLY, D(2004, 1, 1), D(2004, 6, 30)),
    ("2004AprilS1", PeriodType.SIX_MONTHLY_APRIL, D(2004, 4, 1), D(2004, 9, 30)),
    ("2004", PeriodType.YEARLY, D(2004, 1, 1), D(2004, 12, 31)),
    ("2004April", PeriodType.FINANCIAL_APRIL, D(2004, 4, 1), D(2005, 3, 31)),
    ("2004July", PeriodType.FINANCIAL_JULY, D(2004, 7, 1), D(2005, 6, 30)),
    ("2004Oct", PeriodType.FINANCIAL_OCT, D(2004, 10, 1), D(2005, 9, 30)),
    # Not in DHIS2's table; named after its first year like the other financial years.
    ("2004Nov", PeriodType.FINANCIAL_NOV, D(2003, 11, 1), D(2004, 10, 31)),
    # ISO week-year edges.
    ("20240915", PeriodType.DAILY, D(2024, 9, 15), D(2024, 9, 15)),
    ("2024W5", PeriodType.WEEKLY, D(2024, 1, 29), D(2024, 2, 4)),
    ("2025W1", PeriodType.WEEKLY, D(2024, 12, 30), D(2025, 1, 5)),
    ("2021W1", PeriodType.WEEKLY, D(2021, 1, 4), D(2021, 1, 10)),
    ("2020W53", PeriodType.WEEKLY, D(2020, 12, 28), D(2021, 1, 3)),
    ("1900W1", PeriodType.WEEKLY, D(1900, 1, 1), D(1900, 1, 7)),
    ("2023BiW1", PeriodType.BI_WEEKLY, D(2023, 1, 2), D(2023, 1, 15)),
    ("2018BiW5", PeriodType.BI_WEEKLY, D(2018, 2, 26), D(2018, 3, 11)),
    ("2020BiW27", PeriodType.BI_WEEKLY, D(2020, 12, 28), D(2021, 1, 10)),
    ("2021BiW1", PeriodType.BI_WEEKLY, D(2021, 1, 4), D(2021, 1, 17)),
    # Bi-months are numbered 01-06.
    ("200402B", PeriodType.BI_MONTHLY, D(2004, 3, 1), D(2004, 4, 30)),
    ("202401B", PeriodType.BI_MONTHLY, D(2024, 1, 1), D(2024, 2, 29)),
    ("202306B", PeriodType.BI_MONTHLY, D(2023, 11, 1), D(2023, 12, 31)),
    ("202409", PeriodType.MONTHLY, D(2024, 9, 1), D(2024, 9, 30)),
    ("2024Q4", PeriodType.QUARTERLY, D(2024, 10, 1), D(2024, 12, 31)),
    ("2024S2", PeriodType.SIX_MONTHLY, D(2024, 7, 1), D(2024, 12, 31)),
    ("2024AprilS2", PeriodType.SIX_MONTHLY_APRIL, D(2024, 10, 1), D(2025, 3, 31)),
    ("2024April", PeriodType.FINANCIAL_APRIL, D(2024, 4, 1), D(2025, 3, 31)),
    ("2199Nov", PeriodType.FINANCIAL_NOV, D(2198, 11, 1), D(2199, 10, 31)),
]

# What dhis2-core's parser reads besides the canonical form, and the canonical form stored for it.
SERVER_SPELLINGS = [
    ("2024-05", "202405"),
    ("2022-01", "202201"),  # as in dhis2-core's own DataValueSetControllerTest
    ("2024-05-15", "20240515"),
    ("2024-02-29", "20240229"),
    ("2024W05", "2024W5"),
    ("2024BiW05", "2024BiW5"),
    ("2020BiW09", "2020BiW9"),
    (" 2024-05 ", "202405"),
]


@pytest.mark.parametrize(("text", "canonical"), SERVER_SPELLINGS, ids=[s[0] for s in SERVER_SPELLINGS])
def test_what_dhis2_core_reads_is_read_and_answered_in_canonical_form(text: str, canonical: str) -> None:
    period = parse_period(text)
    assert period == parse_period(canonical)
    assert period.id == str(period) == canonical


@pytest.mark.parametrize(("text", "type_", "start", "end"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_examples(text: str, type_: PeriodType, start: dt.date, end: dt.date) -> None:
    period = parse_period(text)
    assert period == Period(type_, start, end)
    assert str(period) == text
    assert Period.from_date(type_, start) == period
    if not is_bi_week_53(period):
        assert Period.from_date(type_, end) == period


def test_days_counts_leap_days() -> None:
    assert parse_period("2024").days == 366
    assert parse_period("2023").days == 365
    assert parse_period("202402").days == 29
    assert parse_period("2024W5").days == 7
    assert parse_period("2020BiW27").days == 14


def test_bi_week_27_overlaps_the_next_years_first_bi_week_as_in_dhis2() -> None:
    last, first = parse_period("2020BiW27"), parse_period("2021BiW1")
    assert last.next() == first
    assert first.previous() == last
    assert last.contains(D(2021, 1, 5))
    assert first.contains(D(2021, 1, 5))
    # A day in both belongs, for from_date, to the bi-week of its own ISO week, as DHIS2 generates it.
    assert Period.from_date(PeriodType.BI_WEEKLY, D(2021, 1, 5)) == first
    assert Period.from_date(PeriodType.BI_WEEKLY, D(2020, 12, 31)) == last


def test_whitespace_around_is_ignored_and_results_are_cached() -> None:
    assert parse_period(" 2024Q1\n") == parse_period("2024Q1")
    assert parse_period("2024Q2") is parse_period("2024Q2")


# Java's String.trim(), which dhis2-core applies: every character from U+0000 to U+0020 and nothing else.
@pytest.mark.parametrize(
    "text",
    [
        "\x002024Q1",
        "2024Q1\x01",
        "\x1f2024Q1",
        "\t\r\n\x0b\x0c 2024Q1 \x1c\x1d\x1e\x1f",
        "\x20" * 3 + "2024Q1",
    ],
)
def test_what_java_trims_around_a_period_is_ignored(text: str) -> None:
    assert parse_period(text) == parse_period("2024Q1")


@pytest.mark.parametrize(
    "text", ["\u00a02024Q1", "2024Q1\u2003", "\u30002024Q1", "2024Q1\x7f", "2024Q1\x85", "\ufeff2024Q1"]
)
def test_other_spaces_around_a_period_are_refused_as_dhis2_refuses_them(text: str) -> None:
    with pytest.raises(InvalidPeriod):
        parse_period(text)


def test_padded_and_unpadded_weeks_are_one_value() -> None:
    assert {parse_period("2024W05"), parse_period("2024W5")} == {parse_period("2024W5")}


def test_mixed_types_sort_by_start_then_end_then_type() -> None:
    texts = ["2024", "2024Q1", "2024W1", "202401", "20240101", "202401B", "2024Nov", "2024S1"]
    ordered = [str(p) for p in sorted(parse_period(t) for t in texts)]
    assert ordered == ["2024Nov", "20240101", "2024W1", "202401", "202401B", "2024Q1", "2024S1", "2024"]


def test_from_date_accepts_a_datetime_as_its_day() -> None:
    period = Period.from_date(PeriodType.MONTHLY, dt.datetime(2024, 9, 15, 23, 59))
    assert period == parse_period("202409")
    assert period.contains(dt.datetime(2024, 9, 30, 12, 0))


@pytest.mark.parametrize(
    ("type_", "day"),
    [
        (PeriodType.FINANCIAL_APRIL, D(1900, 3, 31)),
        (PeriodType.FINANCIAL_NOV, D(2199, 11, 1)),
        (PeriodType.SIX_MONTHLY_APRIL, D(1900, 3, 31)),
        (PeriodType.WEEKLY, D(2199, 12, 30)),
        (PeriodType.BI_WEEKLY, D(2199, 12, 31)),
    ],
)
def test_from_date_refuses_periods_named_outside_the_years(type_: PeriodType, day: dt.date) -> None:
    with pytest.raises(InvalidPeriod, match="year out of range 1900-2199"):
        Period.from_date(type_, day)


@pytest.mark.parametrize("text", ["2199", "2199Q4", "21991231", "2199W52", "2199BiW26", "2199Nov"])
def test_next_refuses_to_leave_the_years(text: str) -> None:
    with pytest.raises(InvalidPeriod, match="year out of range"):
        parse_period(text).next()


@pytest.mark.parametrize("text", ["1900", "1900Q1", "19000101", "1900W1", "1900BiW1", "1900Nov"])
def test_previous_refuses_to_leave_the_years(text: str) -> None:
    with pytest.raises(InvalidPeriod, match="year out of range"):
        parse_period(text).previous()


def test_huge_shifts_are_refused_not_looped_or_overflowed() -> None:
    for text in ["2024", "20240101", "2024W1", "2024BiW1"]:
        for steps in (10**12, -(10**12)):
            with pytest.raises(InvalidPeriod):
                parse_period(text).shift(steps)


@pytest.mark.parametrize(
    ("type_", "start", "end"),
    [
        (PeriodType.MONTHLY, D(2024, 1, 2), D(2024, 1, 31)),
        (PeriodType.MONTHLY, D(2024, 1, 1), D(2024, 2, 29)),
        (PeriodType.WEEKLY, D(2024, 1, 2), D(2024, 1, 8)),
        (PeriodType.YEARLY, D(1899, 1, 1), D(1899, 12, 31)),
    ],
)
def test_constructor_refuses_bounds_that_are_not_a_period(
    type_: PeriodType, start: dt.date, end: dt.date
) -> None:
    with pytest.raises(InvalidPeriod):
        Period(type_, start, end)


INVALID = [
    ("", "empty period"),
    ("   ", "empty period"),
    ("2024Q5", "quarter must be 1-4"),
    ("2024Q0", "quarter must be 1-4"),
    ("202413", "month must be 01-12"),
    ("202400", "month must be 01-12"),
    ("20241301", "month must be 01-12"),
    ("20240230", "2024-02 has no day 30"),
    ("20230229", "2023-02 has no day 29"),
    ("20240100", "2024-01 has no day 00"),
    ("2024S3", "six-month period must be 1-2"),
    ("2024AprilS0", "six-month period must be 1-2"),
    ("202407B", "bi-month must be 01-06"),
    ("202400B", "bi-month must be 01-06"),
    ("2024W0", "week must be 1-53"),
    ("2024W00", "week must be 1-53"),
    ("2024W54", "week must be 1-53"),
    ("2021W53", "ISO year 2021 has no week 53"),
    ("2024BiW0", "bi-week must be 1-27"),
    ("2024BiW28", "bi-week must be 1-27"),
    ("2021BiW27", "ISO year 2021 has no bi-week 27"),
    ("24Q1", "must start with a four-digit year"),
    ("Q1", "must start with a four-digit year"),
    ("\u0662\u0660\u0662\u0664Q1", "must start with a four-digit year"),
    (" 2024Q1x", "unrecognised period format after the year: 'Q1x'"),
    ("2024W005", "unrecognised period format"),
    ("2024q1", "unrecognised period format"),
    ("2024april", "unrecognised period format"),
    ("2024091", "unrecognised period format"),
    ("2024NovS1", "a DHIS2 period of a type no indicator here uses (SixMonthlyNov)"),
    ("2024NovQ1", "(QuarterlyNov)"),
    ("2024Sep", "(FinancialSep)"),
    ("2024WedW5", "(weeks starting on another day than Monday)"),
    ("2024SunW52", "(weeks starting on another day than Monday)"),
    # Dashes only where dhis2-core's patterns have them: yyyy-MM and yyyy-MM-dd.
    ("2024-9", "unrecognised period format after the year: '-9'"),
    ("2024-5-15", "unrecognised period format"),
    ("2024-0515", "unrecognised period format"),
    ("202405-15", "unrecognised period format"),
    ("2024-Q1", "unrecognised period format"),
    ("2024-W05", "unrecognised period format"),
    ("2024/05", "unrecognised period format"),
    ("2024-13", "month must be 01-12"),
    ("2024-00", "month must be 01-12"),
    ("2024-02-30", "2024-02 has no day 30"),
    ("2024-13-01", "month must be 01-12"),
    ("2024BiW005", "unrecognised period format"),
    ("2024Q1 2024Q2", "unrecognised period format"),
    ("1899", "year out of range 1900-2199"),
    ("2200Q1", "year out of range 1900-2199"),
    ("00000101", "year out of range 1900-2199"),
]


@pytest.mark.parametrize(("text", "reason"), INVALID, ids=[repr(t) for t, _ in INVALID])
def test_invalid_inputs_raise_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidPeriod) as caught:
        parse_period(text)
    assert caught.value.text == text
    assert reason in caught.value.reason
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == f"invalid period {text!r}: {caught.value.reason}"


def test_non_string_input_is_an_invalid_period() -> None:
    with pytest.raises(InvalidPeriod, match="must be a string, not int"):
        parse_period(2024)  # type: ignore[arg-type]


def test_invalid_period_survives_pickling() -> None:
    with pytest.raises(InvalidPeriod) as caught:
        parse_period("2024Q5")
    copy = pickle.loads(pickle.dumps(caught.value))  # noqa: S301 - our own object, round-tripped
    assert (copy.text, copy.reason) == ("2024Q5", "quarter must be 1-4")


def test_a_refusal_repeats_only_the_beginning_of_a_long_identifier() -> None:
    with pytest.raises(InvalidPeriod) as refused:
        parse_period("2024" + "x" * 100_000)
    assert len(str(refused.value)) < 300
    assert "x" * 96 + "…" in refused.value.reason
    assert str(refused.value).startswith("invalid period '2024" + "x" * 96 + "…'")
