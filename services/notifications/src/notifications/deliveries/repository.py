"""Queries of deliveries, their attempts and the digest's entries."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.deliveries.models import Delivery, DeliveryAttempt, DeliveryStatus, DigestEntry
from notifications.repository import unnest_insert

CHUNK = 5000


async def add(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[tuple[uuid.UUID, str, str]]:
    """Insert the deliveries not already made (unique on event, recipient and channel): (id, channel,
    recipient) of those that are new."""
    made: list[tuple[uuid.UUID, str, str]] = []
    for start in range(0, len(rows), CHUNK):
        statement = (
            unnest_insert(Delivery, rows[start : start + CHUNK])
            .on_conflict_do_nothing(index_elements=["event_id", "recipient", "channel"])
            .returning(Delivery.id, Delivery.channel, Delivery.recipient)
        )
        made.extend((row.id, row.channel, row.recipient) for row in (await session.execute(statement)).all())
    return made


async def add_digest_entries(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(
            unnest_insert(DigestEntry, rows).on_conflict_do_nothing(index_elements=["sub", "event_id"])
        )


async def claim(
    session: AsyncSession, ids: Sequence[uuid.UUID], *, lease_until: dt.datetime, now: dt.datetime
) -> list[Delivery]:
    """Take the deliveries that wait to be sent: ``sending`` with a lease, one more attempt counted. A
    delivery another worker holds, or already sent, is not taken."""
    statement = (
        update(Delivery)
        .where(
            Delivery.id.in_(list(ids)),
            Delivery.status.in_([DeliveryStatus.QUEUED.value, DeliveryStatus.RETRYING.value]),
        )
        .values(
            status=DeliveryStatus.SENDING.value,
            attempts=Delivery.attempts + 1,
            lease_until=lease_until,
            updated_at=now,
        )
        .returning(Delivery)
    )
    rows = list((await session.scalars(statement)).all())
    order = {delivery_id: index for index, delivery_id in enumerate(ids)}
    return sorted(rows, key=lambda delivery: order.get(delivery.id, 0))


async def postpone(
    session: AsyncSession, ids: Sequence[uuid.UUID], *, at: dt.datetime, reason: str, now: dt.datetime
) -> list[uuid.UUID]:
    """Move the waiting ones of ``ids`` to ``at`` without an attempt (those another worker holds or has
    sent are left alone): the ids postponed."""
    statement = (
        update(Delivery)
        .where(
            Delivery.id.in_(list(ids)),
            Delivery.status.in_([DeliveryStatus.QUEUED.value, DeliveryStatus.RETRYING.value]),
        )
        .values(status=DeliveryStatus.RETRYING.value, next_attempt_at=at, last_error=reason, updated_at=now)
        .returning(Delivery.id)
    )
    return list((await session.scalars(statement)).all())


# One statement records a group's outcomes: each delivery still ``sending`` with the attempt count its
# claim gave it takes its new state, and its attempt is written with the next number (the row lock the
# UPDATE takes keeps two recorders of one delivery apart; the second finds the count changed, or the status).
_RECORD = text(
    """
    WITH outcome AS (
        SELECT * FROM unnest(
            CAST(:ids AS uuid[]), CAST(:attempts AS int[]), CAST(:statuses AS text[]),
            CAST(:errors AS text[]), CAST(:next_at AS timestamptz[]), CAST(:started AS timestamptz[]),
            CAST(:response AS int[])
        ) AS o(id, attempts, status, error, next_at, started_at, response_status)
    ),
    updated AS (
        UPDATE notifications.deliveries AS d
           SET status = o.status,
               last_error = CASE WHEN o.status = 'sent' THEN d.last_error ELSE o.error END,
               next_attempt_at = o.next_at,
               sent_at = CASE WHEN o.status = 'sent' THEN CAST(:now AS timestamptz) ELSE d.sent_at END,
               lease_until = NULL,
               updated_at = CAST(:now AS timestamptz)
          FROM outcome AS o
         WHERE d.id = o.id AND d.status = 'sending' AND d.attempts = o.attempts
        RETURNING d.id
    )
    INSERT INTO notifications.delivery_attempts
        (delivery_id, number, started_at, finished_at, succeeded, error, response_status)
    SELECT o.id,
           coalesce((SELECT max(a.number) FROM notifications.delivery_attempts AS a
                      WHERE a.delivery_id = o.id), 0) + 1,
           o.started_at, CAST(:now AS timestamptz), o.status = 'sent', o.error, o.response_status
      FROM outcome AS o JOIN updated AS u ON u.id = o.id
    RETURNING delivery_id
    """
)


async def record(
    session: AsyncSession, outcomes: Sequence[dict[str, Any]], *, now: dt.datetime
) -> set[uuid.UUID]:
    """Record the attempts of ``outcomes`` (``id``, ``attempts`` as claimed, new ``status``, ``error``,
    ``next_at``, ``started_at``, ``response_status``) and the deliveries' new states, in one statement: the
    ids recorded (an outcome whose lease was handed on since its claim is not)."""
    if not outcomes:
        return set()
    result = await session.execute(
        _RECORD,
        {
            "ids": [o["id"] for o in outcomes],
            "attempts": [o["attempts"] for o in outcomes],
            "statuses": [o["status"] for o in outcomes],
            "errors": [o["error"] for o in outcomes],
            "next_at": [o["next_at"] for o in outcomes],
            "started": [o["started_at"] for o in outcomes],
            "response": [o["response_status"] for o in outcomes],
            "now": now,
        },
    )
    return {row[0] for row in result.all()}


async def get(session: AsyncSession, delivery_id: uuid.UUID, *, for_update: bool = False) -> Delivery | None:
    statement = select(Delivery).where(Delivery.id == delivery_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.scalars(statement)).one_or_none()


async def attempts_of(session: AsyncSession, delivery_id: uuid.UUID) -> list[DeliveryAttempt]:
    statement = (
        select(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id == delivery_id)
        .order_by(DeliveryAttempt.number)
    )
    return list((await session.scalars(statement)).all())


async def expired_leases(session: AsyncSession, now: dt.datetime, limit: int) -> list[Delivery]:
    statement = (
        select(Delivery)
        .where(Delivery.status == DeliveryStatus.SENDING.value, Delivery.lease_until < now)
        .order_by(Delivery.lease_until)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.scalars(statement)).all())


async def overdue(
    session: AsyncSession, due_before: dt.datetime, limit: int
) -> list[tuple[uuid.UUID, str, str]]:
    """Deliveries waiting well past their time, as (id, channel, recipient): their job was lost (a worker
    killed between two commits)."""
    statement = (
        select(Delivery.id, Delivery.channel, Delivery.recipient)
        .where(
            Delivery.status.in_([DeliveryStatus.QUEUED.value, DeliveryStatus.RETRYING.value]),
            Delivery.channel != "inbox",
            Delivery.next_attempt_at < due_before,
        )
        .order_by(Delivery.next_attempt_at)
        .limit(limit)
    )
    return [(row.id, row.channel, row.recipient) for row in (await session.execute(statement)).all()]


async def page(
    session: AsyncSession,
    *,
    status: str | None,
    channel: str | None,
    event_type: str | None,
    recipient: str | None,
    event_id: uuid.UUID | None,
    limit: int,
    after: tuple[dt.datetime, uuid.UUID] | None,
) -> list[Delivery]:
    statement = select(Delivery).order_by(Delivery.created_at.desc(), Delivery.id.desc()).limit(limit + 1)
    for column, value in (
        (Delivery.status, status),
        (Delivery.channel, channel),
        (Delivery.event_type, event_type),
        (Delivery.recipient, recipient),
        (Delivery.event_id, event_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if after is not None:
        created_at, delivery_id = after
        statement = statement.where(
            (Delivery.created_at < created_at)
            | ((Delivery.created_at == created_at) & (Delivery.id < delivery_id))
        )
    return list((await session.scalars(statement)).all())


async def pending_digest(session: AsyncSession, day: dt.date, limit: int) -> list[DigestEntry]:
    statement = (
        select(DigestEntry)
        .where(DigestEntry.digest_id.is_(None), DigestEntry.day <= day)
        .order_by(DigestEntry.sub, DigestEntry.day)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.scalars(statement)).all())
