"""DHIS2 period identifiers (`2024W5`, `202401B`, `2024AprilS2`, ...) as date ranges.

The formats follow DHIS2's Web API table "Date and period format" and, where the table is silent, the
server's parser, for the ISO 8601 calendar only: the patterns of `DateUnitType` and the arithmetic of
`DateUnitPeriodTypeParser` (dhis2-core, `dhis-api/.../calendar/`). A server reads more than DHIS2's
front-end library writes: a month or a day with dashes (`2024-05`, `2024-05-15`) and a zero-padded week or
bi-week (`2024W05`, `2024BiW05`). Those are read here too; the canonical identifier (`202405`, `20240515`,
`2024W5`, `2024BiW5`) is what is stored and answered.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

__all__ = ["InvalidPeriod", "Period", "PeriodType", "format_period", "parse_period"]

MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2199

_ONE_DAY: Final = dt.timedelta(days=1)
_SIX_DAYS: Final = dt.timedelta(days=6)
_TWO_WEEKS_MINUS_A_DAY: Final = dt.timedelta(days=13)


class PeriodType(StrEnum):
    """DHIS2's periodType names, so values can be stored and compared with DHIS2 metadata as they are."""

    DAILY = "Daily"
    WEEKLY = "Weekly"
    BI_WEEKLY = "BiWeekly"
    MONTHLY = "Monthly"
    BI_MONTHLY = "BiMonthly"
    QUARTERLY = "Quarterly"
    SIX_MONTHLY = "SixMonthly"
    SIX_MONTHLY_APRIL = "SixMonthlyApril"
    YEARLY = "Yearly"
    FINANCIAL_APRIL = "FinancialApril"
    FINANCIAL_JULY = "FinancialJuly"
    FINANCIAL_OCT = "FinancialOct"
    FINANCIAL_NOV = "FinancialNov"


# How much of a client's identifier a refusal repeats: a 100 kB "period" is named by its beginning.
_ECHO_LIMIT: Final = 100


def _echo(text: str) -> str:
    return text if len(text) <= _ECHO_LIMIT else text[:_ECHO_LIMIT] + "…"


class InvalidPeriod(ValueError):
    """A period identifier (or a period computed from a date) that DHIS2 would not accept."""

    def __init__(self, text: str, reason: str) -> None:
        # Passing both to ValueError keeps the exception picklable (args rebuild it) for worker pools.
        super().__init__(text, reason)
        self.text = text
        self.reason = reason

    def __str__(self) -> str:
        return f"invalid period {_echo(self.text)!r}: {self.reason}"


# Month-based types are all "blocks of `length` months, the first block starting in month `offset + 1`":
# one index arithmetic then serves locating, shifting and validating them.
@dataclass(frozen=True, slots=True)
class _MonthBlocks:
    length: int
    offset: int


_MONTH_BLOCKS: Final[dict[PeriodType, _MonthBlocks]] = {
    PeriodType.MONTHLY: _MonthBlocks(1, 0),
    PeriodType.BI_MONTHLY: _MonthBlocks(2, 0),
    PeriodType.QUARTERLY: _MonthBlocks(3, 0),
    PeriodType.SIX_MONTHLY: _MonthBlocks(6, 0),
    PeriodType.SIX_MONTHLY_APRIL: _MonthBlocks(6, 3),
    PeriodType.YEARLY: _MonthBlocks(12, 0),
    PeriodType.FINANCIAL_APRIL: _MonthBlocks(12, 3),
    PeriodType.FINANCIAL_JULY: _MonthBlocks(12, 6),
    PeriodType.FINANCIAL_OCT: _MonthBlocks(12, 9),
    PeriodType.FINANCIAL_NOV: _MonthBlocks(12, 10),
}

_FINANCIAL_BY_SUFFIX: Final[dict[str, PeriodType]] = {
    "April": PeriodType.FINANCIAL_APRIL,
    "July": PeriodType.FINANCIAL_JULY,
    "Oct": PeriodType.FINANCIAL_OCT,
    "Nov": PeriodType.FINANCIAL_NOV,
}
_SUFFIX_BY_FINANCIAL: Final[dict[PeriodType, str]] = {t: s for s, t in _FINANCIAL_BY_SUFFIX.items()}


