"""The worker itself: a real procrastinate worker, in this process, on the test database, runs the jobs that
intake and the fan-out defer in their own transactions, under the names and with the arguments its tasks
take, and what comes out is a message in aiosmtpd, an item in the inbox, a signed webhook.

These tests commit (the worker's connections cannot see a test's open transaction) and empty the tables they
wrote afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
import email
import email.policy
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import procrastinate
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from standardwebhooks import Webhook

from devstack.testing.plugin import TokenMinter
from notifications.config import Settings
from notifications.deliveries import service as deliveries
from notifications.deliveries.models import Delivery, DeliveryAttempt
from notifications.deliveries.policy import RetryPolicy
from notifications.deliveries.senders import ChannelSenders
from notifications.events.schemas import EVENT_TYPES
from notifications.inbox.models import InboxItem
from notifications.webhooks import service as webhooks
from notifications.webhooks.schemas import WebhookEndpointIn
from notifications.worker.app import Runtime, build_app
from notifications.worker.queue import QUEUE
from services.notifications.tests.arrange import event, person
from services.notifications.tests.email.conftest import StartServer
from services.notifications.tests.webhooks.conftest import Receiver
from shared.database import Database

# What a test writes; emptied after it (the seed's templates and routing rules stay).
WRITTEN = (
    "delivery_attempts",
    "deliveries",
    "digest_entries",
    "inbox_items",
    "events",
    "preferences",
    "recipients",
    "webhook_secrets",
    "webhook_endpoints",
    "idempotency_keys",
    "procrastinate_events",
    "procrastinate_jobs",
    "procrastinate_periodic_defers",
    "procrastinate_workers",
)
Intake = Callable[..., Awaitable[uuid.UUID]]
# A retry waits 30 s, so none runs again while a test watches.
POLICY = RetryPolicy(max_attempts=3, base_seconds=0.001, cap_seconds=0.001, floor_seconds=30)


@pytest.fixture
async def committed(database_url: str, seeded: None) -> AsyncIterator[Database]:
    """A database whose sessions commit for real, and the tables they wrote emptied afterwards."""
    database = Database(database_url, application_name="notifications-worker-test")
    try:
        yield database
    finally:
        async with database.session() as session:
            await session.execute(
                text("TRUNCATE " + ", ".join(f"notifications.{table}" for table in WRITTEN) + " CASCADE")
            )
        await database.dispose()


@pytest.fixture
async def intake(running_app: FastAPI, committed: Database, mint_token: TokenMinter) -> AsyncIterator[Intake]:
    """``await intake(type, **data)``: an event POSTed to intake as the nominations relay posts it."""
    token = mint_token(
        roles=["service"], org_unit=None, subject="service-account-nominations", azp="nominations"
    )
    transport = httpx.ASGITransport(app=running_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:

        async def post(type_: str, **data: Any) -> uuid.UUID:
            event_id = uuid.uuid4()
            body = {
                "id": str(event_id),
                "type": type_,
                "version": 1,
                "occurred_at": "2026-12-02T03:00:00+00:00",
                "subject": "nomination/42",
                "producer": "nominations",
                "data": {**copy.deepcopy(EVENT_TYPES[(type_, 1)].sample), **data},
            }
            answer = await client.post(
                "/internal/v1/events", json=body, headers={"Authorization": f"Bearer {token}"}
            )
            assert answer.status_code == 202, answer.text
            assert answer.json()["status"] == "accepted"
            return event_id

        yield post


@contextlib.asynccontextmanager
async def worker_app(
    settings: Settings, database: Database, **changes: Any
) -> AsyncIterator[procrastinate.App]:
    """The service's worker app (its tasks, its connector) on the test database, with these settings."""
    options: dict[str, Any] = {"smtp_timeout_seconds": 0.5, "webhook_timeout_seconds": 1.0}
    worker_settings = settings.model_copy(update=options | changes)
    senders = ChannelSenders(worker_settings)
    app = build_app(Runtime(worker_settings, database, senders, POLICY))
    try:
        async with app.open_async():
            yield app
    finally:
        await senders.aclose()


async def run_until(app: procrastinate.App, done: Callable[[], Awaitable[bool]], *, concurrency: int) -> None:
    """Run a worker until ``done()`` (at most 15 s), then stop it as SIGTERM would."""
    worker = asyncio.create_task(
        app.run_worker_async(
            queues=[QUEUE],
            concurrency=concurrency,
            name="test-worker",
            install_signal_handlers=False,
            fetch_job_polling_interval=0.2,
            shutdown_graceful_timeout=2,
            delete_jobs="successful",
        )
    )
    try:
        async with asyncio.timeout(15):
            while not await done():
                if worker.done():
                    worker.result()  # a worker that stopped early says why
                    raise AssertionError("the worker stopped before the work was done")
                await asyncio.sleep(0.05)
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker


async def failed_jobs(database: Database) -> list[str]:
    async with database.session() as session:
        rows = await session.execute(
            text("SELECT task_name FROM notifications.procrastinate_jobs WHERE status = 'failed'")
        )
        return [row.task_name for row in rows.all()]


