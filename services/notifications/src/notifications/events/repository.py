"""Queries of events."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert

from notifications.events.models import Event


def insert_new(rows: Sequence[dict[str, Any]]) -> Any:
    """Insert the events not already stored; returns the ids inserted."""
    return insert(Event).values(list(rows)).on_conflict_do_nothing(index_elements=["id"]).returning(Event.id)


def by_ids(ids: Sequence[uuid.UUID]) -> Select[Event]:
    return select(Event).where(Event.id.in_(ids))