def _iso_weeks_in_year(year: int) -> int:
    # December 28 is always in the ISO year's last week.
    return dt.date(year, 12, 28).isocalendar().week


def _month_start(month_index: int) -> dt.date:
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def _month_block(blocks: _MonthBlocks, block: int) -> tuple[dt.date, dt.date]:
    first_month = block * blocks.length + blocks.offset
    return _month_start(first_month), _month_start(first_month + blocks.length) - _ONE_DAY


def _month_block_of(blocks: _MonthBlocks, day: dt.date) -> int:
    return (day.year * 12 + day.month - 1 - blocks.offset) // blocks.length


def _week_of(type_: PeriodType, day: dt.date) -> tuple[dt.date, dt.date]:
    iso_year, week, weekday = day.isocalendar()
    if type_ is PeriodType.WEEKLY:
        start = day - dt.timedelta(days=weekday - 1)
        return start, start + _SIX_DAYS
    # DHIS2 bi-weeks start on odd ISO weeks and last 14 days, even when the odd week is week 53: that
    # bi-week (BiW27) runs into the next ISO year's week 1, overlapping its BiW1.
    start = dt.date.fromisocalendar(iso_year, week - (week + 1) % 2, 1)
    return start, start + _TWO_WEEKS_MINUS_A_DAY


def _locate(type_: PeriodType, day: dt.date) -> tuple[dt.date, dt.date]:
    """The (start, end) of the period of `type_` that contains `day`, without any range check."""
    if type_ is PeriodType.DAILY:
        return day, day
    blocks = _MONTH_BLOCKS.get(type_)
    if blocks is not None:
        return _month_block(blocks, _month_block_of(blocks, day))
    return _week_of(type_, day)


def _label_year(type_: PeriodType, start: dt.date) -> int:
    if type_ is PeriodType.WEEKLY or type_ is PeriodType.BI_WEEKLY:
        return start.isocalendar().year
    if type_ is PeriodType.FINANCIAL_NOV:
        return start.year + 1  # named after the year it ends in (see _parse_financial)
    return start.year


def _financial_label(suffix: str) -> Callable[[dt.date], str]:
    return lambda start: f"{start.year}{suffix}"


def _week_label(prefix: str, weeks_per_period: int) -> Callable[[dt.date], str]:
    def label(start: dt.date) -> str:
        iso = start.isocalendar()
        return f"{iso.year}{prefix}{(iso.week + weeks_per_period - 1) // weeks_per_period}"

    return label


# Identifiers are written from the period's first day alone.
_LABELS: Final[dict[PeriodType, Callable[[dt.date], str]]] = {
    PeriodType.DAILY: lambda s: f"{s.year:04d}{s.month:02d}{s.day:02d}",
    PeriodType.WEEKLY: _week_label("W", 1),
    PeriodType.BI_WEEKLY: _week_label("BiW", 2),
    PeriodType.MONTHLY: lambda s: f"{s.year}{s.month:02d}",
    # DHIS2 writes the bi-month's number (01-06), not its first month: 200402B is March-April 2004.
    PeriodType.BI_MONTHLY: lambda s: f"{s.year}{(s.month + 1) // 2:02d}B",
    PeriodType.QUARTERLY: lambda s: f"{s.year}Q{(s.month + 2) // 3}",
    PeriodType.SIX_MONTHLY: lambda s: f"{s.year}S{(s.month + 5) // 6}",
    PeriodType.SIX_MONTHLY_APRIL: lambda s: f"{s.year}AprilS{1 if s.month == 4 else 2}",
    PeriodType.YEARLY: lambda s: f"{s.year}",
    **{type_: _financial_label(suffix) for type_, suffix in _SUFFIX_BY_FINANCIAL.items()},
    # dhis2-core names the November financial year after the year it ends in (see _parse_financial).
    PeriodType.FINANCIAL_NOV: lambda s: f"{s.year + 1}Nov",
}


def _identifier(type_: PeriodType, start: dt.date) -> str:
    return _LABELS[type_](start)


def _checked(type_: PeriodType, start: dt.date, end: dt.date) -> Period:
    """Build a period whose bounds are already known to be right; only the identifier's year is checked."""
    year = _label_year(type_, start)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidPeriod(_identifier(type_, start), f"year out of range {MIN_YEAR}-{MAX_YEAR}")
    period = object.__new__(Period)
    # Skips __post_init__'s re-validation: parsing is on the hot path and has already validated.
    object.__setattr__(period, "type", type_)
    object.__setattr__(period, "start", start)
    object.__setattr__(period, "end", end)
    return period


