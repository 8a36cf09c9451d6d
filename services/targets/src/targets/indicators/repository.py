"""Every query on indicators."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from targets.indicators.models import Indicator


def ordered() -> Select[Indicator]:
    return select(Indicator).order_by(Indicator.code)


async def all_indicators(session: AsyncSession) -> list[Indicator]:
    return list((await session.execute(ordered())).scalars())


async def get_by_code(session: AsyncSession, code: str) -> Indicator | None:
    return (await session.execute(select(Indicator).where(Indicator.code == code))).scalar_one_or_none()


async def get_by_codes(session: AsyncSession, codes: list[str]) -> dict[str, Indicator]:
    rows = (await session.execute(select(Indicator).where(Indicator.code.in_(codes)))).scalars()
    return {indicator.code: indicator for indicator in rows}


async def get_by_id(session: AsyncSession, indicator_id: int) -> Indicator | None:
    return await session.get(Indicator, indicator_id)
