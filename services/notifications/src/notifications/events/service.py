"""Intake: a sibling service's events, checked against their contract, persisted once, then fanned out.

An event is stored and its fan-out job deferred in one transaction before intake answers, so an event the
relay saw accepted is never lost; a second delivery of the same id (the relay retrying after a crash) is a
``duplicate`` and changes nothing. The same id with other content is refused: ids are the producer's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.events import repository
from notifications.events.models import Event
from notifications.events.schemas import EVENT_TYPES, OWN_EVENT_TYPES, EventIn
from notifications.worker import queue
from shared import clock
from shared.auth import Principal
from shared.problems import Conflict, Forbidden, ProblemError, UnprocessableContent


class UnknownEventType(UnprocessableContent):
    slug = "unknown-event-type"
    title = "Unknown event type or version"


class EventSchemaMismatch(UnprocessableContent):
    slug = "event-schema-mismatch"
    title = "The event's data does not match its schema"


class EventIdReused(Conflict):
    slug = "event-id-reused"
    title = "An event with this id and other content was already received"


class WrongProducer(Forbidden):
    slug = "wrong-producer"
    title = "A service may only send its own events"


@dataclass(frozen=True, slots=True)
class Outcome:
    id: uuid.UUID
    status: Literal["accepted", "duplicate", "rejected"]
    problem: ProblemError | None = None


def caller_service(principal: Principal) -> str:
    """The calling service's name: the client id of its client-credentials token (Keycloak's ``azp``), or
    its service account's subject without Keycloak's ``service-account-`` prefix."""
    azp = principal.claims.get("azp")
    if isinstance(azp, str) and azp:
        return azp
    return principal.subject.removeprefix("service-account-")


def validate(event: EventIn, producer: str) -> dict[str, Any]:
    """The event's data as its schema reads it (dates as ISO strings), or the problem that refuses it."""
    if event.producer != producer:
        raise WrongProducer(f"The token is {producer!r}'s; this event says it is {event.producer!r}'s.")
    kind = EVENT_TYPES.get((event.type, event.version))
    if kind is None or event.type in OWN_EVENT_TYPES:
        known = sorted({f"{name} v{version}" for name, version in EVENT_TYPES if name not in OWN_EVENT_TYPES})
        raise UnknownEventType(
            f"{event.type!r} version {event.version} is not an event type this service accepts.",
            known_types=known,
        )
    try:
        data = kind.schema.model_validate(event.data)
    except ValidationError as exc:
        errors = [
            {"location": ".".join(["data", *map(str, e["loc"])]), "message": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        raise EventSchemaMismatch(
            f"{event.type} v{event.version}: {len(errors)} field(s) do not match: "
            + "; ".join(f"{e['location']}: {e['message']}" for e in errors[:5])
            + ".",
            errors=errors,
        ) from None
    return data.model_dump(mode="json")


def _same(stored: Event, row: dict[str, Any]) -> bool:
    return bool(
        stored.type == row["type"]
        and stored.version == row["version"]
        and stored.producer == row["producer"]
        and stored.subject == row["subject"]
        and stored.data == row["data"]
        and stored.occurred_at == row["occurred_at"]
    )


async def receive(session: AsyncSession, principal: Principal, events: Sequence[EventIn]) -> list[Outcome]:
    """Check, persist and queue for fan-out every acceptable event of the batch (one transaction)."""
    producer = caller_service(principal)
    outcomes: dict[int, Outcome] = {}
    rows: dict[uuid.UUID, dict[str, Any]] = {}
    for index, event in enumerate(events):
        try:
            data = validate(event, producer)
        except ProblemError as problem:
            outcomes[index] = Outcome(event.id, "rejected", problem)
            continue
        if event.id in rows:  # the same event twice in one batch
            continue
        rows[event.id] = {
            "id": event.id,
            "type": event.type,
            "version": event.version,
            "producer": event.producer,
            "subject": event.subject,
            "occurred_at": event.occurred_at.astimezone(dt.UTC),
            "data": data,
        }
    inserted: set[uuid.UUID] = set()
    if rows:
        inserted = await repository.insert_new(session, list(rows.values()))
        await queue.defer(session, queue.FAN_OUT, queue.fan_out_jobs(sorted(inserted)))
    known = await repository.many(session, list(rows.keys() - inserted))
    for index, event in enumerate(events):
        if index in outcomes:
            continue
        if event.id in inserted:
            outcomes[index] = Outcome(event.id, "accepted")
        elif _same(known[event.id], rows[event.id]):
            outcomes[index] = Outcome(event.id, "duplicate")
        else:
            outcomes[index] = Outcome(
                event.id,
                "rejected",
                EventIdReused(
                    f"Event {event.id} was received before with other content; ids are not reused."
                ),
            )
    await session.flush()
    return [outcomes[index] for index in range(len(events))]


OWN_NAMESPACE = uuid.UUID("5b0c7e0e-3f55-4d1e-9a51-8f2b6f1f4b1d")


def own_event_id(*parts: str) -> uuid.UUID:
    """The id of an event this service writes itself, fixed by what it is about (a person's digest of a day,
    a unit's report of a period): writing it twice, from two workers or two ticks, stores it once."""
    return uuid.uuid5(OWN_NAMESPACE, "/".join(parts))


async def record_own(
    session: AsyncSession, event_type: str, subject: str, data: dict[str, Any], *, key: tuple[str, ...]
) -> uuid.UUID | None:
    """Store one of this service's own events (a reminder, a digest) and queue its fan-out, unless an event
    with the same key exists: its id, or ``None`` when it was there already."""
    kind = EVENT_TYPES[(event_type, 1)]
    event_id = own_event_id(event_type, *key)
    row = {
        "id": event_id,
        "type": event_type,
        "version": kind.version,
        "producer": "notifications",
        "subject": subject,
        "occurred_at": clock.now(),
        "data": kind.schema.model_validate(data).model_dump(mode="json"),
    }
    inserted = await repository.insert_new(session, [row])
    if not inserted:
        return None
    await queue.defer(session, queue.FAN_OUT, queue.fan_out_jobs([event_id]))
    await session.flush()
    return event_id


async def lock(session: AsyncSession, event_id: uuid.UUID) -> Event | None:
    """The event, locked for its fan-out (a second worker on the same event waits, then finds it done)."""
    return await repository.lock(session, event_id)


async def many(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Event]:
    return await repository.many(session, ids)


async def pending(session: AsyncSession, received_before: dt.datetime, limit: int) -> list[uuid.UUID]:
    return await repository.pending(session, received_before, limit)