def _as_date(day: dt.date) -> dt.date:
    # A datetime is a date subclass but does not compare with dates, so it would poison ordering later.
    return day.date() if isinstance(day, dt.datetime) else day


@dataclass(frozen=True, slots=True)
class Period:
    """One DHIS2 period: its type and its first and last days (both inclusive)."""

    type: PeriodType
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        # Accepts the plain periodType name too ("Monthly"), as DHIS2 metadata spells it.
        object.__setattr__(self, "type", PeriodType(self.type))
        if isinstance(self.start, dt.datetime) or isinstance(self.end, dt.datetime):
            raise TypeError("start and end must be dates, not datetimes")
        if _locate(self.type, self.start) != (self.start, self.end):
            raise InvalidPeriod(
                f"{self.type} {self.start.isoformat()}..{self.end.isoformat()}",
                f"not the bounds of a {self.type} period",
            )
        year = _label_year(self.type, self.start)
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise InvalidPeriod(self.id, f"year out of range {MIN_YEAR}-{MAX_YEAR}")

    @classmethod
    def from_date(cls, type: PeriodType, d: dt.date) -> Period:
        """The period of `type` that contains `d` (for bi-weeks, the one starting in `d`'s ISO week pair)."""
        start, end = _locate(type, _as_date(d))
        return _checked(type, start, end)

    @property
    def id(self) -> str:
        """The canonical DHIS2 identifier, e.g. `2024W5` (never zero-padded)."""
        return _identifier(self.type, self.start)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, d: dt.date) -> bool:
        return self.start <= _as_date(d) <= self.end

    def next(self) -> Period:
        return self.shift(1)

    def previous(self) -> Period:
        return self.shift(-1)

    def shift(self, n: int) -> Period:
        """The period `n` steps later (earlier when negative) in this type's sequence."""
        if n == 0:
            return self
        type_ = self.type
        if type_ is PeriodType.DAILY:
            day = self._add_days(n)
            return _checked(type_, day, day)
        if type_ is PeriodType.WEEKLY:
            start = self._add_days(7 * n)
            return _checked(type_, start, start + _SIX_DAYS)
        blocks = _MONTH_BLOCKS.get(type_)
        if blocks is not None:
            return self._shift_month_blocks(blocks, n)
        return self._shift_bi_weeks(n)

    def _add_days(self, days: int) -> dt.date:
        try:
            return self.start + dt.timedelta(days=days)
        except OverflowError:
            raise InvalidPeriod(self.id, f"shifting by {days} days leaves the supported years") from None

    def _shift_month_blocks(self, blocks: _MonthBlocks, n: int) -> Period:
        block = _month_block_of(blocks, self.start) + n
        first_month = block * blocks.length + blocks.offset
        if not MIN_YEAR <= first_month // 12 <= MAX_YEAR:
            raise InvalidPeriod(f"{self.id} shifted by {n}", f"year out of range {MIN_YEAR}-{MAX_YEAR}")
        start, end = _month_block(blocks, block)
        return _checked(self.type, start, end)

    def _shift_bi_weeks(self, n: int) -> Period:
        # ISO years hold 26 or 27 bi-weeks, so walk year by year; the year range bounds the walk.
        iso = self.start.isocalendar()
        year, index = iso.year, (iso.week + 1) // 2 + n
        while True:
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise InvalidPeriod(f"{self.id} shifted by {n}", f"year out of range {MIN_YEAR}-{MAX_YEAR}")
            if index < 1:
                year -= 1
                if year >= MIN_YEAR:
                    index += (_iso_weeks_in_year(year) + 1) // 2
                continue
            in_year = (_iso_weeks_in_year(year) + 1) // 2
            if index <= in_year:
                break
            index -= in_year
            year += 1
        start = dt.date.fromisocalendar(year, 2 * index - 1, 1)
        return _checked(PeriodType.BI_WEEKLY, start, start + _TWO_WEEKS_MINUS_A_DAY)

    # Ordered by (start, end, type): chronological within one type, and deterministic across types.
    def _key(self) -> tuple[dt.date, dt.date, str]:
        return self.start, self.end, self.type.value

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() < other._key()

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() <= other._key()

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() > other._key()

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() >= other._key()

    def __str__(self) -> str:
        return self.id


