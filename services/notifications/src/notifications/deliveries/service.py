"""Fan-out and delivery: one delivery per event, recipient and channel; each sent, retried or dead.

The fan-out runs once per event, in one transaction: it writes the inbox items (the inbox needs no sending:
an item is delivered when it is written), the email and webhook deliveries with their rendered messages, the
digest's entries, and the jobs that will send them. A delivery is taken by one worker at a time (``sending``
with a lease), sent, and recorded; a worker that dies between the two leaves a lease that expires, and the
message is sent again with the same identity (the delivery's id is its ``Message-ID`` and ``webhook-id``), so
a receiver can tell it has it already.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from notifications.channels import SendFailed
from notifications.deliveries import repository
from notifications.deliveries.messages import Composer
from notifications.deliveries.models import Channel, Delivery, DeliveryStatus
from notifications.deliveries.policy import RetryPolicy
from notifications.deliveries.schemas import AttemptOut, DeliveryDetail, DeliveryOut
from notifications.events import service as events
from notifications.events.models import Event
from notifications.inbox import service as inbox
from notifications.routing import service as routing
from notifications.webhooks import service as webhooks
from notifications.worker import queue
from shared import clock
from shared.pagination import Page, as_moment, as_uuid, decode_keyset, encode_cursor
from shared.problems import Conflict, NotFound

logger = logging.getLogger(__name__)

# Emails to send in one job; webhooks go one endpoint per job, so a receiver that
# hangs holds up its own deliveries only.
EMAIL_BATCH = 50
WEBHOOK_BATCH = 50


class DeliveryNotFound(NotFound):
    slug = "delivery-not-found"
    title = "No such delivery"


class NotDead(Conflict):
    slug = "delivery-not-dead"
    title = "Only a dead delivery can be re-driven"


@dataclass(frozen=True, slots=True)
class FanOut:
    inbox: int
    deliveries: int
    digest: int


def envelope(event: Event) -> str:
    """A webhook's body: the event as received, the same bytes on every attempt."""
    return json.dumps(
        {
            "id": str(event.id),
            "type": event.type,
            "version": event.version,
            "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(),
            "subject": event.subject,
            "producer": event.producer,
            "data": event.data,
        },
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )


def _chunks(ids: Sequence[uuid.UUID], size: int) -> list[list[str]]:
    return [[str(i) for i in ids[start : start + size]] for start in range(0, len(ids), size)]


def _jobs(deliveries: Sequence[tuple[uuid.UUID, str, str]]) -> list[dict[str, Any]]:
    """The deliver jobs of (id, channel, recipient): emails in batches, each endpoint's webhooks in jobs of
    their own (so an endpoint that hangs holds up no other endpoint's deliveries, nor any email)."""
    emails = [delivery_id for delivery_id, channel, _ in deliveries if channel == Channel.EMAIL]
    jobs: list[dict[str, Any]] = [{"delivery_ids": ids} for ids in _chunks(emails, EMAIL_BATCH)]
    by_endpoint: dict[str, list[uuid.UUID]] = {}
    for delivery_id, channel, recipient in deliveries:
        if channel == Channel.WEBHOOK:
            by_endpoint.setdefault(recipient, []).append(delivery_id)
    for ids in by_endpoint.values():
        jobs.extend({"delivery_ids": chunk} for chunk in _chunks(ids, WEBHOOK_BATCH))
    return jobs


async def fan_out(session: AsyncSession, event_id: uuid.UUID, *, app_url: str) -> FanOut | None:
    """Make every delivery of the event (once: a second run finds it fanned out and does nothing)."""
    made = await _fan_out(session, event_id, app_url=app_url)
    if made is None:
        return None
    await queue.defer(session, queue.DELIVER, _jobs(made[1]))
    return made[0]


async def fan_out_all(
    session: AsyncSession, event_ids: Sequence[uuid.UUID], *, app_url: str
) -> tuple[dict[uuid.UUID, FanOut | None], dict[uuid.UUID, Exception]]:
    """Fan out several events in one transaction, each in a savepoint of its own (one that fails is rolled
    back alone: its error is returned, the others go on), and defer their deliver jobs together, so that
    an endpoint the events share gets jobs of several events' webhooks, not one job per event."""
    done: dict[uuid.UUID, FanOut | None] = {}
    failed: dict[uuid.UUID, Exception] = {}
    deliveries: list[tuple[uuid.UUID, str, str]] = []
    for event_id in event_ids:
        try:
            async with session.begin_nested():
                made = await _fan_out(session, event_id, app_url=app_url)
        except Exception as exc:
            failed[event_id] = exc
            continue
        done[event_id] = None if made is None else made[0]
        if made is not None:
            deliveries.extend(made[1])
    await queue.defer(session, queue.DELIVER, _jobs(deliveries))
    return done, failed


