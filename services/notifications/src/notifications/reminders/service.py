"""One reminder pass: what is due or late on a day, in working days, each reminder recorded once.

A pass reads the siblings first (who has not reported which period, the round deadlines, the working
calendar), then records every reminder in one transaction as an event of this service's own, whose id is
fixed by what it is about (``events.service.record_own``): the same unit, indicator and period for a report,
the same round, deadline and day for a round. Two workers, two ticks or a pass run by hand beside the
scheduled one therefore store each reminder once, and each is fanned out, sent, retried and logged as every
other event. Rules, sources and the people each reaches: docs/notifications.md, *Reminders*.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.config import Settings
from notifications.events import service as events
from notifications.reminders.clients import Siblings, SiblingUnavailable, open_siblings
from notifications.reminders.deadlines import DueRule, due_rules
from notifications.reminders.working_days import WorkingDays
from shared import clock
from shared.database import Database

logger = logging.getLogger(__name__)

# How far from the day a pass reads the working calendar, and which periods it looks at: the last ones that
# ended, whose nominal due date is within REPORT_HORIZON of the day (a due date moved past a holiday stays
# well inside CALENDAR_SPAN).
CALENDAR_SPAN = dt.timedelta(days=90)
REPORT_HORIZON = dt.timedelta(days=60)
PERIODS_LOOKED_AT = 3
ROUND_HORIZON = dt.timedelta(days=60)

__all__ = ["Policy", "Reminder", "SiblingUnavailable", "plan", "record", "run_pass"]


@dataclass(frozen=True, slots=True)
class Policy:
    """The lead times, in working days (``NOTIFICATIONS_REPORT_DUE_LEAD_WORKING_DAYS`` …)."""

    report_due_lead: int = 3
    report_overdue_window: int = 10
    round_deadline_lead: int = 3

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(
            report_due_lead=settings.report_due_lead_working_days,
            report_overdue_window=settings.report_overdue_window_working_days,
            round_deadline_lead=settings.round_deadline_lead_working_days,
        )


@dataclass(frozen=True, slots=True)
class Reminder:
    event_type: str
    subject: str
    data: dict[str, Any]
    key: tuple[str, ...]


async def _calendar(siblings: Siblings, today: dt.date) -> WorkingDays:
    start, end = today - CALENDAR_SPAN, today + CALENDAR_SPAN
    days = await siblings.calendar_days(start, end)
    return WorkingDays(start, end, frozenset(day.day for day in days if not day.working))


async def _report_reminders(
    siblings: Siblings, today: dt.date, calendar: WorkingDays, rule: DueRule, policy: Policy
) -> list[Reminder]:
    found = []
    for period in rule.ended_before(today, PERIODS_LOOKED_AT):
        if abs(rule.nominal_due(period) - today) > REPORT_HORIZON:
            continue
        due_on = rule.due_on(period, calendar)
        left = calendar.between(today, due_on)
        if 0 <= left <= policy.report_due_lead:
            event_type, counted = "report.due", {"working_days_left": left}
        elif 1 <= -left <= policy.report_overdue_window:
            event_type, counted = "report.overdue", {"working_days_late": -left}
        else:
            continue
        for owed in await siblings.unreported(period.id):
            found.append(
                Reminder(
                    event_type,
                    f"report/{owed.org_unit}/{owed.indicator}/{period.id}",
                    {
                        "org_unit": owed.org_unit,
                        "indicator": owed.indicator,
                        "indicator_name": owed.indicator_name,
                        "period": period.id,
                        "due_on": due_on.isoformat(),
                        **counted,
                    },
                    key=(owed.org_unit, owed.indicator, period.id),
                )
            )
    return found


async def plan(siblings: Siblings, today: dt.date, policy: Policy) -> list[Reminder]:
    """The reminders of ``today`` (a day in Vietnam); none on a day off, so that each arrives on a working
    day (the first working day of its window, as a pass runs every day).

    * ``report.due``: a period's report is due within ``report_due_lead`` working days (0: today) and no
      result has come for the unit, indicator and period;
    * ``report.overdue``: its due date passed 1 to ``report_overdue_window`` working days ago and still none;
    * ``round.deadline_approaching``: a round's submission, screening, council or decision deadline is within
      ``round_deadline_lead`` working days.
    """
    calendar = await _calendar(siblings, today)
    if not calendar.is_working(today):
        return []
    found: list[Reminder] = []
    for rule in due_rules():
        found += await _report_reminders(siblings, today, calendar, rule, policy)
    for deadline in await siblings.round_deadlines(today, today + ROUND_HORIZON):
        left = calendar.between(today, deadline.due_on)
        if 0 <= left <= policy.round_deadline_lead:
            found.append(
                Reminder(
                    "round.deadline_approaching",
                    f"round/{deadline.round_id}",
                    {
                        "round_id": deadline.round_id,
                        "round_name": deadline.round_name,
                        "deadline": deadline.deadline,
                        "due_on": deadline.due_on.isoformat(),
                        "working_days_left": left,
                    },
                    # A deadline moved (the round extended) is another deadline, reminded of again.
                    key=(str(deadline.round_id), deadline.deadline, deadline.due_on.isoformat()),
                )
            )
    return found


async def record(session: AsyncSession, reminders: list[Reminder]) -> int:
    """Store each reminder once (by its key) and queue its fan-out: how many were new."""
    made = 0
    for reminder in reminders:
        event_id = await events.record_own(
            session, reminder.event_type, reminder.subject, reminder.data, key=reminder.key
        )
        made += event_id is not None
    return made


@dataclass(frozen=True, slots=True)
class PassResult:
    day: dt.date
    found: int
    recorded: int


async def run_pass(
    settings: Settings,
    database: Database,
    *,
    today: dt.date | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> PassResult:
    """One pass for ``today`` (default: today in Vietnam): the siblings are read, then the reminders recorded
    in one transaction (committed here, the job's one commit)."""
    day = today or clock.today()
    async with open_siblings(settings, transport) as siblings:
        reminders = await plan(siblings, day, Policy.of(settings))
    async with database.session() as session:
        made = await record(session, reminders)
    logger.info("reminders", extra={"day": day.isoformat(), "found": len(reminders), "recorded": made})
    return PassResult(day, len(reminders), made)
