"""Every query on webhook endpoints and their signing secrets."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.webhooks.models import WebhookEndpoint, WebhookSecret


async def get(session: AsyncSession, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
    return await session.get(WebhookEndpoint, endpoint_id)


async def lock(session: AsyncSession, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
    """The endpoint, its row locked until the transaction ends (two rotations do not interleave)."""
    query = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id).with_for_update()
    return (await session.execute(query.execution_options(populate_existing=True))).scalar_one_or_none()


async def page(
    session: AsyncSession, *, org_unit: str | None, limit: int, after: tuple[dt.datetime, uuid.UUID] | None
) -> list[WebhookEndpoint]:
    """Active endpoints, newest first (by creation, then id), keyset-paged; one more than ``limit``."""
    query = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.active)
        .order_by(WebhookEndpoint.created_at.desc(), WebhookEndpoint.id.desc())
        .limit(limit + 1)
    )
    if org_unit is not None:
        query = query.where(WebhookEndpoint.org_unit == org_unit)
    if after is not None:
        query = query.where(tuple_(WebhookEndpoint.created_at, WebhookEndpoint.id) < tuple_(*after))
    return list((await session.execute(query)).scalars())


async def add(session: AsyncSession, endpoint: WebhookEndpoint) -> None:
    session.add(endpoint)
    await session.flush()


async def add_secret(session: AsyncSession, endpoint_id: uuid.UUID, secret: str, at: dt.datetime) -> None:
    session.add(WebhookSecret(endpoint_id=endpoint_id, secret=secret, created_at=at))
    await session.flush()


async def secrets_valid_at(session: AsyncSession, endpoint_id: uuid.UUID, at: dt.datetime) -> list[str]:
    """The secrets that sign at ``at``, newest first."""
    query = (
        select(WebhookSecret.secret)
        .where(
            WebhookSecret.endpoint_id == endpoint_id,
            WebhookSecret.created_at <= at,
            or_(WebhookSecret.expires_at.is_(None), WebhookSecret.expires_at > at),
        )
        .order_by(WebhookSecret.created_at.desc(), WebhookSecret.id.desc())
    )
    return list((await session.execute(query)).scalars())


async def end_overlaps(session: AsyncSession, endpoint_id: uuid.UUID, at: dt.datetime) -> None:
    """Secrets already replaced but still signing stop signing at ``at``."""
    await session.execute(
        update(WebhookSecret)
        .where(WebhookSecret.endpoint_id == endpoint_id, WebhookSecret.expires_at > at)
        .values(expires_at=at)
    )


async def retire_current(
    session: AsyncSession, endpoint_id: uuid.UUID, until: dt.datetime
) -> dt.datetime | None:
    """The current secret (no expiry yet) signs until ``until``; ``until`` if there was one."""
    result = await session.execute(
        update(WebhookSecret)
        .where(WebhookSecret.endpoint_id == endpoint_id, WebhookSecret.expires_at.is_(None))
        .values(expires_at=until)
        .returning(WebhookSecret.id)
    )
    return until if result.first() is not None else None


async def end_all(session: AsyncSession, endpoint_id: uuid.UUID, at: dt.datetime) -> None:
    """No secret of the endpoint signs from ``at`` on."""
    await session.execute(
        update(WebhookSecret)
        .where(
            WebhookSecret.endpoint_id == endpoint_id,
            or_(WebhookSecret.expires_at.is_(None), WebhookSecret.expires_at > at),
        )
        .values(expires_at=at)
    )


async def active_for(session: AsyncSession, org_units: Sequence[str], event_type: str) -> list[uuid.UUID]:
    """The active endpoints of the org units that take this event type (or every type)."""
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
