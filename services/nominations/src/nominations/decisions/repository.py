"""Every query on decisions and on the nominations and awards they take."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.decisions.models import Decision
from nominations.dossiers.models import Nomination
from nominations.registry.models import Award
from nominations.rounds.models import Round


async def number_taken(session: AsyncSession, number: str) -> bool:
    return (await session.scalar(select(Decision.id).where(Decision.number == number))) is not None


async def nominations_for_update(session: AsyncSession, ids: Sequence[int]) -> dict[int, Nomination]:
    """Locked in id order, so two decisions over overlapping lists wait for each other, never deadlock."""
    query = select(Nomination).where(Nomination.id.in_(ids)).order_by(Nomination.id).with_for_update()
    return {nomination.id: nomination for nomination in (await session.execute(query)).scalars()}


async def units_of(session: AsyncSession, ids: Sequence[int]) -> list[tuple[int, str, dt.date]]:
    """Each nomination's unit and its round's reference date: what scope is judged on (no lock taken)."""
    query = (
        select(Nomination.id, Nomination.nominating_org_unit, Round.reference_date)
        .join(Round, Round.id == Nomination.round_id)
        .where(Nomination.id.in_(ids))
    )
    return [(row[0], row[1], row[2]) for row in await session.execute(query)]


async def rounds_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Round]:
    query = select(Round).where(Round.id.in_(sorted(set(ids))))
    return {round_.id: round_ for round_ in (await session.execute(query)).scalars()}


async def awards_of(session: AsyncSession, decision_id: int) -> Sequence[Award]:
    query = select(Award).where(Award.decision_id == decision_id).order_by(Award.id)
    return (await session.execute(query)).scalars().all()


def with_totals() -> Select[Any]:
    """Each decision with how many awards it made and their bonus total (by the decision index)."""
    mine = Award.decision_id == Decision.id
    award_count = select(func.count()).where(mine).correlate(Decision).scalar_subquery()
    bonus_total = (
        select(func.coalesce(func.sum(Award.bonus_vnd), 0)).where(mine).correlate(Decision).scalar_subquery()
    )
    return select(Decision, award_count.label("award_count"), bonus_total.label("bonus_total_vnd"))


def page(*, authority: str | None, limit: int, before_id: int | None) -> Select[Any]:
    """Newest first, keyset-paged by id."""
    query = with_totals().order_by(Decision.id.desc()).limit(limit + 1)
    if authority is not None:
        query = query.where(Decision.authority == authority)
    if before_id is not None:
        query = query.where(Decision.id < before_id)
    return query


def one(decision_id: int) -> Select[Any]:
    return with_totals().where(Decision.id == decision_id)
