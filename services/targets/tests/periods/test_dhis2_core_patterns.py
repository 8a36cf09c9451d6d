"""The periods a DHIS2 server reads from its clients, read here the same way: no more, no less.

The oracle below restates, for the ISO calendar and the period types indicators here are reported in, what
dhis2-core's server does with an identifier: the patterns of `DateUnitType` (a period matches one of them
in full, or it is not a period) and the field checks and arithmetic of `DateUnitPeriodTypeParser`
(`dhis-api/src/main/java/org/hisp/dhis/calendar/`, 2.39-2.42; `PeriodTypeEnum.ofIsoPeriod` in 2.42 lists
the same shapes). It is written from those sources, not from the platform's parser, and the platform must
agree with it on every string a grammar of near-miss identifiers produces.

Where the platform deliberately differs it says so here: years outside 1900-2199 are refused (DHIS2 takes
any four digits), and DHIS2 period types no indicator uses (weeks starting on Wednesday…, QuarterlyNov,
SixMonthlyNov, FinancialSep) are refused by name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from targets.periods import InvalidPeriod, PeriodType, parse_period

Interval = tuple[PeriodType, dt.date, dt.date]
ONE_DAY = dt.timedelta(days=1)


def _month_start(year: int, month: int) -> dt.date:
    """The first day of a month counted from January of `year` (13 is next January)."""
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _months(type_: PeriodType, year: int, first_month: int, count: int) -> Interval:
    return type_, _month_start(year, first_month), _month_start(year, first_month + count) - ONE_DAY


def _weeks_in_year(year: int) -> int:
    return dt.date(year, 12, 28).isocalendar().week


def _daily(year: int, month: str, day: str) -> Interval | None:
    try:
        date = dt.date(year, int(month), int(day))
    except ValueError:
        return None  # dhis2-core cannot build the date: the value is refused
    return PeriodType.DAILY, date, date


def _weekly(year: int, week: str) -> Interval | None:
    number = int(week)
    if not 1 <= number <= _weeks_in_year(year):
        return None
    start = dt.date.fromisocalendar(year, number, 1)
    return PeriodType.WEEKLY, start, start + dt.timedelta(days=6)


def _bi_weekly(year: int, index: str) -> Interval | None:
    week = int(index) * 2 - 1  # dhis2-core: the bi-week starts on ISO week 2n-1, which must exist
    if not 1 <= week <= _weeks_in_year(year):
        return None
    start = dt.date.fromisocalendar(year, week, 1)
    return PeriodType.BI_WEEKLY, start, start + dt.timedelta(days=13)


def _monthly(year: int, month: str) -> Interval | None:
    number = int(month)
    return _months(PeriodType.MONTHLY, year, number, 1) if 1 <= number <= 12 else None


def _numbered(
    type_: PeriodType, last: int, length: int, offset: int = 0
) -> Callable[[int, str], Interval | None]:
    def interval(year: int, value: str) -> Interval | None:
        number = int(value)
        if not 1 <= number <= last:
            return None
        return _months(type_, year, (number - 1) * length + 1 + offset, length)

    return interval


def _yearly(type_: PeriodType, first_month: int, year_shift: int = 0) -> Callable[[int], Interval]:
    return lambda year: _months(type_, year + year_shift, first_month, 12)


# (pattern, interval from the year and the captured field) in dhis2-core's order; the first full match wins.
ORACLE: list[tuple[re.Pattern[str], Callable[..., Interval | None]]] = [
    (re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})"), _daily),
    # The dashed day is DHIS2's too, in the versions cited above: `DateUnitType.DAILY` lists
    # `(\d{4})(\d{2})(\d{2})` and `(\d{4})-(\d{2})-(\d{2})`, and `PeriodTypeEnum.ofIsoPeriod` reads
    # "Daily: ~~~~~~~~ (8) or ~~~~-~~-~~ (10)". Older releases, from before BI_WEEKLY, had the undashed
    # pattern alone; a client of those never sends the dashed form, so accepting it refuses no one.
    (re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"), _daily),
    (re.compile(r"([0-9]{4})W([0-9]{1,2})"), _weekly),
    (re.compile(r"([0-9]{4})BiW([0-9]{1,2})"), _bi_weekly),
    (re.compile(r"([0-9]{4})-?([0-9]{2})"), _monthly),
    (re.compile(r"([0-9]{4})([0-9]{2})B"), _numbered(PeriodType.BI_MONTHLY, 6, 2)),
    (re.compile(r"([0-9]{4})Q([0-9])"), _numbered(PeriodType.QUARTERLY, 4, 3)),
    (re.compile(r"([0-9]{4})S([0-9])"), _numbered(PeriodType.SIX_MONTHLY, 2, 6)),
    (re.compile(r"([0-9]{4})AprilS([0-9])"), _numbered(PeriodType.SIX_MONTHLY_APRIL, 2, 6, offset=3)),
    (re.compile(r"([0-9]{4})"), _yearly(PeriodType.YEARLY, 1)),
    (re.compile(r"([0-9]{4})April"), _yearly(PeriodType.FINANCIAL_APRIL, 4)),
    (re.compile(r"([0-9]{4})July"), _yearly(PeriodType.FINANCIAL_JULY, 7)),
    (re.compile(r"([0-9]{4})Oct"), _yearly(PeriodType.FINANCIAL_OCT, 10)),
    # dhis2-core: `new DateTimeUnit(year - 1, 11, 1)`; 2024Nov is November 2023 to October 2024.
    (re.compile(r"([0-9]{4})Nov"), _yearly(PeriodType.FINANCIAL_NOV, 11, year_shift=-1)),
]
# DHIS2 types the platform has no indicators in; refused by name rather than read.
UNUSED = re.compile(r"[0-9]{4}(?:(?:Wed|Thu|Sat|Sun)W[0-9]{1,2}|NovQ[0-9]|NovS[0-9]|Sep)")


# The importer trims the identifier first (`trimToNull`: Java's trim drops every character up to U+0020).
JAVA_TRIM = "".join(map(chr, range(0x21)))


def dhis2_core(text: str) -> Interval | None:
    for pattern, interval in ORACLE:
        match = pattern.fullmatch(text.strip(JAVA_TRIM))
        if match:
            year, *fields = match.groups()
            return interval(int(year), *fields)
    return None


def check_against_dhis2_core(text: str) -> None:
    expected = dhis2_core(text)
    if expected is None:
        with pytest.raises(InvalidPeriod) as refused:
            parse_period(text)
        if UNUSED.fullmatch(text.strip(JAVA_TRIM)):
            assert "a DHIS2 period of a type no indicator here uses" in refused.value.reason
        return
    if not 1900 <= int(text.strip(JAVA_TRIM)[:4]) <= 2199:
        with pytest.raises(InvalidPeriod, match="year out of range"):
            parse_period(text)
        return
    period = parse_period(text)
    assert (period.type, period.start, period.end) == expected, text
    # Stored and answered in one canonical spelling, which reads back as the same period.
    assert parse_period(period.id) == period
    assert period.id == period.id.strip()
    assert "-" not in period.id


# Identifiers of every shape with fields in and out of range, and a free grammar of near misses.
years = st.one_of(
    st.integers(min_value=1900, max_value=2199).map(lambda year: f"{year:04d}"),
    st.sampled_from(["2015", "2020", "2021", "2024", "2026"]),
    st.text("0123456789", min_size=3, max_size=5),
)
SHAPES = [
    "{y}{m:02d}{d:02d}", "{y}-{m:02d}-{d:02d}", "{y}W{w}", "{y}W{w:02d}", "{y}BiW{b}", "{y}BiW{b:02d}",
    "{y}{m:02d}", "{y}-{m:02d}", "{y}{k:02d}B", "{y}Q{k}", "{y}S{k}", "{y}AprilS{k}", "{y}", "{y}April",
    "{y}July", "{y}Oct", "{y}Nov", "{y}NovS{k}", "{y}NovQ{k}", "{y}Sep", "{y}WedW{w}", "{y}SunW{w:02d}",
    " {y}Q{k} ", "{y}-{m}", "{y}-{m:02d}-{d}", "{y}-{m:02d}{d:02d}", "{y}{m:02d}-{d:02d}", "{y}-W{w:02d}",
    "{y}-Q{k}", "{y}W{w:03d}", "{y}/{m:02d}", "{y}q{k}", "{y}{m:02d}b", "{y}Biw{b}",
]  # fmt: skip
shaped = st.builds(
    lambda shape, y, m, d, w, b, k: shape.format(y=y, m=m, d=d, w=w, b=b, k=k),
    st.sampled_from(SHAPES),
    years,
    st.integers(min_value=0, max_value=13),
    st.integers(min_value=0, max_value=32),
    st.integers(min_value=0, max_value=54),
    st.integers(min_value=0, max_value=28),
    st.integers(min_value=0, max_value=9),
)
free = st.builds(
    lambda *parts: "".join(parts),
    years,
    st.sampled_from(["", "", "-", "--", "/", " ", "_"]),
    st.sampled_from(["", "W", "BiW", "Q", "S", "AprilS", "April", "July", "Oct", "Nov", "NovS", "w", "W-"]),
    st.text("0123456789", max_size=4),
    st.sampled_from(["", "", "B", "b", "-", "-01", "-15", "-31", "x", " "]),
)


@settings(max_examples=400)  # cheap: a string and a parse each
@given(st.one_of(shaped, shaped, free))
@example("2024-05")
@example("2024-05-15")
@example("2024BiW05")
@example("2020BiW27")
@example("2021BiW27")
@example("2020W53")
@example("202407B")
@example("2024-02-30")
@example("\x012024Q1\x1f")
@example("\u00a02024Q1")
@example("2024Q1\u2003")
def test_the_platform_reads_what_dhis2_core_reads_and_refuses_the_rest(text: str) -> None:
    expected = dhis2_core(text)
    event(f"read as {expected[0]}" if expected else "refused")  # --hypothesis-show-statistics
    check_against_dhis2_core(text)


@pytest.mark.parametrize(
    "text",
    [
        # Every shape dhis2-core's patterns describe, once each (PeriodTypeEnum.ofIsoPeriod's table).
        "2024", "202405", "2024-05", "20240515", "2024-05-15", "2024W5", "2024W05", "2024BiW5",
        "2024BiW05", "202403B", "2024Q3", "2024S2", "2024AprilS2", "2024April", "2024July", "2024Oct",
        "2024Nov",
        # … and near misses it refuses.
        "2024-5", "2024-W05", "2024-Q3", "2024W005", "2024BiW005", "2024Q10", "201", "20111", "201W2",
        "2011W234", "201er2345566", "2024-05-1", "2024-0515", "202405-15", "2024/05", "2024 05",
        "2024NovS1", "2024NovQ1", "2024Sep", "2024ThuW3", "2024SatW03",
    ],
)  # fmt: skip
def test_dhis2_cores_own_shapes(text: str) -> None:
    check_against_dhis2_core(text)
