"""Webhook endpoints: which of an org unit's endpoints an event reaches."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.webhooks.models import WebhookEndpoint, WebhookSecret


async def endpoints_for(session: AsyncSession, org_units: Sequence[str], event_type: str) -> list[uuid.UUID]:
    """The active endpoints of the org units that take this event type (or every type)."""
    if not org_units:
        return []
    statement = (
        select(WebhookEndpoint.id)
        .where(
            WebhookEndpoint.active,
            WebhookEndpoint.org_unit.in_(sorted(set(org_units))),
            or_(WebhookEndpoint.event_types == [], WebhookEndpoint.event_types.contains([event_type])),
        )
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )
    return list((await session.scalars(statement)).all())


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    secrets: list[str]


async def target(session: AsyncSession, endpoint_id: uuid.UUID, at: dt.datetime) -> Target | None:
    """Where a delivery to the endpoint goes now, signed with every secret valid at ``at`` (the newest first:
    during a rotation's overlap both sign); ``None`` when the endpoint was removed."""
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or not endpoint.active:
        return None
    statement = (
        select(WebhookSecret.secret)
        .where(
            WebhookSecret.endpoint_id == endpoint_id,
            or_(WebhookSecret.expires_at.is_(None), WebhookSecret.expires_at > at),
        )
        .order_by(WebhookSecret.created_at.desc(), WebhookSecret.id.desc())
    )
    return Target(endpoint.url, list((await session.scalars(statement)).all()))
