"""Every query on the award catalogue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.catalogue.models import AwardType, BaseSalary, EligibilityRule, Quota


def _in_force(
    model: type[AwardType] | type[EligibilityRule] | type[Quota], day: dt.date
) -> ColumnElement[bool]:
    return and_(model.valid_from <= day, or_(model.valid_to.is_(None), model.valid_to >= day))


def versions_in_force(day: dt.date) -> Select[AwardType]:
    return select(AwardType).where(_in_force(AwardType, day)).order_by(AwardType.code)


async def version_in_force(session: AsyncSession, code: str, day: dt.date) -> AwardType | None:
    query = select(AwardType).where(AwardType.code == code, _in_force(AwardType, day))
    return (await session.execute(query)).scalar_one_or_none()


async def all_versions(session: AsyncSession, code: str) -> list[AwardType]:
    query = select(AwardType).where(AwardType.code == code).order_by(AwardType.valid_from)
    return list((await session.execute(query)).scalars())


async def rules_in_force(session: AsyncSession, codes: Sequence[str], day: dt.date) -> list[EligibilityRule]:
    query = (
        select(EligibilityRule)
        .where(EligibilityRule.award_type_code.in_(codes), _in_force(EligibilityRule, day))
        .order_by(EligibilityRule.award_type_code, EligibilityRule.id)
    )
    return list((await session.execute(query)).scalars())


async def quotas_in_force(session: AsyncSession, codes: Sequence[str], day: dt.date) -> list[Quota]:
    query = select(Quota).where(Quota.award_type_code.in_(codes), _in_force(Quota, day)).order_by(Quota.id)
    return list((await session.execute(query)).scalars())


async def base_salary_on(session: AsyncSession, day: dt.date) -> BaseSalary | None:
    query = select(BaseSalary).where(
        BaseSalary.valid_from <= day, or_(BaseSalary.valid_to.is_(None), BaseSalary.valid_to >= day)
    )
    return (await session.execute(query)).scalar_one_or_none()
