"""The working calendar: the holiday library plus the exceptions recorded in the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.calendar import repository
from nominations.calendar.models import CalendarDay
from nominations.calendar.schemas import CalendarDayIn, DayOut, SeededDay
from nominations.calendar.working_days import WorkingCalendar
from shared.pagination import Page, as_day, decode_keyset, encode_cursor
from shared.problems import BadRequest, Conflict

MAX_SPAN_DAYS = 400
# The reason shown for a weekend day the holiday library knows to be worked in exchange (it names none).
WORKED_IN_EXCHANGE = "Ngày làm việc bù"
SEED_ACTOR = "seed"
SATURDAY = 5  # date.weekday()


class DayAlreadyRecorded(Conflict):
    slug = "calendar-day-exists"
    title = "This day already has an exception"


class SpanReversed(BadRequest):
    slug = "calendar-span-reversed"
    title = "The period ends before it starts"


class SpanTooLong(BadRequest):
    slug = "calendar-span-too-long"
    title = "The period asked for is too long"


def _calendar(rows: Iterable[CalendarDay]) -> WorkingCalendar:
    rows = list(rows)
    return WorkingCalendar(
        extra_days_off=[(row.day, row.reason) for row in rows if row.kind == "day_off"],
        extra_working_days=[row.day for row in rows if row.kind == "working_day"],
    )


async def load_calendar(session: AsyncSession) -> WorkingCalendar:
    return _calendar(await repository.exceptions(session))


async def days_off(
    session: AsyncSession, start: dt.date, end: dt.date, *, limit: int, cursor: str | None
) -> Page[DayOut]:
    """Days off, weekend days worked and recorded days from ``start`` to ``end`` (both included), in date
    order; a recorded day (seeded or by the secretariat) carries its reason and the act that decided it."""
    if end < start:
        raise SpanReversed(f"'to' ({end}) is before 'from' ({start}): ask from a date to a later one.")
    if (end - start).days > MAX_SPAN_DAYS:
        raise SpanTooLong(
            f"Ask for at most {MAX_SPAN_DAYS} days; {start}..{end} is {(end - start).days + 1}."
        )
    key = decode_keyset(cursor, as_day)
    after = key[0] if key else None
    recorded = {row.day: row for row in await repository.exceptions(session)}
    calendar = _calendar(recorded.values())
    out: list[DayOut] = []
    day = start if after is None or after < start else after + dt.timedelta(days=1)
    while day <= end and len(out) <= limit:
        row = recorded.get(day)
        reason = calendar.day_off_reason(day)
        if row is not None or reason is not None or day.weekday() >= SATURDAY:
            out.append(
                DayOut(
                    day=day,
                    working=reason is None,
                    reason=row.reason if row else reason or WORKED_IN_EXCHANGE,
                    recorded=row is not None,
                    source=row.source if row else None,
                )
            )
        day += dt.timedelta(days=1)
    shown = out[:limit]
    return Page(
        items=shown, next_cursor=encode_cursor([shown[-1].day.isoformat()]) if len(out) > limit else None
    )


async def add_exception(session: AsyncSession, body: CalendarDayIn, actor: str) -> CalendarDay:
    row = CalendarDay(day=body.day, kind=body.kind, reason=body.reason, source=body.source, created_by=actor)
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        raise DayAlreadyRecorded(f"{body.day} already has an exception recorded.") from None
    return row


async def record_seeded_days(session: AsyncSession, days: Iterable[SeededDay]) -> int:
    """Keep the seed's own days equal to its data, as the catalogue's seed does: a day not recorded yet is
    added, one the seed recorded is corrected (its kind, reason, source) or removed when the data no longer
    holds it; a day the secretariat recorded is left as it is. Matched by day, so loading twice changes
    nothing. Returns how many rows were added, corrected or removed."""
    rows = {row.day: row for row in await repository.exceptions(session)}
    wanted = {day.day: day for day in days}
    changed = 0
    for day in wanted.values():
        row = rows.get(day.day)
        if row is None:
            session.add(
                CalendarDay(
                    day=day.day, kind=day.kind, reason=day.reason, source=day.source, created_by=SEED_ACTOR
                )
            )
            changed += 1
        elif row.created_by == SEED_ACTOR and (row.kind, row.reason, row.source) != (
            day.kind,
            day.reason,
            day.source,
        ):
            row.kind, row.reason, row.source = day.kind, day.reason, day.source
            changed += 1
    gone = [row for day, row in rows.items() if row.created_by == SEED_ACTOR and day not in wanted]
    await repository.delete(session, gone)
    await session.flush()
    return changed + len(gone)