# --- parsing -------------------------------------------------------------------------------------------

# One pattern for every format; the name of the alternative that matched picks the handler. ASCII only:
# `\d` would also accept other scripts' digits, which DHIS2 does not.
_PATTERN: Final = re.compile(
    r"(?P<year>[0-9]{4})(?:"
    r"(?P<daily>[0-9]{4})"
    r"|-(?P<dasheddaily>[0-9]{2}-[0-9]{2})"
    r"|(?P<monthly>[0-9]{2})"
    r"|-(?P<dashedmonthly>[0-9]{2})"
    r"|(?P<bimonthly>[0-9]{2})B"
    r"|W(?P<weekly>[0-9]{1,2})"
    r"|BiW(?P<biweekly>[0-9]{1,2})"
    r"|Q(?P<quarterly>[0-9])"
    r"|S(?P<sixmonthly>[0-9])"
    r"|AprilS(?P<sixmonthlyapril>[0-9])"
    r"|(?P<financial>April|July|Oct|Nov)"
    r")?",
    re.ASCII,
)
_YEAR_PREFIX: Final = re.compile(r"[0-9]{4}", re.ASCII)

# Identifiers of DHIS2 period types that no indicator here is reported in: named in the refusal, so that a
# client learns the type is the problem rather than its spelling. (dhis2-core's `PeriodTypeEnum`.)
_UNUSED_DHIS2_TYPES: Final = (
    (re.compile(r"(?:Wed|Thu|Sat|Sun)W[0-9]{1,2}", re.ASCII), "weeks starting on another day than Monday"),
    (re.compile(r"NovQ[0-9]", re.ASCII), "QuarterlyNov"),
    (re.compile(r"NovS[0-9]", re.ASCII), "SixMonthlyNov"),
    (re.compile(r"Sep", re.ASCII), "FinancialSep"),
)


