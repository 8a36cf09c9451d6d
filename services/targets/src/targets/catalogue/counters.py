"""The change counters: bumped in the transaction that changes what they count (see ChangeCounter)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from targets.results.models import ChangeCounter

CATALOGUE_SEQUENCE = "targets.catalogue_version"
DATA_SEQUENCE = "targets.data_version"


@dataclass(frozen=True, slots=True)
class Counters:
    catalogue: int
    data: int


async def read_counters(session: AsyncSession) -> Counters:
    row = (await session.execute(select(ChangeCounter.catalogue, ChangeCounter.data))).one()
    return Counters(catalogue=row.catalogue, data=row.data)


# Values come from sequences, not "+ 1": a sequence never hands out a number twice, even when the
# transaction that took it rolls back, so a cache built inside a rolled-back transaction can never match a
# counter value that later commits with different data.
async def bump_catalogue(session: AsyncSession) -> None:
    await session.execute(update(ChangeCounter).values(catalogue=func.nextval(CATALOGUE_SEQUENCE)))


async def bump_data(session: AsyncSession) -> None:
    await session.execute(update(ChangeCounter).values(data=func.nextval(DATA_SEQUENCE)))
