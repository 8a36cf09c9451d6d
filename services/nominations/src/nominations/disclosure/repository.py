"""Every query on objections."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.disclosure.models import Objection


async def objections_of(
    session: AsyncSession, nomination_id: int, *, limit: int, after_id: int | None
) -> list[Objection]:
    query = (
        select(Objection)
        .where(Objection.nomination_id == nomination_id)
        .order_by(Objection.id)
        .limit(limit + 1)
    )
    if after_id is not None:
        query = query.where(Objection.id > after_id)
    return list((await session.execute(query)).scalars())


async def objection_for_update(
    session: AsyncSession, nomination_id: int, objection_id: int
) -> Objection | None:
    query = (
        select(Objection)
        .where(Objection.id == objection_id, Objection.nomination_id == nomination_id)
        .with_for_update()
    )
    return (await session.execute(query)).scalar_one_or_none()
