"""An org unit's webhook endpoints: registration with a secret shown once, rotation with an overlap, soft
deletion, and the secrets that sign at a given moment (for the delivery worker)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from notifications.config import Settings
from notifications.webhooks import repository
from notifications.webhooks.models import WebhookEndpoint
from notifications.webhooks.schemas import (
    WebhookEndpointIn,
    WebhookEndpointOut,
    WebhookEndpointPatch,
    WebhookEndpointWithSecret,
)
from notifications.webhooks.signing import new_secret
from notifications.webhooks.targets import TargetPolicy, check_target
from shared import clock
from shared.pagination import Page, as_moment, as_uuid, decode_keyset, encode_cursor
from shared.problems import Conflict, NotFound


class EndpointNotFound(NotFound):
    slug = "webhook-endpoint-not-found"
    title = "Webhook endpoint not found"


class EndpointDeleted(Conflict):
    slug = "webhook-endpoint-deleted"
    title = "The webhook endpoint was deleted"


def to_out(endpoint: WebhookEndpoint) -> WebhookEndpointOut:
    return WebhookEndpointOut(
        id=endpoint.id,
        org_unit=endpoint.org_unit,
        url=endpoint.url,
        description=endpoint.description,
        event_types=list(endpoint.event_types),
        active=endpoint.active,
        created_by=endpoint.created_by,
        created_at=endpoint.created_at,
        deleted_at=endpoint.deleted_at,
        version=endpoint.version,
    )


def with_secret(
    endpoint: WebhookEndpoint, secret: str, previous_expires_at: dt.datetime | None = None
) -> WebhookEndpointWithSecret:
    return WebhookEndpointWithSecret(
        **to_out(endpoint).model_dump(), secret=secret, previous_secret_expires_at=previous_expires_at
    )


async def get(session: AsyncSession, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = await repository.get(session, endpoint_id)
    if endpoint is None:
        raise EndpointNotFound(f"No webhook endpoint has the id {endpoint_id}.")
    return endpoint


def _active(endpoint: WebhookEndpoint) -> None:
    if not endpoint.active:
        raise EndpointDeleted(f"The webhook endpoint {endpoint.id} was deleted on {endpoint.deleted_at}.")


async def list_endpoints(
    session: AsyncSession, org_unit: str | None, *, limit: int, cursor: str | None
) -> Page[WebhookEndpointOut]:
    after = decode_keyset(cursor, as_moment, as_uuid)
    rows = await repository.page(session, org_unit=org_unit, limit=limit, after=after)
    shown = rows[:limit]
    return Page(
        items=[to_out(endpoint) for endpoint in shown],
        next_cursor=encode_cursor([shown[-1].created_at.isoformat(), str(shown[-1].id)])
        if len(rows) > limit
        else None,
    )


async def create(
    session: AsyncSession, body: WebhookEndpointIn, actor: str, settings: Settings
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint (its URL passes the target rule of ``targets.py``) with a new secret."""
    await check_target(body.url, TargetPolicy.from_settings(settings))
    now = clock.now()
    endpoint = WebhookEndpoint(
        id=uuid.uuid4(),
        org_unit=body.org_unit,
        url=body.url,
        description=body.description,
        event_types=body.event_types,
        active=True,
        created_by=actor,
        created_at=now,
        version=1,
    )
    await repository.add(session, endpoint)
    secret = new_secret()
    await repository.add_secret(session, endpoint.id, secret, now)
    return endpoint, secret


async def update(
    session: AsyncSession, endpoint: WebhookEndpoint, body: WebhookEndpointPatch, settings: Settings
) -> WebhookEndpoint:
    _active(endpoint)
    changes = body.model_dump(exclude_unset=True)
    if changes.get("url") is not None:
        await check_target(changes["url"], TargetPolicy.from_settings(settings))
    for name in ("url", "event_types"):
        if name in changes and changes[name] is not None:
            setattr(endpoint, name, changes[name])
    if "description" in changes:
        endpoint.description = changes["description"]
    endpoint.version += 1
    await repository.add(session, endpoint)
    return endpoint


async def delete(session: AsyncSession, endpoint: WebhookEndpoint) -> None:
    """Soft delete: the endpoint stays, inactive, for the delivery log; none of its secrets signs again."""
    if not endpoint.active:
        return
    now = clock.now()
    endpoint.active = False
    endpoint.deleted_at = now
    endpoint.version += 1
    await repository.add(session, endpoint)
    await repository.end_all(session, endpoint.id, now)


async def rotate_secret(
    session: AsyncSession, endpoint_id: uuid.UUID, settings: Settings
) -> tuple[WebhookEndpoint, str, dt.datetime | None]:
    """A new secret signs from now on; the one it replaces signs beside it for the overlap
    (``NOTIFICATIONS_WEBHOOK_SECRET_OVERLAP_HOURS``), and any older one still in its overlap stops now, so at
    most two secrets ever sign one message."""
    endpoint = await repository.lock(session, endpoint_id)
    if endpoint is None:
        raise EndpointNotFound(f"No webhook endpoint has the id {endpoint_id}.")
    _active(endpoint)
    now = clock.now()
    await repository.end_overlaps(session, endpoint.id, now)
    until = now + dt.timedelta(hours=settings.webhook_secret_overlap_hours)
    previous_expires_at = await repository.retire_current(session, endpoint.id, until)
    secret = new_secret()
    await repository.add_secret(session, endpoint.id, secret, now)
    return endpoint, secret, previous_expires_at


async def valid_secrets(session: AsyncSession, endpoint_id: uuid.UUID, at: dt.datetime) -> list[str]:
    """The secrets that sign a webhook of the endpoint sent at ``at``, newest first (none once deleted)."""
    return await repository.secrets_valid_at(session, endpoint_id, at)


async def endpoints_for(session: AsyncSession, org_units: Sequence[str], event_type: str) -> list[uuid.UUID]:
    """The active endpoints of the org units that take this event type (or every type)."""
    return await repository.active_for(session, org_units, event_type) if org_units else []


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    secrets: list[str]


async def target(session: AsyncSession, endpoint_id: uuid.UUID, at: dt.datetime) -> Target | None:
    """Where a delivery to the endpoint goes now, with the secrets that sign it; ``None`` once removed."""
    endpoint = await repository.get(session, endpoint_id)
    if endpoint is None or not endpoint.active:
        return None
    return Target(endpoint.url, await valid_secrets(session, endpoint_id, at))
