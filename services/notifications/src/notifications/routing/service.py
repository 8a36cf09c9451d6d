"""Who an event reaches: its type's routing rule (data), read against the recipients directory, each person's
preferences, and the org units' webhook endpoints.

A critical event type reaches everyone its rule names on every channel named, whatever they prefer; for the
rest a person may turn a channel off, or take email in the daily digest. One person reached twice (the
secretariat's officer who also follows the unit) gets one delivery per channel.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.events.models import Event
from notifications.events.schemas import EVENT_TYPE_NAMES, EVENT_TYPES, latest
from notifications.recipients import service as recipients
from notifications.routing import repository
from notifications.routing.models import RoutingRule
from notifications.routing.schemas import (
    Audience,
    ListedAudience,
    RecipientAudience,
    RoleAudience,
    RoutingRuleIn,
    RoutingRuleOut,
    SubscribersAudience,
    UnitRoleAudience,
    WebhooksAudience,
)
from notifications.webhooks import service as webhooks
from shared import clock
from shared.pagination import Page, as_code, decode_keyset, encode_cursor
from shared.problems import NotFound, UnprocessableContent

_AUDIENCES: TypeAdapter[list[Audience]] = TypeAdapter(list[Audience])


class UnknownEventTypeRule(NotFound):
    slug = "unknown-event-type"
    title = "Unknown event type"


class InvalidRoutingRule(UnprocessableContent):
    slug = "invalid-routing-rule"
    title = "The routing rule cannot be read against its event type"


@dataclass(frozen=True, slots=True)
class Person:
    sub: str
    display_name: str
    language: str
    email: str | None


@dataclass(frozen=True, slots=True)
class Reach:
    """Who gets an event, on which channel; ``digest`` means batched into that person's daily email."""

    people: dict[tuple[str, str], Person]  # (sub, channel) → person; channel email or inbox
    digest: list[Person]
    webhooks: list[uuid.UUID]  # endpoint ids


def to_out(rule: RoutingRule) -> RoutingRuleOut:
    return RoutingRuleOut(
        event_type=rule.event_type,
        audiences=_AUDIENCES.validate_python(rule.audiences),
        origin=rule.origin,
        updated_by=rule.updated_by,
        updated_at=rule.updated_at,
        version=rule.version,
    )


def _codes(data: dict[str, Any], field: str) -> list[str]:
    value = data.get(field)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _listed(data: dict[str, Any], field: str, key: str) -> list[str]:
    value = data.get(field)
    if not isinstance(value, list):
        return []
    return [item[key] for item in value if isinstance(item, dict) and isinstance(item.get(key), str)]


async def reach(session: AsyncSession, event: Event) -> Reach:
    rule = await repository.get(session, event.type)
    audiences = _AUDIENCES.validate_python(rule.audiences) if rule is not None else []
    kind = EVENT_TYPES.get((event.type, event.version)) or latest(event.type)
    wanted: dict[tuple[str, str], Person] = {}
    endpoints: list[uuid.UUID] = []
    for audience in audiences:
        if isinstance(audience, WebhooksAudience):
            found = await webhooks.endpoints_for(session, _codes(event.data, audience.field), event.type)
            endpoints.extend(e for e in found if e not in endpoints)
            continue
        people: list[Person]
        if isinstance(audience, RoleAudience):
            people = [_person(r) for r in await recipients.with_role(session, audience.role)]
        elif isinstance(audience, UnitRoleAudience):
            units = _codes(event.data, audience.field)
            people = (
                [_person(r) for r in await recipients.with_role(session, audience.role, units)]
                if units
                else []
            )
        elif isinstance(audience, SubscribersAudience):
            people = [
                _person(r) for r in await recipients.subscribers(session, _codes(event.data, audience.field))
            ]
        else:
            assert isinstance(audience, ListedAudience | RecipientAudience)  # noqa: S101 - the union is closed
            subs = (
                _listed(event.data, audience.field, audience.key)
                if isinstance(audience, ListedAudience)
                else _codes(event.data, audience.field)
            )
            known = await recipients.by_subs(session, subs)
            # Someone listed but not yet in the directory still finds it in their inbox (it needs no address).
            people = [
                _person(known[sub]) if sub in known else Person(sub, sub, "vi", None)
                for sub in subs
                if sub not in known or known[sub].active
            ]
        for person in people:
            for channel in audience.channels:
                if channel == "email" and not person.email:
                    continue
                wanted.setdefault((person.sub, channel), person)
    digest: list[Person] = []
    if not kind.critical and wanted:
        modes = await recipients.modes_for(session, sorted({sub for sub, _ in wanted}), event.type)
        for key in list(wanted):
            mode = modes.get(key, "immediate")
            if mode == "off":
                del wanted[key]
            elif mode == "digest":
                digest.append(wanted.pop(key))
    return Reach(people=wanted, digest=digest, webhooks=endpoints)


