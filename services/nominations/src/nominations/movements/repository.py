"""Every query on movements, their links, milestones, registrations and unit reports."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.movements.models import Milestone, Movement, MovementTarget, Registration, UnitReport


async def by_code(session: AsyncSession, code: str) -> Movement | None:
    found: Movement | None = await session.scalar(select(Movement).where(Movement.code == code))
    return found


async def codes(session: AsyncSession) -> set[str]:
    return set((await session.execute(select(Movement.code))).scalars())


async def page(
    session: AsyncSession, *, area: str | None, plan: str | None, limit: int, after: str | None
) -> list[Movement]:
    """By code, keyset-paged."""
    query = select(Movement).order_by(Movement.code).limit(limit + 1)
    if area is not None:
        query = query.where(Movement.area == area)
    if plan is not None:
        query = query.where(Movement.plan_code == plan)
    if after is not None:
        query = query.where(Movement.code > after)
    return list((await session.execute(query)).scalars())


async def links(session: AsyncSession, movement_ids: Sequence[int]) -> list[MovementTarget]:
    query = (
        select(MovementTarget)
        .where(MovementTarget.movement_id.in_(movement_ids))
        .order_by(MovementTarget.movement_id, MovementTarget.plan, MovementTarget.indicator)
    )
    return list((await session.execute(query)).scalars())


async def replace_links(session: AsyncSession, movement_id: int, rows: Sequence[MovementTarget]) -> None:
    await session.execute(delete(MovementTarget).where(MovementTarget.movement_id == movement_id))
    session.add_all(rows)
    await session.flush()


async def set_target_ids(session: AsyncSession, resolved: Sequence[tuple[MovementTarget, int]]) -> None:
    for link, target_id in resolved:
        await session.execute(
            update(MovementTarget)
            .where(
                MovementTarget.movement_id == link.movement_id,
                MovementTarget.plan == link.plan,
                MovementTarget.indicator == link.indicator,
                MovementTarget.org_unit == link.org_unit,
            )
            .values(target_id=target_id)
        )


async def milestones(session: AsyncSession, movement_ids: Sequence[int]) -> list[Milestone]:
    query = (
        select(Milestone)
        .where(Milestone.movement_id.in_(movement_ids))
        .order_by(Milestone.movement_id, Milestone.review_on)
    )
    return list((await session.execute(query)).scalars())


async def milestone(session: AsyncSession, movement_id: int, kind: str) -> Milestone | None:
    query = select(Milestone).where(Milestone.movement_id == movement_id, Milestone.kind == kind)
    found: Milestone | None = await session.scalar(query.with_for_update())
    return found


async def replace_milestones(session: AsyncSession, movement_id: int, rows: Sequence[Milestone]) -> None:
    await session.execute(delete(Milestone).where(Milestone.movement_id == movement_id))
    session.add_all(rows)
    await session.flush()


async def registered_counts(session: AsyncSession, movement_ids: Sequence[int]) -> dict[int, int]:
    query = (
        select(Registration.movement_id, func.count())
        .where(Registration.movement_id.in_(movement_ids))
        .group_by(Registration.movement_id)
    )
    return {row[0]: row[1] for row in await session.execute(query)}


async def registration(session: AsyncSession, movement_id: int, org_unit: str) -> Registration | None:
    query = select(Registration).where(
        Registration.movement_id == movement_id, Registration.org_unit == org_unit
    )
    found: Registration | None = await session.scalar(query)
    return found


async def registrations(
    session: AsyncSession, movement_id: int, *, limit: int, after: int | None
) -> list[Registration]:
    query = (
        select(Registration)
        .where(Registration.movement_id == movement_id)
        .order_by(Registration.id)
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(Registration.id > after)
    return list((await session.execute(query)).scalars())


async def reports(
    session: AsyncSession,
    movement_id: int,
    *,
    year: int | None,
    limit: int,
    after: int | None,
) -> list[UnitReport]:
    query = (
        select(UnitReport)
        .where(UnitReport.movement_id == movement_id)
        .order_by(UnitReport.id)
        .limit(limit + 1)
    )
    if year is not None:
        query = query.where(UnitReport.year == year)
    if after is not None:
        query = query.where(UnitReport.id > after)
    return list((await session.execute(query)).scalars())


async def codes_by_id(session: AsyncSession, ids: Sequence[int]) -> dict[int, str]:
    query = select(Movement.id, Movement.code).where(Movement.id.in_(ids))
    return {row[0]: row[1] for row in await session.execute(query)}


async def all_reports(session: AsyncSession, movement_id: int, until_year: int) -> list[UnitReport]:
    query = (
        select(UnitReport)
        .where(UnitReport.movement_id == movement_id, UnitReport.year <= until_year)
        .order_by(UnitReport.year, UnitReport.org_unit)
    )
    return list((await session.execute(query)).scalars())
