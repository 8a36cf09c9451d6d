"""The caller's inbox: newest first, read or unread; only the person it was written for ever sees an item."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from notifications.inbox import repository
from notifications.inbox.models import InboxItem
from notifications.inbox.schemas import InboxItemOut, MarkedRead, UnreadCount
from shared import clock
from shared.pagination import Page, decode_int_cursor, encode_cursor
from shared.problems import NotFound


class InboxItemNotFound(NotFound):
    slug = "inbox-item-not-found"
    title = "No such item in your inbox"


async def add(session: AsyncSession, items: Sequence[dict[str, Any]]) -> int:
    """Write the fan-out's items: one per event and person, whatever runs the fan-out again."""
    return await repository.add(session, items)


def to_out(item: InboxItem) -> InboxItemOut:
    return InboxItemOut(
        id=item.id,
        event_type=item.event_type,
        subject=item.subject,
        title=item.title,
        body=item.body,
        occurred_at=item.occurred_at,
        read_at=item.read_at,
    )


async def list_items(
    session: AsyncSession,
    sub: str,
    *,
    unread: bool | None,
    event_type: str | None,
    limit: int,
    cursor: str | None,
) -> Page[InboxItemOut]:
    rows = await repository.page(
        session,
        sub,
        unread=unread,
        event_type=event_type,
        limit=limit,
        before=decode_int_cursor(cursor, 2**63 - 1),
    )
    shown = rows[:limit]
    return Page(
        items=[to_out(item) for item in shown],
        next_cursor=encode_cursor(shown[-1].id) if len(rows) > limit else None,
    )


async def mark_read(session: AsyncSession, sub: str, item_id: int) -> InboxItemOut:
    """Mark one item read (again is harmless: it keeps the first time). Someone else's item is a 404."""
    item = await repository.get(session, sub, item_id)
    if item is None:
        raise InboxItemNotFound(f"Your inbox has no item {item_id}.")
    if item.read_at is None:
        item.read_at = clock.now()
        await session.flush()
    return to_out(item)


async def mark_all_read(session: AsyncSession, sub: str) -> MarkedRead:
    return MarkedRead(marked=await repository.mark_all_read(session, sub, clock.now()))


async def unread_count(session: AsyncSession, sub: str) -> UnreadCount:
    return UnreadCount(unread=await repository.unread(session, sub))
