"""Working-day arithmetic over the days off the nominations service's working calendar lists.

The calendar is nominations' (holidays, Tết, weekends, the days the State or the province moved); this is
only its answer for a span of days, asked over HTTP (``GET /v1/working-calendar``), never a copy of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ONE_DAY = dt.timedelta(days=1)


class OutsideCalendar(ValueError):
    """A day outside the span the calendar was asked for."""


@dataclass(frozen=True, slots=True)
class WorkingDays:
    start: dt.date
    end: dt.date
    days_off: frozenset[dt.date]

    def is_working(self, day: dt.date) -> bool:
        if not self.start <= day <= self.end:
            raise OutsideCalendar(f"{day} is outside the calendar read ({self.start}..{self.end})")
        return day not in self.days_off

    def on_or_after(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the first working day after it."""
        while not self.is_working(day):
            day += ONE_DAY
        return day

    def between(self, after: dt.date, until: dt.date) -> int:
        """The working days ``d`` with ``after < d <= until`` (negative when ``until`` comes first): on a
        due date 0 are left; the first working day after it is 1 late."""
        if until < after:
            return -self.between(until, after)
        count, day = 0, after + ONE_DAY
        while day <= until:
            count += self.is_working(day)
            day += ONE_DAY
        return count
