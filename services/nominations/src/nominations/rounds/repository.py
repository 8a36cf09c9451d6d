"""Every query on award rounds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Select, literal, select, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.rounds.models import Round


async def get(session: AsyncSession, round_id: int) -> Round | None:
    return await session.get(Round, round_id)


async def page(
    session: AsyncSession, *, year: int | None, limit: int, after: tuple[dt.date, int] | None
) -> list[Round]:
    """Newest first (by opening day, then id), keyset-paged."""
    query = select(Round).order_by(Round.opens_on.desc(), Round.id.desc()).limit(limit + 1)
    if year is not None:
        query = query.where(Round.year == year)
    if after is not None:
        query = query.where(tuple_(Round.opens_on, Round.id) < tuple_(*after))
    return list((await session.execute(query)).scalars())


async def by_ids(session: AsyncSession, ids: Iterable[int]) -> list[Round]:
    query = select(Round).where(Round.id.in_(sorted(set(ids))))
    return list((await session.execute(query)).scalars())


DEADLINES = ("submission", "screening", "council", "decision")


def deadlines_between(
    start: dt.date, end: dt.date, *, after: tuple[dt.date, int, str] | None, limit: int
) -> Select[dt.date, int, str, str]:
    """(due on, round id, deadline, round name) of every round deadline from ``start`` to
    ``end`` (both included), by day, round and deadline, keyset-paged."""
    each = [
        select(
            getattr(Round, f"{name}_deadline").label("due_on"),
            Round.id.label("round_id"),
            literal(name).label("deadline"),
            Round.name.label("name"),
        )
        for name in DEADLINES
    ]
    deadlines = union_all(*each).subquery()
    query = (
        select(deadlines.c.due_on, deadlines.c.round_id, deadlines.c.deadline, deadlines.c.name)
        .where(deadlines.c.due_on.between(start, end))
        .order_by(deadlines.c.due_on, deadlines.c.round_id, deadlines.c.deadline)
        .limit(limit)
    )
    if after is not None:
        query = query.where(
            tuple_(deadlines.c.due_on, deadlines.c.round_id, deadlines.c.deadline) > tuple_(*after)
        )
    return query


async def ids_of_year(session: AsyncSession, year: int) -> list[int]:
    return list((await session.execute(select(Round.id).where(Round.year == year))).scalars())


async def of_movement(session: AsyncSession, movement_code: str, until: dt.date) -> list[Round]:
    query = (
        select(Round)
        .where(Round.movement_code == movement_code, Round.reference_date <= until)
        .order_by(Round.reference_date, Round.id)
    )
    return list((await session.execute(query)).scalars())
