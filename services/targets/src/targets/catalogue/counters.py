"""The change counters: bumped in the transaction that changes what they count (see ChangeCounter)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.database import after_commit
from targets.results.models import ChangeCounter

CATALOGUE_SEQUENCE = "targets.catalogue_version"
DATA_SEQUENCE = "targets.data_version"
CHANNEL = "targets_changes"


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
    await _announce(session)


async def bump_data(session: AsyncSession) -> None:
    await session.execute(update(ChangeCounter).values(data=func.nextval(DATA_SEQUENCE)))
    await _announce(session)


_mark_dirty: Callable[[], None] | None = None


def on_local_commit(callback: Callable[[], None] | None) -> None:
    """Register what to call after this process commits a change (the change feed's ``mark_dirty``)."""
    global _mark_dirty  # noqa: PLW0603 - one feed per process, set by the app's lifespan
    _mark_dirty = callback


BUMPED = "targets.counters_bumped"


def bumped_in(session: AsyncSession) -> bool:
    """Whether this transaction changed the counters (then only the database knows their current values)."""
    return bool(session.info.get(BUMPED))


async def _announce(session: AsyncSession) -> None:
    """Tell every process's change feed, at commit (a rolled-back transaction never notifies)."""
    session.info[BUMPED] = True
    await session.execute(select(func.pg_notify(CHANNEL, "")))
    if _mark_dirty is not None:
        after_commit(session, _mark_dirty)
