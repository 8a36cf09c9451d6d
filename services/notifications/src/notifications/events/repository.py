"""Queries of events."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.events.models import Event
from notifications.repository import unnest_insert


async def insert_new(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[uuid.UUID]:
    """Insert the events not already stored (one statement for the whole batch); the ids inserted."""
    if not rows:
        return set()
    statement = unnest_insert(Event, rows).on_conflict_do_nothing(index_elements=["id"]).returning(Event.id)
    return set((await session.scalars(statement)).all())


async def lock(session: AsyncSession, event_id: uuid.UUID) -> Event | None:
    statement = select(Event).where(Event.id == event_id).with_for_update()
    return (await session.scalars(statement)).one_or_none()


async def many(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Event]:
    if not ids:
        return {}
    return {e.id: e for e in (await session.scalars(select(Event).where(Event.id.in_(list(ids))))).all()}


async def pending(session: AsyncSession, received_before: dt.datetime, limit: int) -> list[uuid.UUID]:
    """Events received but not fanned out by then (their job was lost with a worker)."""
    statement = (
        select(Event.id)
        .where(Event.fanned_out_at.is_(None), Event.received_at < received_before)
        .order_by(Event.received_at)
        .limit(limit)
    )
    return list((await session.scalars(statement)).all())
