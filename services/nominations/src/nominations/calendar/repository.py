"""Every query on the working calendar's recorded exceptions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.calendar.models import CalendarDay


async def exceptions(session: AsyncSession) -> list[CalendarDay]:
    return list((await session.execute(select(CalendarDay))).scalars())


async def delete(session: AsyncSession, rows: list[CalendarDay]) -> None:
    for row in rows:
        await session.delete(row)
