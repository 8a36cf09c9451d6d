"""Every query on plans and targets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Select, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from targets.plans.models import Plan, Target


async def get_plan(session: AsyncSession, code: str) -> Plan | None:
    return (await session.execute(select(Plan).where(Plan.code == code))).scalar_one_or_none()


async def plans_page(session: AsyncSession, *, limit: int, after: tuple[dt.date, str] | None) -> list[Plan]:
    """By start date, then code, keyset-paged."""
    query = select(Plan).order_by(Plan.start_date, Plan.code).limit(limit + 1)
    if after is not None:
        query = query.where(tuple_(Plan.start_date, Plan.code) > tuple_(*after))
    return list((await session.execute(query)).scalars())


async def targets_for(
    session: AsyncSession, plan_id: int, org_unit_ids: Sequence[int] | None
) -> list[Target]:
    query = select(Target).where(Target.plan_id == plan_id).order_by(Target.id)
    if org_unit_ids is not None:
        query = query.where(Target.org_unit_id.in_(org_unit_ids))
    return list((await session.execute(query)).scalars())


def targets_query(
    *, plan_id: int | None, indicator_id: int | None, org_unit_id: int | None, after: int | None, limit: int
) -> Select[Target]:
    query = select(Target).order_by(Target.id).limit(limit)
    if plan_id is not None:
        query = query.where(Target.plan_id == plan_id)
    if indicator_id is not None:
        query = query.where(Target.indicator_id == indicator_id)
    if org_unit_id is not None:
        query = query.where(Target.org_unit_id == org_unit_id)
    if after is not None:
        query = query.where(Target.id > after)
    return query


async def get_target(session: AsyncSession, target_id: int) -> Target | None:
    return await session.get(Target, target_id)


async def plans_with_main_org_unit(session: AsyncSession) -> list[tuple[Plan, int | None]]:
    """Each plan with the org unit of its first target (the unit the plan is about)."""
    first_target_unit = (
        select(Target.org_unit_id)
        .where(Target.plan_id == Plan.id)
        .order_by(Target.id)
        .limit(1)
        .scalar_subquery()
    )
    rows = await session.execute(select(Plan, first_target_unit))
    return [(plan, unit) for plan, unit in rows.all()]


def units_with_targets(plan_ids: Sequence[int], indicator_ids: Sequence[int]) -> Select[int, int]:
    """(indicator id, org unit id) of the targets of these plans for these indicators, each pair once."""
    return (
        select(Target.indicator_id, Target.org_unit_id)
        .where(Target.plan_id.in_(plan_ids), Target.indicator_id.in_(indicator_ids))
        .distinct()
    )
