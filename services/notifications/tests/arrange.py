"""Test data of the notifications service: people, events, seeded rules and templates."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from notifications.events.models import Event
from notifications.events.schemas import EVENT_TYPES
from notifications.recipients.models import Recipient

MOMENT = dt.datetime(2026, 12, 2, 3, 0, tzinfo=dt.UTC)


async def person(
    session: AsyncSession,
    sub: str,
    *,
    roles: list[str],
    org_unit: str | None = None,
    email: str | None = "auto",
    language: str = "vi",
    subscriptions: list[str] | None = None,
    active: bool = True,
) -> Recipient:
    recipient = Recipient(
        sub=sub,
        display_name=f"Người nhận {sub}",
        email=f"{sub}@example.hatinh.gov.vn" if email == "auto" else email,
        language=language,
        org_unit=org_unit,
        roles=roles,
        subscriptions=subscriptions or [],
        active=active,
        source="api",
        created_at=MOMENT,
        updated_at=MOMENT,
        version=1,
    )
    session.add(recipient)
    await session.flush()
    return recipient


async def event(session: AsyncSession, type_: str, **data: Any) -> Event:
    kind = EVENT_TYPES[(type_, 1)]
    stored = Event(
        id=uuid.uuid4(),
        type=type_,
        version=1,
        producer="nominations",
        subject="nomination/42",
        occurred_at=MOMENT,
        data={**copy.deepcopy(kind.sample), **data},
        received_at=MOMENT,
    )
    session.add(stored)
    await session.flush()
    return stored
