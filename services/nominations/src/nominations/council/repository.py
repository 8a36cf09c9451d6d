"""Every query on council sessions, their members, agenda and ballot receipts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, Select, any_, bindparam, cast, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.council.models import OPEN, AgendaItem, BallotReceipt, CouncilMember, CouncilSession


def _ids(name: str, ids: Sequence[int]) -> Any:
    """One array parameter (``= ANY(:ids)``) instead of one parameter per id."""
    return any_(bindparam(name, list(ids), type_=ARRAY(Integer)))


def summaries(round_id: int | None, *, limit: int, after: tuple[dt.date, int] | None) -> Select[Any]:
    member_count = (
        select(func.count())
        .where(CouncilMember.session_id == CouncilSession.id)
        .correlate(CouncilSession)
        .scalar_subquery()
    )
    agenda_size = (
        select(func.count())
        .where(AgendaItem.session_id == CouncilSession.id)
        .correlate(CouncilSession)
        .scalar_subquery()
    )
    query = (
        select(
            CouncilSession.id,
            CouncilSession.round_id,
            CouncilSession.name,
            CouncilSession.held_on,
            CouncilSession.status,
            CouncilSession.quorum,
            CouncilSession.ballots_cast,
            CouncilSession.opened_at,
            CouncilSession.closed_at,
            member_count.label("member_count"),
            agenda_size.label("agenda_size"),
        )
        .order_by(CouncilSession.held_on.desc(), CouncilSession.id.desc())
        .limit(limit + 1)
    )
    if round_id is not None:
        query = query.where(CouncilSession.round_id == round_id)
    if after is not None:
        query = query.where(tuple_(CouncilSession.held_on, CouncilSession.id) < tuple_(*after))
    return query


async def list_summaries(
    session: AsyncSession, round_id: int | None, *, limit: int, after: tuple[dt.date, int] | None
) -> Sequence[Any]:
    rows: Sequence[Any] = (await session.execute(summaries(round_id, limit=limit, after=after))).all()
    return rows


async def get(session: AsyncSession, session_id: int, *, for_update: bool = False) -> CouncilSession | None:
    query = select(CouncilSession).where(CouncilSession.id == session_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def members(session: AsyncSession, session_id: int) -> list[CouncilMember]:
    query = (
        select(CouncilMember).where(CouncilMember.session_id == session_id).order_by(CouncilMember.subject)
    )
    return list((await session.execute(query)).scalars())


async def is_member(session: AsyncSession, session_id: int, subject: str) -> bool:
    query = select(CouncilMember.subject).where(
        CouncilMember.session_id == session_id, CouncilMember.subject == subject
    )
    return (await session.execute(query)).first() is not None


async def voters(session: AsyncSession, session_id: int) -> set[str]:
    query = select(BallotReceipt.member).where(BallotReceipt.session_id == session_id)
    return set((await session.execute(query)).scalars())


async def agenda_items(session: AsyncSession, session_id: int) -> list[AgendaItem]:
    query = select(AgendaItem).where(AgendaItem.session_id == session_id).order_by(AgendaItem.nomination_id)
    return list((await session.execute(query)).scalars())


async def agenda_ids(session: AsyncSession, session_id: int) -> set[int]:
    query = select(AgendaItem.nomination_id).where(AgendaItem.session_id == session_id)
    return set((await session.execute(query)).scalars())


async def on_open_sessions(session: AsyncSession, ids: Sequence[int]) -> dict[int, int]:
    """Nomination id → the open session whose agenda already holds it."""
    query = (
        select(AgendaItem.nomination_id, AgendaItem.session_id)
        .join(CouncilSession, CouncilSession.id == AgendaItem.session_id)
        .where(CouncilSession.status == OPEN, AgendaItem.nomination_id == _ids("nomination_ids", ids))
    )
    return {row.nomination_id: row.session_id for row in (await session.execute(query)).all()}


async def add_members_and_agenda(
    session: AsyncSession, session_id: int, members: Sequence[tuple[str, str]], nomination_ids: Sequence[int]
) -> None:
    """Two multi-row inserts, however long the agenda."""
    await session.execute(
        insert(CouncilMember),
        [{"session_id": session_id, "subject": subject, "name": name} for subject, name in members],
    )
    await session.execute(
        insert(AgendaItem),
        [
            {"session_id": session_id, "nomination_id": nid, "approve": 0, "reject": 0, "abstain": 0}
            for nid in nomination_ids
        ],
    )


async def count_ballot(session: AsyncSession, session_id: int) -> bool:
    """One more ballot on an open session (False if it is closed); locks the session row until commit, so a
    ballot and the closing of its session are counted in one order or the other, never half."""
    query = (
        update(CouncilSession)
        .where(CouncilSession.id == session_id, CouncilSession.status == OPEN)
        .values(ballots_cast=CouncilSession.ballots_cast + 1, version=CouncilSession.version + 1)
        .returning(CouncilSession.id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(query)).first() is not None


async def add_receipt(session: AsyncSession, session_id: int, member: str) -> bool:
    """That ``member`` voted (False if they already had): the session and the member, nothing else."""
    query = (
        insert(BallotReceipt)
        .values(session_id=session_id, member=member)
        .on_conflict_do_nothing()
        .returning(BallotReceipt.member)
    )
    return (await session.execute(query)).first() is not None


async def count_choices(session: AsyncSession, session_id: int, ids: dict[str, Sequence[int]]) -> int:
    """Every agenda item's counters in **one statement of the same shape for every ballot**, so neither the
    order nor the number of statements (nor their timing) says anything about the choices::

        UPDATE agenda_items SET approve = approve + (nomination_id = ANY(:approve))::int,
                                reject = reject + (nomination_id = ANY(:reject))::int, …
        WHERE session_id = :s
    """
    values = {
        getattr(AgendaItem, column): getattr(AgendaItem, column)
        + cast(AgendaItem.nomination_id == _ids(column, ids.get(column, [])), Integer)
        for column in ("approve", "reject", "abstain")
    }
    query = (
        update(AgendaItem)
        .where(AgendaItem.session_id == session_id)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    result: Any = await session.execute(query)
    return int(result.rowcount)


async def set_passed(session: AsyncSession, session_id: int, passed: bool, ids: Sequence[int]) -> None:
    if not ids:
        return
    query = (
        update(AgendaItem)
        .where(AgendaItem.session_id == session_id, AgendaItem.nomination_id == _ids("nomination_ids", ids))
        .values(passed=passed)
        .execution_options(synchronize_session=False)
    )
    await session.execute(query)
