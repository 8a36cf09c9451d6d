"""The change counters: bumped in the transaction that changes what they count (see ChangeCounter)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.database import after_commit
from targets.cache.models import ChangeCounter

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
# Imports check values against the catalogue and must not commit against a catalogue that changed meanwhile
# (a period locked, a unit moved out of a reporter's scope): they hold this lock shared from their check to
# their commit, and a catalogue change takes it exclusively before it commits.
_CATALOGUE_LOCK = text("SELECT pg_advisory_xact_lock(hashtext('targets.catalogue'))")
_CATALOGUE_LOCK_SHARED = text("SELECT pg_advisory_xact_lock_shared(hashtext('targets.catalogue'))")


async def hold_catalogue_steady(session: AsyncSession) -> None:
    """Until this transaction ends, no catalogue change can commit (several holders at once are fine)."""
    await session.execute(_CATALOGUE_LOCK_SHARED)


async def begin_catalogue_change(session: AsyncSession) -> None:
    """Wait for running imports to finish, and keep new ones waiting until this transaction ends.

    Taken by ``bump_catalogue`` in any case; a change that writes rows an import writes too (periods) takes it
    first, so the two cannot wait for each other.
    """
    await session.execute(_CATALOGUE_LOCK)


async def bump_catalogue(session: AsyncSession) -> None:
    await begin_catalogue_change(session)
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