async def _fan_out(
    session: AsyncSession, event_id: uuid.UUID, *, app_url: str
) -> tuple[FanOut, list[tuple[uuid.UUID, str, str]]] | None:
    event = await events.lock(session, event_id)
    if event is None or event.fanned_out_at is not None:
        return None
    reach = await routing.reach(session, event)
    composer = Composer(session, event, app_url)
    now, wall = clock.now(), clock.wall_now()
    rows: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for (sub, channel), person in reach.people.items():
        message = await composer.compose(channel, sub, person.display_name, person.language)
        if channel == Channel.INBOX:
            title, body = (
                (message.subject, message.text)
                if not isinstance(message, str)
                else (event.type, event.subject)
            )
            items.append(
                {
                    "event_id": event.id,
                    "event_type": event.type,
                    "recipient": sub,
                    "subject": event.subject,
                    "title": title,
                    "body": body,
                    "occurred_at": event.occurred_at,
                }
            )
        rows.append(_delivery(event, sub, channel, person, message, now, wall))
    for endpoint_id in reach.webhooks:
        rows.append(
            {
                "id": uuid.uuid4(),
                "event_id": event.id,
                "event_type": event.type,
                "recipient": f"webhook:{endpoint_id}",
                "channel": Channel.WEBHOOK.value,
                "address": None,
                "status": DeliveryStatus.QUEUED.value,
                # Every row names the same columns: one multi-row INSERT takes them all.
                "template_version_id": None,
                "message": {"body": envelope(event)},
                "attempts": 0,
                "next_attempt_at": wall,
                "last_error": None,
                "created_at": now,
                "updated_at": now,
                "sent_at": None,
            }
        )
    made = await repository.add(session, rows)
    await inbox.add(session, items)
    await repository.add_digest_entries(
        session,
        [{"sub": person.sub, "event_id": event.id, "day": clock.local_date(now)} for person in reach.digest],
    )
    event.fanned_out_at = now
    event.recipients = len(rows)
    await session.flush()
    return FanOut(inbox=len(items), deliveries=len(rows), digest=len(reach.digest)), made


def _delivery(
    event: Event,
    sub: str,
    channel: str,
    person: routing.Person,
    message: Any,
    now: dt.datetime,
    wall: dt.datetime,
) -> dict[str, Any]:
    name, language = person.display_name, person.language
    failed = isinstance(message, str)
    inbox_item = channel == Channel.INBOX
    status = DeliveryStatus.SENT if inbox_item and not failed else DeliveryStatus.QUEUED
    if failed:
        status = DeliveryStatus.DEAD
    return {
        "id": uuid.uuid4(),
        "event_id": event.id,
        "event_type": event.type,
        "recipient": sub,
        "channel": channel,
        "address": person.email if channel == Channel.EMAIL else None,
        "status": status.value,
        "template_version_id": None if failed else message.template_version_id,
        "message": {}
        if failed
        else {
            "subject": message.subject,
            "text": message.text,
            "html": message.html,
            "to_name": name,
            "language": language,
        },
        "attempts": 0,
        "next_attempt_at": None if status is not DeliveryStatus.QUEUED else wall,
        "last_error": message if failed else None,
        "created_at": now,
        "updated_at": now,
        "sent_at": now if status is DeliveryStatus.SENT else None,
    }


Send = Callable[[Delivery], Awaitable[int | None]]


@dataclass(frozen=True, slots=True)
class Attempted:
    delivery: Delivery
    started_at: dt.datetime
    error: SendFailed | None
    response_status: int | None


async def claim(session: AsyncSession, ids: Sequence[uuid.UUID], lease: dt.timedelta) -> list[Delivery]:
    wall = clock.wall_now()
    return await repository.claim(session, ids, lease_until=wall + lease, now=clock.now())


async def postpone(session: AsyncSession, ids: Sequence[uuid.UUID], policy: RetryPolicy, reason: str) -> int:
    """Put the rest of a job back for later, unattempted, with its own deliver job at that time: what waits
    for an endpoint that did not answer (one timeout per job, not one per delivery)."""
    if not ids:
        return 0
    at = clock.wall_now() + policy.delay(1)
    postponed = await repository.postpone(session, ids, at=at, reason=reason, now=clock.now())
    await queue.defer(session, queue.DELIVER, [{"delivery_ids": [str(i) for i in postponed]}], at=at)
    return len(postponed)


async def record(session: AsyncSession, attempted: Attempted, policy: RetryPolicy) -> str:
    """Record one attempt and what follows it: sent, a retry deferred after its backoff, or dead."""
    [outcome] = await record_all(session, [attempted], policy)
    return outcome


