"""Every query on the award catalogue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.catalogue.models import (
    AuthoritySuccession,
    AwardType,
    BaseSalary,
    EligibilityRule,
    Quota,
    RegimeChange,
)

CatalogueRow = TypeVar(
    "CatalogueRow", AwardType, EligibilityRule, Quota, BaseSalary, AuthoritySuccession, RegimeChange
)


async def every(session: AsyncSession, model: type[CatalogueRow]) -> list[CatalogueRow]:
    """Every row of a catalogue table (the seed compares them with its data)."""
    return list((await session.execute(select(model))).scalars())


def _in_force(
    model: type[AwardType] | type[EligibilityRule] | type[Quota], day: dt.date
) -> ColumnElement[bool]:
    return and_(model.valid_from <= day, or_(model.valid_to.is_(None), model.valid_to >= day))


async def versions_in_force(
    session: AsyncSession, day: dt.date, *, limit: int, after_code: str | None
) -> list[AwardType]:
    """The versions in force on ``day``, by code, keyset-paged."""
    query = select(AwardType).where(_in_force(AwardType, day)).order_by(AwardType.code).limit(limit + 1)
    if after_code is not None:
        query = query.where(AwardType.code > after_code)
    return list((await session.execute(query)).scalars())


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


async def base_salaries(session: AsyncSession) -> list[BaseSalary]:
    query = select(BaseSalary).order_by(BaseSalary.valid_from)
    return list((await session.execute(query)).scalars())


async def successions(session: AsyncSession) -> list[AuthoritySuccession]:
    query = select(AuthoritySuccession).order_by(AuthoritySuccession.valid_from, AuthoritySuccession.id)
    return list((await session.execute(query)).scalars())


async def delete_rows(session: AsyncSession, rows: Sequence[CatalogueRow]) -> None:
    """The seed's own rows that its data no longer holds."""
    for row in rows:
        await session.delete(row)


async def regime_changes(session: AsyncSession) -> list[RegimeChange]:
    query = select(RegimeChange).order_by(RegimeChange.starts_on)
    return list((await session.execute(query)).scalars())


async def successors_on(session: AsyncSession, authority: str, day: dt.date) -> list[str]:
    query = select(AuthoritySuccession.successor).where(
        AuthoritySuccession.authority == authority, AuthoritySuccession.valid_from <= day
    )
    return list((await session.execute(query)).scalars())
