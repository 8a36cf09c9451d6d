"""The periods a target is judged at: its indicator's period type, numbered so the engine can count them.

The engine (:mod:`targets.progress.engine`) reads a series keyed by consecutive integers and a plan that
runs from one such number to another. For yearly indicators the number is the year, as it always was; for
monthly and quarterly ones (and the other period types that tile the calendar year) it is the period's
position counted from year 0, so that 202412 and 202501 are neighbours and a plan of 2021-2025 has 60 months.
Weekly, daily and financial-year periods do not tile the plan's calendar years: they have no progress.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Final

from targets.periods import Period, PeriodType

# Months per period, for the period types that divide the calendar year into equal blocks from January.
_MONTHS: Final[dict[PeriodType, int]] = {
    PeriodType.MONTHLY: 1,
    PeriodType.BI_MONTHLY: 2,
    PeriodType.QUARTERLY: 3,
    PeriodType.SIX_MONTHLY: 6,
    PeriodType.YEARLY: 12,
}
_ONE_DAY: Final = dt.timedelta(days=1)


def _month_start(month_index: int) -> dt.date:
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class Grain:
    """A calendar-aligned period type and the arithmetic of its period numbers."""

    type: PeriodType
    months: int

    @classmethod
    def of(cls, period_type: str) -> Grain | None:
        """The grain of an indicator's period type; ``None`` for types progress does not judge."""
        try:
            type_ = PeriodType(period_type)
        except ValueError:
            return None
        months = _MONTHS.get(type_)
        return None if months is None else cls(type_, months)

    @property
    def per_year(self) -> int:
        return 12 // self.months

    def number(self, day: dt.date) -> int:
        """The number of the period containing ``day`` (the year itself for yearly periods)."""
        return (day.year * 12 + day.month - 1) // self.months

    def bounds(self, number: int) -> tuple[dt.date, dt.date]:
        return _bounds(self.months, number)

    def period_id(self, number: int) -> str:
        """The DHIS2 identifier: ``2024``, ``2024Q3``, ``202409`` …"""
        return _period_id(self, number)

    def plan_numbers(self, start: dt.date, end: dt.date) -> range:
        """The periods of a plan running from ``start`` to ``end`` (the seed's plans: whole years)."""
        return range(self.number(start), self.number(end) + 1)

    def ended_by(self, numbers: range, at: dt.date) -> range:
        """Those of ``numbers`` whose last day is on or before ``at``."""
        last = self.number(at)
        if self.bounds(last)[1] > at:
            last -= 1
        return range(numbers.start, max(numbers.start, min(numbers.stop, last + 1)))


# A roll-up asks the bounds of the same few hundred periods for every unit and indicator: worked out once.
@functools.lru_cache(maxsize=8192)
def _bounds(months: int, number: int) -> tuple[dt.date, dt.date]:
    first_month = number * months
    return _month_start(first_month), _month_start(first_month + months) - _ONE_DAY


# A report names the same few hundred periods tens of thousands of times; a Period checks itself when built.
@functools.lru_cache(maxsize=8192)
def _period_id(grain: Grain, number: int) -> str:
    start, end = grain.bounds(number)
    return Period(grain.type, start, end).id


YEARLY: Final = Grain(PeriodType.YEARLY, 12)