def _person(recipient: Any) -> Person:
    return Person(recipient.sub, recipient.display_name, recipient.language, recipient.email)


def _check_fields(event_type: str, audiences: Sequence[Audience]) -> None:
    fields = {
        name for (n, _), kind in EVENT_TYPES.items() if n == event_type for name in kind.schema.model_fields
    }
    errors = []
    for index, audience in enumerate(audiences):
        field = getattr(audience, "field", None)
        if field is not None and field not in fields:
            errors.append(f"audiences.{index}.field: {event_type} has no field {field!r}")
    if errors:
        raise InvalidRoutingRule("; ".join(errors) + ".", fields=sorted(fields))


async def list_rules(session: AsyncSession, *, limit: int, cursor: str | None) -> Page[RoutingRuleOut]:
    after = decode_keyset(cursor, as_code)
    rows = await repository.page(session, limit=limit, after=after[0] if after else None)
    shown = rows[:limit]
    return Page(
        items=[to_out(rule) for rule in shown],
        next_cursor=encode_cursor([shown[-1].event_type]) if len(rows) > limit else None,
    )


async def get(session: AsyncSession, event_type: str, *, for_update: bool = False) -> RoutingRule | None:
    if event_type not in EVENT_TYPE_NAMES:
        raise UnknownEventTypeRule(
            f"{event_type!r} is not an event type.", known_event_types=sorted(EVENT_TYPE_NAMES)
        )
    return await repository.get(session, event_type, for_update=for_update)


async def put(
    session: AsyncSession, event_type: str, body: RoutingRuleIn, actor: str, rule: RoutingRule | None
) -> RoutingRule:
    """Save the rule as the administrators' own (the seed never changes it again)."""
    _check_fields(event_type, body.audiences)
    audiences = [audience.model_dump() for audience in body.audiences]
    now = clock.now()
    if rule is None:
        rule = RoutingRule(
            event_type=event_type,
            audiences=audiences,
            origin="api",
            updated_by=actor,
            updated_at=now,
            version=1,
        )
        session.add(rule)
    elif rule.audiences != audiences or rule.origin != "api":
        rule.audiences, rule.origin, rule.updated_by, rule.updated_at = audiences, "api", actor, now
        rule.version += 1
    await session.flush()
    return rule


def seeded_rules() -> dict[str, list[dict[str, Any]]]:
    data = json.loads(
        resources.files("notifications.routing").joinpath("data/routing.json").read_text("utf-8")
    )
    rules: dict[str, list[dict[str, Any]]] = {}
    for event_type, raw in data["rules"].items():
        audiences = _AUDIENCES.validate_python(raw)
        _check_fields(event_type, audiences)
        rules[event_type] = [audience.model_dump() for audience in audiences]
    return rules


async def load_routing(session: AsyncSession) -> int:
    """Keep the seeded rules equal to routing.json; a rule saved through the API is the admins' and stays."""
    changed = 0
    now = clock.now()
    for event_type, audiences in seeded_rules().items():
        rule = await repository.get(session, event_type, for_update=True)
        if rule is None:
            session.add(
                RoutingRule(
                    event_type=event_type,
                    audiences=audiences,
                    origin="seed",
                    updated_by="seed",
                    updated_at=now,
                    version=1,
                )
            )
            changed += 1
        elif rule.origin == "seed" and rule.audiences != audiences:
            rule.audiences, rule.updated_at = audiences, now
            rule.version += 1
            changed += 1
    await session.flush()
    return changed
