"""Queries of the inbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.inbox.models import InboxItem
from notifications.repository import unnest_insert

CHUNK = 5000


async def add(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Insert the items not already there (one per event and person); how many were new."""
    added = 0
    for start in range(0, len(rows), CHUNK):
        result = await session.execute(
            unnest_insert(InboxItem, rows[start : start + CHUNK]).on_conflict_do_nothing(
                index_elements=["event_id", "recipient"]
            )
        )
        added += int(getattr(result, "rowcount", 0) or 0)
    return added


async def page(
    session: AsyncSession,
    recipient: str,
    *,
    unread: bool | None,
    event_type: str | None,
    limit: int,
    before: int | None,
) -> list[InboxItem]:
    statement = (
        select(InboxItem)
        .where(InboxItem.recipient == recipient)
        .order_by(InboxItem.id.desc())
        .limit(limit + 1)
    )
    if unread is True:
        statement = statement.where(InboxItem.read_at.is_(None))
    elif unread is False:
        statement = statement.where(InboxItem.read_at.is_not(None))
    if event_type is not None:
        statement = statement.where(InboxItem.event_type == event_type)
    if before is not None:
        statement = statement.where(InboxItem.id < before)
    return list((await session.scalars(statement)).all())


async def get(session: AsyncSession, recipient: str, item_id: int) -> InboxItem | None:
    statement = select(InboxItem).where(InboxItem.id == item_id, InboxItem.recipient == recipient)
    return (await session.scalars(statement)).one_or_none()


async def unread(session: AsyncSession, recipient: str) -> int:
    statement = select(func.count()).where(InboxItem.recipient == recipient, InboxItem.read_at.is_(None))
    return int(await session.scalar(statement) or 0)


async def mark_all_read(session: AsyncSession, recipient: str, at: dt.datetime) -> int:
    result = await session.execute(
        update(InboxItem)
        .where(InboxItem.recipient == recipient, InboxItem.read_at.is_(None))
        .values(read_at=at)
    )
    return int(getattr(result, "rowcount", 0) or 0)
