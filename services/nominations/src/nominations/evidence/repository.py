"""Every query on evidence snapshots."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.evidence.models import EvidenceSnapshot


async def of_nomination(
    session: AsyncSession, nomination_id: int, *, limit: int, after_id: int | None
) -> list[EvidenceSnapshot]:
    query = (
        select(EvidenceSnapshot)
        .where(EvidenceSnapshot.nomination_id == nomination_id)
        .order_by(EvidenceSnapshot.id)
        .limit(limit + 1)
    )
    if after_id is not None:
        query = query.where(EvidenceSnapshot.id > after_id)
    return list((await session.execute(query)).scalars())


async def get(session: AsyncSession, snapshot_id: int) -> EvidenceSnapshot | None:
    return await session.get(EvidenceSnapshot, snapshot_id)
