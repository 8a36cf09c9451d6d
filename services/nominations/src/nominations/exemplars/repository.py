"""Every query on exemplars, their history, replications and nominations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.exemplars.models import Exemplar, ExemplarEntry, ExemplarNomination, Replication


async def get(session: AsyncSession, exemplar_id: int) -> Exemplar | None:
    return await session.get(Exemplar, exemplar_id)


async def lock(session: AsyncSession, exemplar_id: int) -> Exemplar | None:
    query = select(Exemplar).where(Exemplar.id == exemplar_id).with_for_update()
    found: Exemplar | None = await session.scalar(query.execution_options(populate_existing=True))
    return found


async def page(
    session: AsyncSession,
    *,
    visible: set[str] | None,
    stage: str | None,
    movement_id: int | None,
    org_unit: str | None,
    limit: int,
    after: int | None,
) -> list[Exemplar]:
    """Newest first, keyset-paged."""
    query = select(Exemplar).order_by(Exemplar.id.desc()).limit(limit + 1)
    if visible is not None:
        query = query.where(Exemplar.org_unit.in_(sorted(visible)))
    if stage is not None:
        query = query.where(Exemplar.stage == stage)
    if movement_id is not None:
        query = query.where(Exemplar.movement_id == movement_id)
    if org_unit is not None:
        query = query.where(Exemplar.org_unit == org_unit)
    if after is not None:
        query = query.where(Exemplar.id < after)
    return list((await session.execute(query)).scalars())


async def of_movement(session: AsyncSession, movement_id: int) -> list[Exemplar]:
    query = select(Exemplar).where(Exemplar.movement_id == movement_id).order_by(Exemplar.id)
    return list((await session.execute(query)).scalars())


async def history(session: AsyncSession, exemplar_id: int) -> list[ExemplarEntry]:
    query = select(ExemplarEntry).where(ExemplarEntry.exemplar_id == exemplar_id).order_by(ExemplarEntry.id)
    return list((await session.execute(query)).scalars())


async def replications(session: AsyncSession, exemplar_ids: list[int]) -> list[Replication]:
    query = (
        select(Replication)
        .where(Replication.exemplar_id.in_(exemplar_ids))
        .order_by(Replication.exemplar_id, Replication.replicated_on, Replication.id)
    )
    return list((await session.execute(query)).scalars())


async def nomination_ids(session: AsyncSession, exemplar_ids: list[int]) -> list[tuple[int, int]]:
    query = (
        select(ExemplarNomination.exemplar_id, ExemplarNomination.nomination_id)
        .where(ExemplarNomination.exemplar_id.in_(exemplar_ids))
        .order_by(ExemplarNomination.nomination_id)
    )
    return [(row[0], row[1]) for row in await session.execute(query)]
