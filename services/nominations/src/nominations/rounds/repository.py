"""Every query on award rounds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select, tuple_
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
