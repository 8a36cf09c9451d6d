"""Queries of routing rules."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.routing.models import RoutingRule


async def get(session: AsyncSession, event_type: str, *, for_update: bool = False) -> RoutingRule | None:
    statement = select(RoutingRule).where(RoutingRule.event_type == event_type)
    if for_update:
        statement = statement.with_for_update()
    return (await session.scalars(statement)).one_or_none()


async def page(session: AsyncSession, *, limit: int, after: str | None) -> list[RoutingRule]:
    statement = select(RoutingRule).order_by(RoutingRule.event_type).limit(limit + 1)
    if after is not None:
        statement = statement.where(RoutingRule.event_type > after)
    return list((await session.scalars(statement)).all())