def _month_block_period(type_: PeriodType, year: int, block_in_year: int) -> Period:
    blocks = _MONTH_BLOCKS[type_]
    start, end = _month_block(blocks, year * 12 // blocks.length + block_in_year - 1)
    return _checked(type_, start, end)


def _parse_daily(text: str, year: int, value: str) -> Period:
    month, day = int(value[:2]), int(value[2:])
    if not 1 <= month <= 12:
        raise InvalidPeriod(text, "month must be 01-12")
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise InvalidPeriod(text, f"{year}-{month:02d} has no day {value[2:]}") from None
    return _checked(PeriodType.DAILY, date, date)


def _parse_weekly(text: str, year: int, value: str) -> Period:
    week = int(value)
    if not 1 <= week <= 53:
        raise InvalidPeriod(text, "week must be 1-53")
    if week > _iso_weeks_in_year(year):
        raise InvalidPeriod(text, f"ISO year {year} has no week {week}")
    start = dt.date.fromisocalendar(year, week, 1)
    return _checked(PeriodType.WEEKLY, start, start + _SIX_DAYS)


def _parse_bi_weekly(text: str, year: int, value: str) -> Period:
    index = int(value)  # 5 or 05, as dhis2-core reads it; written back unpadded
    if not 1 <= index <= 27:
        raise InvalidPeriod(text, "bi-week must be 1-27")
    # DHIS2's rule: BiWn starts on ISO week 2n-1, which must exist in that ISO year.
    if 2 * index - 1 > _iso_weeks_in_year(year):
        raise InvalidPeriod(text, f"ISO year {year} has no bi-week {index}")
    start = dt.date.fromisocalendar(year, 2 * index - 1, 1)
    return _checked(PeriodType.BI_WEEKLY, start, start + _TWO_WEEKS_MINUS_A_DAY)


def _parse_monthly(text: str, year: int, value: str) -> Period:
    month = int(value)
    if not 1 <= month <= 12:
        raise InvalidPeriod(text, "month must be 01-12")
    return _month_block_period(PeriodType.MONTHLY, year, month)


def _parse_bi_monthly(text: str, year: int, value: str) -> Period:
    index = int(value)
    if not 1 <= index <= 6:
        raise InvalidPeriod(text, "bi-month must be 01-06 (the bi-month's number, not its first month)")
    return _month_block_period(PeriodType.BI_MONTHLY, year, index)


def _parse_quarterly(text: str, year: int, value: str) -> Period:
    quarter = int(value)
    if not 1 <= quarter <= 4:
        raise InvalidPeriod(text, "quarter must be 1-4")
    return _month_block_period(PeriodType.QUARTERLY, year, quarter)


def _parse_six_monthly(text: str, year: int, value: str) -> Period:
    half = int(value)
    if not 1 <= half <= 2:
        raise InvalidPeriod(text, "six-month period must be 1-2")
    return _month_block_period(PeriodType.SIX_MONTHLY, year, half)


def _parse_six_monthly_april(text: str, year: int, value: str) -> Period:
    half = int(value)
    if not 1 <= half <= 2:
        raise InvalidPeriod(text, "six-month period must be 1-2")
    return _month_block_period(PeriodType.SIX_MONTHLY_APRIL, year, half)


def _parse_financial(text: str, year: int, value: str) -> Period:
    # Unlike April, July and Oct, dhis2-core names the November financial year after the year it ends in:
    # its parser reads 2024Nov as 2023-11-01 .. 2024-10-31, and district systems export from that server.
    # (DHIS2's front-end library disagrees; the server is what posts to us.)
    type_ = _FINANCIAL_BY_SUFFIX[value]
    return _month_block_period(type_, year - 1 if type_ is PeriodType.FINANCIAL_NOV else year, 1)


def _parse_yearly(text: str, year: int, value: str) -> Period:
    return _month_block_period(PeriodType.YEARLY, year, 1)


_HANDLERS: Final[dict[str, Callable[[str, int, str], Period]]] = {
    "daily": _parse_daily,
    "dasheddaily": lambda text, year, value: _parse_daily(text, year, value.replace("-", "")),
    "weekly": _parse_weekly,
    "biweekly": _parse_bi_weekly,
    "monthly": _parse_monthly,
    "dashedmonthly": _parse_monthly,
    "bimonthly": _parse_bi_monthly,
    "quarterly": _parse_quarterly,
    "sixmonthly": _parse_six_monthly,
    "sixmonthlyapril": _parse_six_monthly_april,
    "financial": _parse_financial,
    "year": _parse_yearly,
}


# What Java's `String.trim()` drops from both ends, as dhis2-core's importer trims the identifier
# (`StringUtils.trimToNull`): every character up to U+0020, so C0 controls such as \x01 too, but not
# Unicode spaces (NBSP, U+2003), which `str.strip()` would drop and DHIS2 refuses.
JAVA_TRIM: Final = "".join(map(chr, range(0x21)))


# Cached because a payload repeats the same few period strings many times; only successes are cached.
@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Period:
    stripped = text.strip(JAVA_TRIM)
    match = _PATTERN.fullmatch(stripped)
    if match is None:
        if not stripped:
            raise InvalidPeriod(text, "empty period")
        if _YEAR_PREFIX.match(stripped) is None:
            raise InvalidPeriod(text, "must start with a four-digit year")
        for pattern, name in _UNUSED_DHIS2_TYPES:
            if pattern.fullmatch(stripped, 4):
                raise InvalidPeriod(text, f"a DHIS2 period of a type no indicator here uses ({name})")
        raise InvalidPeriod(text, f"unrecognised period format after the year: {_echo(stripped[4:])!r}")
    year = int(match["year"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidPeriod(text, f"year out of range {MIN_YEAR}-{MAX_YEAR}")
    # Only the year group matched when the identifier is a bare year.
    kind = match.lastgroup or "year"
    return _HANDLERS[kind](text, year, match[kind])


def _parse(text: object) -> Period:
    # Posted JSON may carry a number (2024) or null where a string belongs: say so rather than crash.
    if not isinstance(text, str):
        raise InvalidPeriod(repr(text), f"period must be a string, not {type(text).__name__}")
    return _parse_cached(text)


def parse_period(text: str) -> Period:
    """Parse a DHIS2 period identifier; what Java's trim drops around it is ignored, all else is strict.

    Raises InvalidPeriod (a ValueError) with a short reason for anything DHIS2 would not accept, and for
    years outside 1900-2199.
    """
    return _parse(text)


def format_period(p: Period) -> str:
    return p.id
