"""The transactional outbox: an event is written in the same transaction as the change that caused it.

A relay (see :mod:`shared.relay`) later delivers unpublished rows to the notifications service's intake and
marks them published; a crash between the two repeats the delivery, which the intake ignores by event id. So
an event is never lost (it commits or rolls back with its cause) and never delivered twice to a recipient.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession


def outbox_table(metadata: MetaData) -> Table:
    """The service's outbox (in each service's metadata, created by its migrations)."""
    return Table(
        "outbox",
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        Column("event_type", String(100), nullable=False),
        Column("subject", String(200), nullable=False),  # what the event is about, e.g. nomination/42
        Column("payload", JSONB, nullable=False),
        Column("occurred_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
        Column("published_at", DateTime(timezone=True)),
        Column("attempts", Integer, server_default=text("0"), nullable=False),
        Column("next_attempt_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
        Column("last_error", Text),
        # The relay's query: the oldest due rows not yet published.
        Index("ix_outbox_due", "next_attempt_at", postgresql_where=text("published_at IS NULL")),
    )


async def emit(
    session: AsyncSession,
    table: Table,
    event_type: str,
    subject: str,
    payload: dict[str, Any],
    *,
    occurred_at: dt.datetime | None = None,
) -> uuid.UUID:
    """Add an event to the outbox inside the caller's transaction; its id is the event's identity."""
    event_id = uuid.uuid4()
    values: dict[str, Any] = {
        "id": event_id,
        "event_type": event_type,
        "subject": subject,
        "payload": payload,
    }
    if occurred_at is not None:
        values["occurred_at"] = occurred_at
    await session.execute(insert(table).values(**values))
    return event_id
