"""The transactional outbox: an event is written in the same transaction as the change that caused it.

A relay (:mod:`shared.relay`) delivers unpublished rows to the notifications service's intake
(``POST /internal/v1/events``, idempotent on the event id) and marks them published; ``next_attempt_at``,
``attempts`` and ``last_error`` are its bookkeeping. An event commits or rolls back with its cause, so it is
never lost nor invented. Each row carries its type's contract version (docs/events.md): a producer that
changes what an event holds writes a new version, and intake validates each version against its own schema.

An insert into the outbox wakes the relays: a statement trigger (:func:`notify_trigger_sql`, created by each
service's migrations) sends ``NOTIFY <schema>_outbox``, which PostgreSQL delivers at commit, once per
transaction, and never for a rollback.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    SmallInteger,
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
        Column("version", SmallInteger, server_default=text("1"), nullable=False),  # of the type's contract
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


def notify_channel(schema: str) -> str:
    """The channel a service's outbox notifies (and its relays listen on): ``nominations_outbox``."""
    return f"{schema}_outbox"


@dataclass(frozen=True, slots=True)
class TriggerSql:
    create: tuple[str, ...]
    drop: tuple[str, ...]


def notify_trigger_sql(schema: str) -> TriggerSql:
    """The statements that create (and drop) the trigger waking the relays after each insert into
    ``<schema>.outbox``: ``FOR EACH STATEMENT``, so a batch of events is one notification, with an empty
    payload (the relay reads the rows themselves, in order, with its own locks)."""
    if not schema.isidentifier() or not schema.islower():
        raise ValueError(f"not a plain schema name: {schema!r}")
    channel = notify_channel(schema)
    function = f"{schema}.outbox_notify"
    return TriggerSql(
        create=(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN PERFORM pg_notify('{channel}', ''); RETURN NULL; END $$",
            f"CREATE TRIGGER outbox_notify AFTER INSERT ON {schema}.outbox"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ),
        drop=(
            f"DROP TRIGGER IF EXISTS outbox_notify ON {schema}.outbox",
            f"DROP FUNCTION IF EXISTS {function}()",
        ),
    )


@dataclass(frozen=True, slots=True)
class Event:
    event_type: str
    subject: str  # what the event is about, e.g. nomination/42
    payload: dict[str, Any]  # the event's data (docs/events.md), JSON-ready: dates as ISO strings
    version: int = 1  # of the event type's contract


async def emit_many(
    session: AsyncSession, table: Table, events: Sequence[Event], *, occurred_at: dt.datetime | None = None
) -> list[uuid.UUID]:
    """Add events to the outbox inside the caller's transaction, in one statement; their ids."""
    if not events:
        return []
    rows: list[dict[str, Any]] = [
        {
            "id": uuid.uuid4(),
            "event_type": e.event_type,
            "version": e.version,
            "subject": e.subject,
            "payload": e.payload,
        }
        for e in events
    ]
    if occurred_at is not None:
        for row in rows:
            row["occurred_at"] = occurred_at
    await session.execute(insert(table).values(rows))
    return [row["id"] for row in rows]
