"""Fixtures of the delivery tests: the real SMTP servers and HTTP receiver of the channels' tests, the
service's settings pointed at them, its real senders, and what a test reads back (deliveries, attempts, jobs).

The servers are the fixtures of ``tests/email/conftest.py`` and ``tests/webhooks/conftest.py``, imported so
that these tests run the very same servers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.config import Settings
from notifications.deliveries.models import Delivery, DeliveryAttempt
from notifications.deliveries.senders import ChannelSenders
from services.notifications.tests.email.conftest import scripted_server, smtp_server
from services.notifications.tests.webhooks.conftest import receiver, running_receiver
from shared.database import Database

__all__ = ["receiver", "running_receiver", "scripted_server", "smtp_server"]

MakeSenders = Callable[..., ChannelSenders]


@pytest.fixture
def database(running_app: FastAPI, db_connection: object) -> Database:
    """The app's database, its sessions inside the test's transaction (as a deliver job's would be)."""
    found: Database = running_app.state.database
    return found


@pytest.fixture
async def senders(settings: Settings) -> AsyncIterator[MakeSenders]:
    """``senders(smtp_port=…)``: the service's real channel senders with those settings (short timeouts)."""
    made: list[ChannelSenders] = []

    def make(**changes: Any) -> ChannelSenders:
        options: dict[str, Any] = {"smtp_timeout_seconds": 0.5, "webhook_timeout_seconds": 1.0}
        made.append(ChannelSenders(settings.model_copy(update=options | changes)))
        return made[-1]

    yield make
    for channel_senders in made:
        await channel_senders.aclose()


async def reread(session: AsyncSession, delivery_id: uuid.UUID) -> Delivery:
    """The delivery as it is now in the database (not as the session last saw it)."""
    statement = select(Delivery).where(Delivery.id == delivery_id).execution_options(populate_existing=True)
    return (await session.scalars(statement)).one()


async def attempts(session: AsyncSession, delivery_id: uuid.UUID) -> list[DeliveryAttempt]:
    statement = (
        select(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id == delivery_id)
        .order_by(DeliveryAttempt.number)
        .execution_options(populate_existing=True)
    )
    return list((await session.scalars(statement)).all())


async def deliver_jobs(session: AsyncSession, delivery_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
    """The deliver jobs waiting (of one delivery, or all): their ids, when they are due, and when deferred."""
    rows = await session.execute(
        text(
            """
            SELECT j.id, j.args, j.scheduled_at, j.status,
                   (SELECT min(e.at) FROM notifications.procrastinate_events AS e
                     WHERE e.job_id = j.id AND e.type = 'deferred') AS deferred_at
              FROM notifications.procrastinate_jobs AS j
             WHERE j.task_name = 'deliver' AND j.status = 'todo'
               AND (CAST(:id AS text) IS NULL OR j.args->'delivery_ids' ? CAST(:id AS text))
             ORDER BY j.id
            """
        ),
        {"id": None if delivery_id is None else str(delivery_id)},
    )
    return [dict(row._mapping) for row in rows.all()]


async def of_event(session: AsyncSession, event_id: uuid.UUID, channel: str) -> list[Delivery]:
    statement = (
        select(Delivery)
        .where(Delivery.event_id == event_id, Delivery.channel == channel)
        .order_by(Delivery.recipient)
        .execution_options(populate_existing=True)
    )
    return list((await session.scalars(statement)).all())
