"""Every query on decisions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.decisions.models import Decision


async def number_taken(session: AsyncSession, number: str) -> bool:
    return (await session.scalar(select(Decision.id).where(Decision.number == number))) is not None


async def get(session: AsyncSession, decision_id: int) -> Decision | None:
    return await session.get(Decision, decision_id)


async def page(
    session: AsyncSession, *, authority: str | None, limit: int, before_id: int | None
) -> list[Decision]:
    """Newest first, keyset-paged by id."""
    query = select(Decision).order_by(Decision.id.desc()).limit(limit + 1)
    if authority is not None:
        query = query.where(Decision.authority == authority)
    if before_id is not None:
        query = query.where(Decision.id < before_id)
    return list((await session.execute(query)).scalars())
