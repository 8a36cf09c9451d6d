"""The working calendar: the holiday library plus the exceptions recorded in the database."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.calendar import repository
from nominations.calendar.models import CalendarDay
from nominations.calendar.schemas import CalendarDayIn, DayOut
from nominations.calendar.working_days import WorkingCalendar
from shared.pagination import Page, as_day, decode_keyset, encode_cursor
from shared.problems import BadRequest, Conflict

MAX_SPAN_DAYS = 400


class DayAlreadyRecorded(Conflict):
    slug = "calendar-day-exists"
    title = "This day already has an exception"


class SpanTooLong(BadRequest):
    slug = "calendar-span-too-long"
    title = "The period asked for is too long"


async def load_calendar(session: AsyncSession) -> WorkingCalendar:
    rows = await repository.exceptions(session)
    return WorkingCalendar(
        extra_days_off=[(row.day, row.reason) for row in rows if row.kind == "day_off"],
        extra_working_days=[row.day for row in rows if row.kind == "working_day"],
    )


async def days_off(
    session: AsyncSession, start: dt.date, end: dt.date, *, limit: int, cursor: str | None
) -> Page[DayOut]:
    """Days off and weekend days worked from ``start`` to ``end`` (both included), in date order."""
    if end < start or (end - start).days > MAX_SPAN_DAYS:
        raise SpanTooLong(f"Ask for at most {MAX_SPAN_DAYS} days, from a date to a later one.")
    key = decode_keyset(cursor, as_day)
    after = key[0] if key else None
    calendar = await load_calendar(session)
    out: list[DayOut] = []
    day = start if after is None or after < start else after + dt.timedelta(days=1)
    while day <= end and len(out) <= limit:
        reason = calendar.day_off_reason(day)
        if reason is not None or day in calendar.extra_working_days:
            out.append(
                DayOut(
                    day=day,
                    working=reason is None,
                    reason=reason or "Ngày làm việc bù",
                    recorded=day in calendar.extra_days_off or day in calendar.extra_working_days,
                )
            )
        day += dt.timedelta(days=1)
    shown = out[:limit]
    return Page(
        items=shown, next_cursor=encode_cursor([shown[-1].day.isoformat()]) if len(out) > limit else None
    )


async def add_exception(session: AsyncSession, body: CalendarDayIn, actor: str) -> CalendarDay:
    row = CalendarDay(day=body.day, kind=body.kind, reason=body.reason, created_by=actor)
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        raise DayAlreadyRecorded(f"{body.day} already has an exception recorded.") from None
    return row
