"""Deadlines in working days (ngày làm việc): Vietnam's public holidays and official swaps from the maintained
``holidays`` library, plus the days the province or the State adds by decision.

``holidays.VN`` knows Tết by the lunar calendar, the substitute days off and the Saturdays worked in exchange
(e.g. 2025-05-02 off, 2025-04-26 worked). On top of it, ``extra_days_off`` (a day the Prime Minister or the
province gives off) and ``extra_working_days`` (a Saturday worked in exchange) come from the database: the
ones the library lacks are seeded (``data/exceptions.json``, each with its notice), others are recorded by the
secretariat. Tết's days are named by their lunar date (:mod:`nominations.calendar.lunar`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cached_property

import holidays

from nominations.calendar.lunar import tet_day_label

ONE_DAY = dt.timedelta(days=1)
# Far enough for any deadline the law sets (the longest are a few months), near enough to stop a runaway loop.
MAX_WORKING_DAYS = 366
WEEKEND = ("Thứ Bảy", "Chủ nhật")  # by weekday 5 and 6


class WorkingCalendar:
    def __init__(
        self,
        *,
        extra_days_off: Iterable[tuple[dt.date, str]] = (),
        extra_working_days: Iterable[dt.date] = (),
    ) -> None:
        self.extra_days_off = dict(extra_days_off)
        self.extra_working_days = frozenset(extra_working_days)
        # A round's report asks the same spans again and again (every late dossier of a stage).
        self._between: dict[tuple[dt.date, dt.date], int] = {}

    @cached_property
    def _national(self) -> holidays.HolidayBase:
        # Years are added lazily by the library when a date of a new year is looked up.
        return holidays.country_holidays("VN", language="vi")

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        return bool(self._national.is_working_day(day))

    def day_off_reason(self, day: dt.date) -> str | None:
        """Why ``day`` is not worked: a decision's reason, a holiday's Vietnamese name (a day of Tết by its
        lunar date), or the weekend."""
        if self.is_working_day(day):
            return None
        if day in self.extra_days_off:
            return self.extra_days_off[day]
        name = self._national.get(day)
        if not name:
            return WEEKEND[day.weekday() - 5] if day.weekday() >= 5 else "Ngày nghỉ"
        return tet_day_label(day) or str(name)

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``start`` (``start`` itself not counted): a deadline."""
        if not 0 <= count <= MAX_WORKING_DAYS:
            raise ValueError(f"a deadline of {count} working days is out of range (0-{MAX_WORKING_DAYS})")
        day = start
        remaining = count
        while remaining:
            day += ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
        if end < start:
            return -self.working_days_between(end, start)
        cached = self._between.get((start, end))
        if cached is not None:
            return cached
        count = 0
        day = start
        while day < end:
            day += ONE_DAY
            count += self.is_working_day(day)
        self._between[(start, end)] = count
        return count