async def record_all(session: AsyncSession, attempted: Sequence[Attempted], policy: RetryPolicy) -> list[str]:
    """Record a group's attempts and what follows each (sent, a retry deferred after its backoff, or dead)
    in set-based statements: each one's outcome, in order, ``stale`` for one whose lease was handed on."""
    now, wall = clock.now(), clock.wall_now()
    rows: list[dict[str, Any]] = []
    for one in attempted:
        error, attempts = one.error, one.delivery.attempts
        if error is None:
            status, next_at = DeliveryStatus.SENT, None
        elif not error.retryable or policy.gives_up_after(attempts):
            status, next_at = DeliveryStatus.DEAD, None
        else:
            status, next_at = DeliveryStatus.RETRYING, wall + policy.delay(attempts)
        rows.append(
            {
                "id": one.delivery.id,
                "attempts": attempts,
                "status": status.value,
                "error": None if error is None else error.reason,
                "next_at": next_at,
                "started_at": one.started_at,
                "response_status": one.response_status,
            }
        )
    # Only a delivery still ``sending`` with the count its claim gave it is recorded: one whose lease expired
    # and was handed on by the sweep (each claim counts an attempt, so a claim since ours shows in the count
    # even while it is ``sending`` again) is its new holder's to record.
    recorded = await repository.record(session, rows, now=now)
    retries = [row for row in rows if row["id"] in recorded and row["status"] == DeliveryStatus.RETRYING]
    for row in retries:
        await queue.defer(session, queue.DELIVER, [{"delivery_ids": [str(row["id"])]}], at=row["next_at"])
    return [row["status"] if row["id"] in recorded else "stale" for row in rows]


async def sweep(session: AsyncSession, *, grace: dt.timedelta, limit: int = 500) -> dict[str, int]:
    """Hand on what a dead worker left: deliveries whose lease expired (sent again, same identity),
    deliveries whose job was lost, events never fanned out."""
    wall = clock.wall_now()
    expired = await repository.expired_leases(session, wall, limit)
    for delivery in expired:
        delivery.status = DeliveryStatus.RETRYING.value
        delivery.lease_until, delivery.next_attempt_at = None, wall
        delivery.last_error = "the worker stopped while sending; sent again with the same identity"
    overdue = await repository.overdue(session, wall - grace, limit)
    found = {d.id: (d.id, d.channel, d.recipient) for d in expired} | {row[0]: row for row in overdue}
    await queue.defer(session, queue.DELIVER, _jobs([found[key] for key in sorted(found)]))
    pending = await events.pending(session, wall - grace, limit)
    await queue.defer(session, queue.FAN_OUT, queue.fan_out_jobs(pending))
    await session.flush()
    return {"leases": len(expired), "lost_jobs": len(overdue), "events": len(pending)}


def to_out(delivery: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        recipient=delivery.recipient,
        channel=delivery.channel,
        address=delivery.address,
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        last_error=delivery.last_error,
        template_version_id=delivery.template_version_id,
        created_at=delivery.created_at,
        updated_at=delivery.updated_at,
        sent_at=delivery.sent_at,
        redriven_by=delivery.redriven_by,
    )


async def get(session: AsyncSession, delivery_id: uuid.UUID) -> DeliveryDetail:
    delivery = await repository.get(session, delivery_id)
    if delivery is None:
        raise DeliveryNotFound(f"No delivery has id {delivery_id}.")
    attempts = await repository.attempts_of(session, delivery_id)
    return DeliveryDetail(
        **to_out(delivery).model_dump(),
        subject=delivery.message.get("subject"),
        attempt_log=[
            AttemptOut(
                number=a.number,
                started_at=a.started_at,
                finished_at=a.finished_at,
                succeeded=a.succeeded,
                error=a.error,
                response_status=a.response_status,
            )
            for a in attempts
        ],
    )


async def log(
    session: AsyncSession,
    *,
    status: str | None,
    channel: str | None,
    event_type: str | None,
    recipient: str | None,
    event_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> Page[DeliveryOut]:
    after = decode_keyset(cursor, as_moment, as_uuid)
    rows = await repository.page(
        session,
        status=status,
        channel=channel,
        event_type=event_type,
        recipient=recipient,
        event_id=event_id,
        limit=limit,
        after=(after[0], after[1]) if after else None,
    )
    shown = rows[:limit]
    return Page(
        items=[to_out(d) for d in shown],
        next_cursor=encode_cursor([shown[-1].created_at.isoformat(), str(shown[-1].id)])
        if len(rows) > limit
        else None,
    )


async def redrive(session: AsyncSession, delivery_id: uuid.UUID, actor: str) -> DeliveryOut:
    """Send a dead delivery again, with the same identity and message, and a fresh round of attempts."""
    delivery = await repository.get(session, delivery_id, for_update=True)
    if delivery is None:
        raise DeliveryNotFound(f"No delivery has id {delivery_id}.")
    if delivery.status != DeliveryStatus.DEAD:
        raise NotDead(
            f"Delivery {delivery_id} is {delivery.status}, not dead.", current_status=delivery.status
        )
    if not delivery.message:
        raise NotDead(f"Delivery {delivery_id} has no message to send: {delivery.last_error}")
    wall = clock.wall_now()
    delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.QUEUED.value, 0, wall
    delivery.redriven_by, delivery.updated_at = actor, clock.now()
    await queue.defer(session, queue.DELIVER, [{"delivery_ids": [str(delivery.id)]}])
    await session.flush()
    return to_out(delivery)


async def webhook_target(session: AsyncSession, delivery: Delivery) -> webhooks.Target | None:
    """The endpoint's URL and secrets as they are now (a rotated secret signs the retries too)."""
    return await webhooks.target(session, uuid.UUID(delivery.recipient.removeprefix("webhook:")), clock.now())
