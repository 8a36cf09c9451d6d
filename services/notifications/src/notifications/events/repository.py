"""Queries of events."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert

from notifications.events.models import Event


def insert_new(rows: Sequence[dict[str, Any]]) -> Any:
    """Insert the events not already stored; returns the ids inserted."""
    return insert(Event).values(list(rows)).on_conflict_do_nothing(index_elements=["id"]).returning(Event.id)


def by_ids(ids: Sequence[uuid.UUID]) -> Select[tuple[Event]]:
    return select(Event).where(Event.id.in_(ids))


def pending(received_before: dt.datetime, limit: int) -> Select[tuple[uuid.UUID]]:
    """Events received but not fanned out by then (their job was lost with a worker)."""
    return (
        select(Event.id)
        .where(Event.fanned_out_at.is_(None), Event.received_at < received_before)
        .order_by(Event.received_at)
        .limit(limit)
    )