async def test_an_event_from_intake_reaches_its_officer_by_email_and_in_the_inbox(
    committed: Database, intake: Intake, settings: Settings, smtp_server: StartServer
) -> None:
    async with committed.session() as session:
        await person(session, "officer-tha", roles=["unit_officer"], org_unit="HT-THA")
    event_id = await intake("nomination.returned", nominating_org_unit="HT-THA")
    server = smtp_server()

    async with worker_app(settings, committed, smtp_port=server.port) as app:
        # One job at a time, until there is none left: the fan-out, then the deliver job it deferred.
        await app.run_worker_async(
            queues=[QUEUE], concurrency=1, wait=False, install_signal_handlers=False, delete_jobs="successful"
        )

    assert await failed_jobs(committed) == []
    async with committed.session() as session:
        made = {
            d.channel: d for d in await session.scalars(select(Delivery).where(Delivery.event_id == event_id))
        }
        [item] = (await session.scalars(select(InboxItem).where(InboxItem.event_id == event_id))).all()
    assert {channel: d.status for channel, d in made.items()} == {"email": "sent", "inbox": "sent"}
    assert item.recipient == "officer-tha"
    [received] = server.recorder.messages
    assert received.rcpt_tos == ["officer-tha@example.hatinh.gov.vn"]
    message = email.message_from_bytes(received.content, policy=email.policy.default)
    assert message["Message-ID"] == f"<{made['email'].id}@hatinh.gov.vn>"
    assert message["Subject"] == made["email"].message["subject"]


async def test_an_endpoint_that_hangs_holds_up_no_other_endpoint(
    committed: Database, intake: Intake, settings: Settings, receiver: Receiver
) -> None:
    async with committed.session() as session:
        slow, _ = await webhooks.create(
            session, WebhookEndpointIn(org_unit="HT-THA", url=receiver.url("/hang")), "admin", settings
        )
        quick, secret = await webhooks.create(
            session, WebhookEndpointIn(org_unit="HT-THA", url=receiver.url("/ok")), "admin", settings
        )
    event_id = await intake("award.granted")

    async def attempted() -> bool:
        async with committed.session() as session:
            found = await session.scalar(
                select(func.count())
                .select_from(DeliveryAttempt)
                .join(Delivery)
                .where(Delivery.event_id == event_id)
            )
            return int(found or 0) == 2

    async with worker_app(settings, committed) as app:
        await run_until(app, attempted, concurrency=4)

    async with committed.session() as session:
        rows = await session.execute(
            select(Delivery.recipient, Delivery.status, Delivery.next_attempt_at, DeliveryAttempt)
            .join(DeliveryAttempt)
            .where(Delivery.event_id == event_id)
        )
        by_endpoint = {row.recipient: row for row in rows.all()}
    hung, answered = by_endpoint[f"webhook:{slow.id}"], by_endpoint[f"webhook:{quick.id}"]
    assert answered.status == "sent"
    assert hung.status == "retrying"
    assert hung.next_attempt_at is not None
    # The quick endpoint had its message while the other was still waiting for an answer.
    assert answered.DeliveryAttempt.finished_at < hung.DeliveryAttempt.finished_at
    assert (answered.DeliveryAttempt.finished_at - answered.DeliveryAttempt.started_at) < dt.timedelta(
        seconds=1
    )
    assert dt.timedelta(seconds=1) <= hung.DeliveryAttempt.finished_at - hung.DeliveryAttempt.started_at
    ok = next(r for r in receiver.requests if r.path == "/ok")
    assert Webhook(secret).verify(ok.body, ok.headers)["id"] == str(event_id)
    assert await failed_jobs(committed) == []


async def test_the_workers_sweep_sends_again_what_a_dead_worker_left_with_the_same_message_id(
    committed: Database, settings: Settings, smtp_server: StartServer
) -> None:
    server = smtp_server()
    async with committed.session() as session:
        await person(session, "officer-tha", roles=["unit_officer"], org_unit="HT-THA")
        returned = await event(session, "nomination.returned", nominating_org_unit="HT-THA")
        await deliveries.fan_out(session, returned.id, app_url=settings.app_url)
    async with committed.session() as session:
        [delivery] = (
            await session.scalars(
                select(Delivery).where(Delivery.event_id == returned.id, Delivery.channel == "email")
            )
        ).all()
        # A worker took the job and the delivery, sent the message and died: its job is gone, its lease
        # has run out.
        await session.execute(
            text("DELETE FROM notifications.procrastinate_jobs WHERE task_name = 'deliver'")
        )
        [taken] = await deliveries.claim(session, [delivery.id], dt.timedelta(seconds=-1))
    dead_workers = ChannelSenders(settings.model_copy(update={"smtp_port": server.port}))
    async with dead_workers.emails() as send:
        await send(taken)
    await dead_workers.aclose()

    async def sent() -> bool:
        async with committed.session() as session:
            return await session.scalar(select(Delivery.status).where(Delivery.id == delivery.id)) == "sent"

    async with worker_app(settings, committed, smtp_port=server.port) as app:
        await run_until(app, sent, concurrency=2)  # the periodic sweep runs at once, then every 5 s

    ids = [
        email.message_from_bytes(m.content, policy=email.policy.default)["Message-ID"]
        for m in server.recorder.messages
    ]
    assert ids == [f"<{delivery.id}@hatinh.gov.vn>"] * 2
    assert await failed_jobs(committed) == []
