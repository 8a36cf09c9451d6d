"""When a reporting period's report is due: data (``data/report_deadlines.json``) with its legal source.

The periods are DHIS2's calendar periods of whole months (``202611``, ``2026Q4``, ``2026S2``, ``2026``), as
the targets service names them; other period types get no report reminder.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from notifications.reminders.working_days import WorkingDays


@dataclass(frozen=True, slots=True)
class ReportingPeriod:
    type: str
    id: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True, slots=True)
class DueRule:
    period_type: str
    months_per_period: int
    day_of_following_month: int

    def period_of(self, month_index: int) -> ReportingPeriod:
        """The period starting at ``month_index`` (year × 12 + month − 1), which must begin one."""
        year, month0 = divmod(month_index, 12)
        start = dt.date(year, month0 + 1, 1)
        end_year, end_month0 = divmod(month_index + self.months_per_period, 12)
        end = dt.date(end_year, end_month0 + 1, 1) - dt.timedelta(days=1)
        number = month0 // self.months_per_period + 1
        identifier = {1: f"{year}{month0 + 1:02d}", 3: f"{year}Q{number}", 6: f"{year}S{number}"}.get(
            self.months_per_period, str(year)
        )
        return ReportingPeriod(self.period_type, identifier, start, end)

    def ended_before(self, day: dt.date, count: int) -> list[ReportingPeriod]:
        """The ``count`` periods that ended last before ``day``, latest first."""
        current = day.year * 12 + day.month - 1
        current -= current % self.months_per_period
        return [self.period_of(current - self.months_per_period * n) for n in range(1, count + 1)]

    def nominal_due(self, period: ReportingPeriod) -> dt.date:
        following = period.end + dt.timedelta(days=1)
        return following.replace(day=self.day_of_following_month)

    def due_on(self, period: ReportingPeriod, calendar: WorkingDays) -> dt.date:
        """The day of the month after the period, or the first working day after it when it is a day off."""
        return calendar.on_or_after(self.nominal_due(period))


@cache
def _data() -> dict[str, Any]:
    text = (
        resources.files("notifications.reminders")
        .joinpath("data", "report_deadlines.json")
        .read_text("utf-8")
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def due_rules() -> list[DueRule]:
    return [
        DueRule(name, int(rule["months_per_period"]), int(rule["day_of_following_month"]))
        for name, rule in _data()["periods"].items()
    ]
