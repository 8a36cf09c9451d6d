"""The queries that build the catalogue snapshot (beyond each domain's own loaders)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from targets.plans.models import Plan, Target
from targets.results.models import Period, PeriodLock


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


async def lock_rows(session: AsyncSession) -> list[tuple[str, dt.date, dt.date, int | None]]:
    rows = await session.execute(
        select(Period.iso, Period.start_date, Period.end_date, PeriodLock.org_unit_id).join(
            Period, Period.id == PeriodLock.period_id
        )
    )
    return [(iso, start, end, unit) for iso, start, end, unit in rows.all()]
