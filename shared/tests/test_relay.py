"""The outbox relay against a real PostgreSQL and a real HTTP intake (a small server in the test, standing
for the notifications service's ``POST /internal/v1/events``): published once, backing off when intake
fails or rejects an event, two relays never sending one row at once, woken by NOTIFY long before it polls.

Each test gets an outbox of its own in a schema of its own (with the trigger the services' migrations
create), whose rows are committed as a service's would be, and dropped afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import asyncpg
import httpx
import pytest
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict
from sqlalchemy import MetaData, Table, func, select, text, update

from devstack.testing.intake import FakeIntake, serving
from shared.database import Database, libpq_dsn
from shared.outbox import Event, emit_many, notify_trigger_sql, outbox_table
from shared.relay import Backoff, ClientCredentials, Intake, Relay, StaticToken, relay_command
from shared.settings import Environment, EventProducerSettings

TOKEN = "service-token-of-the-test"


@pytest.fixture
async def outbox(database_url: str) -> AsyncIterator[Table]:
    schema = f"relay_test_{uuid.uuid4().hex[:8]}"
    table = outbox_table(MetaData(schema=schema))
    database = Database(database_url)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(text(f"CREATE SCHEMA {schema}"))
            await connection.run_sync(table.metadata.create_all)
            for statement in notify_trigger_sql(schema).create:
                await connection.execute(text(statement))
        yield table
    finally:
        async with database.engine.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await database.dispose()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def write(database: Database, table: Table, count: int, *, prefix: str = "e") -> list[str]:
    """Commit ``count`` events, as a service's request would; their ids in order."""
    async with database.session() as session:
        events = [
            Event("thing.happened", f"thing/{prefix}{i}", {"n": i, "day": "2026-03-10"}) for i in range(count)
        ]
        ids = await emit_many(session, table, events)
    return [str(i) for i in ids]


async def rows(database: Database, table: Table) -> dict[str, Any]:
    async with database.session() as session:
        found = (await session.execute(select(table))).all()
    return {str(row.id): row for row in found}


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        yield client


def relay(http: httpx.AsyncClient, database: Database, table: Table, url: str, **options: Any) -> Relay:
    client = http
    return Relay(
        database=database,
        table=table,
        producer="nominations",
        intake=Intake(url, StaticToken(TOKEN), client),
        **options,
    )


async def test_every_row_is_published_once_in_order_in_the_contracts_envelope(
    http: httpx.AsyncClient, database: Database, outbox: Table
) -> None:
    ids = await write(database, outbox, 250)
    intake = FakeIntake()
    async with serving(intake) as url:
        sender = relay(http, database, outbox, url, batch_size=100)
        assert await sender.drain() == 250
        assert await sender.drain() == 0
    assert intake.ids() == ids  # oldest first, each once
    assert [len(batch) for batch in intake.received] == [100, 100, 50]
    assert set(intake.authorizations) == {f"Bearer {TOKEN}"}
    first = intake.received[0][0]
    occurred_at = first.pop("occurred_at")
    assert dt.datetime.fromisoformat(occurred_at).tzinfo is not None
    assert first == {
        "id": ids[0],
        "type": "thing.happened",
        "version": 1,
        "subject": "thing/e0",
        "producer": "nominations",
        "data": {"n": 0, "day": "2026-03-10"},
    }
    stored = await rows(database, outbox)
    assert all(row.published_at is not None and row.attempts == 0 for row in stored.values())


async def test_a_failing_intake_backs_the_batch_off_with_growing_capped_delays(
    http: httpx.AsyncClient, database: Database, outbox: Table
) -> None:
    [event_id] = await write(database, outbox, 1)
    intake = FakeIntake(fail_with=503)
    waits = []
    async with serving(intake) as url:
        sender = relay(http, database, outbox, url, backoff=Backoff(base_seconds=10, cap_seconds=40))
        for _ in range(5):
            outcome = await sender.relay_batch()
            assert (outcome.claimed, outcome.published, outcome.intake_unavailable) == (1, 0, True)
            async with database.session() as session:
                wait = await session.scalar(
                    select(func.extract("epoch", outbox.c.next_attempt_at - func.now()))
                )
                assert wait is not None
                waits.append(float(wait))
                # Due again now, for the next round of the test.
                await session.execute(update(outbox).values(next_attempt_at=func.now()))
    bounds = [(5, 10), (10, 20), (20, 40), (20, 40), (20, 40)]  # base × 2^attempts in its upper half, capped
    for wait, (low, high) in zip(waits, bounds, strict=True):
        assert low - 1 <= wait <= high, waits
    assert waits[0] <= waits[1] <= waits[2]
    row = (await rows(database, outbox))[event_id]
    assert (row.attempts, row.published_at) == (5, None)
    assert "503" in row.last_error


async def test_an_unreachable_intake_backs_off_too(
    http: httpx.AsyncClient, database: Database, outbox: Table
) -> None:
    [event_id] = await write(database, outbox, 1)
    async with serving(FakeIntake()) as url:
        pass  # the port is closed again: nobody answers there
    outcome = await relay(http, database, outbox, url).relay_batch()
    assert outcome.intake_unavailable
    row = (await rows(database, outbox))[event_id]
    assert (row.attempts, row.published_at) == (1, None)
    assert "unreachable" in row.last_error
    assert row.next_attempt_at > row.occurred_at  # not due again at once


async def test_a_rejected_event_backs_off_alone_with_intakes_problem(
    http: httpx.AsyncClient, database: Database, outbox: Table
) -> None:
    ids = await write(database, outbox, 5)
    intake = FakeIntake(reject={ids[2]})
    async with serving(intake) as url:
        sender = relay(http, database, outbox, url)
        assert await sender.drain() == 4
        assert await sender.drain() == 0  # the rejected one is not due again yet
    stored = await rows(database, outbox)
    assert {i for i, row in stored.items() if row.published_at is not None} == set(ids) - {ids[2]}
    rejected = stored[ids[2]]
    assert (rejected.published_at, rejected.attempts) == (None, 1)
    assert json.loads(rejected.last_error) == {
        "status": "rejected",
        "problem": {"title": "Invalid event", "status": 422},
    }


async def test_two_relays_at_once_never_send_one_row_concurrently_and_publish_all(
    http: httpx.AsyncClient, database_url: str, database: Database, outbox: Table
) -> None:
    ids = await write(database, outbox, 300)
    intake = FakeIntake(delay=0.02)
    other = Database(database_url)
    try:
        async with serving(intake) as url:
            one, two = (
                relay(http, database, outbox, url, batch_size=20),
                relay(http, other, outbox, url, batch_size=20),
            )
            sent = await asyncio.gather(one.drain(), two.drain())
    finally:
        await other.dispose()
    assert intake.overlaps == []
    assert sorted(intake.ids()) == sorted(ids)  # every row, each exactly once
    assert sum(sent) == 300
    assert all(count > 0 for count in sent), sent  # both took their share (SKIP LOCKED, not waiting)
    assert all(row.published_at is not None for row in (await rows(database, outbox)).values())


async def published(database: Database, table: Table, event_id: str, within: float) -> float:
    """Seconds until the row is published, failing after ``within``."""
    start = time.monotonic()
    while time.monotonic() - start < within:
        row = (await rows(database, table)).get(event_id)
        if row is not None and row.published_at is not None:
            return time.monotonic() - start
        await asyncio.sleep(0.02)
    raise AssertionError(f"not published within {within} s")


@contextlib.asynccontextmanager
async def running(sender: Relay) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    await asyncio.wait_for(sender.listening.wait(), 5)
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)  # a graceful stop, well before the next poll


async def test_the_relay_wakes_on_notify_long_before_its_slow_poll(
    http: httpx.AsyncClient, database_url: str, database: Database, outbox: Table
) -> None:
    intake = FakeIntake()
    async with serving(intake) as url:
        sender = relay(http, database, outbox, url, poll_seconds=30, listen_dsn=libpq_dsn(database_url))
        async with running(sender):
            await asyncio.sleep(0.2)  # the relay has looked once and now waits
            [event_id] = await write(database, outbox, 1)
            assert await published(database, outbox, event_id, within=1.0) < 1.0


async def test_the_relay_listens_again_after_losing_its_connection(
    http: httpx.AsyncClient, database_url: str, database: Database, outbox: Table
) -> None:
    intake = FakeIntake()
    async with serving(intake) as url:
        sender = relay(http, database, outbox, url, poll_seconds=30, listen_dsn=libpq_dsn(database_url))
        async with running(sender):
            connection = await asyncpg.connect(libpq_dsn(database_url))
            try:
                killed = await connection.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE application_name = 'nominations-relay-listen'"
                    " AND query ILIKE '%LISTEN%' AND datname = current_database()"
                )
            finally:
                await connection.close()
            assert killed >= 1
            start = time.monotonic()
            while sender.listening.is_set() and time.monotonic() - start < 2:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            await asyncio.wait_for(sender.listening.wait(), 5)
            await asyncio.sleep(0.2)
            [event_id] = await write(database, outbox, 1)
            assert await published(database, outbox, event_id, within=1.0) < 1.0


async def test_the_relay_polls_for_what_comes_due_without_a_notification(
    http: httpx.AsyncClient, database: Database, outbox: Table
) -> None:
    """Without LISTEN (it is never lost for good, but it may be down a while) the poll finds the rows."""
    [event_id] = await write(database, outbox, 1)
    async with serving(FakeIntake()) as url:
        sender = relay(http, database, outbox, url, poll_seconds=0.1)
        stop = asyncio.Event()
        task = asyncio.create_task(sender.run(stop))
        try:
            await published(database, outbox, event_id, within=2.0)
        finally:
            stop.set()
            await asyncio.wait_for(task, 5)


def test_backoff_is_bounded_and_never_shrinks() -> None:
    backoff = Backoff(base_seconds=0.5, cap_seconds=300)
    assert backoff.delay(0, lambda: 1.0) == 0.5
    assert backoff.delay(0, lambda: 0.0) == 0.25
    assert backoff.delay(3, lambda: 1.0) == 4.0
    assert backoff.delay(20, lambda: 1.0) == 300
    assert backoff.delay(10_000, lambda: 0.999) <= 300
    # The shortest wait after n+1 failures is the longest after n: delays grow until the cap.
    for attempts in range(9):
        assert backoff.delay(attempts + 1, lambda: 0.0) >= backoff.delay(attempts, lambda: 1.0)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_client_credentials_are_fetched_once_and_renewed_before_they_expire() -> None:
    issued: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            assert request.headers["authorization"].startswith("Basic ")
            issued.append(dict(httpx.QueryParams(request.content.decode())))
            return httpx.Response(200, json={"access_token": f"t{len(issued)}", "expires_in": 300})
        token = request.headers["authorization"].removeprefix("Bearer ")
        if token == "t2" and len(issued) == 2:  # revoked: intake refuses it once
            return httpx.Response(401)
        return httpx.Response(200, json={"results": [{"id": "a", "status": "accepted"}], "token": token})

    clock = Clock()
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="https://idp.test")
    tokens = ClientCredentials("https://idp.test/token", "nominations", "secret", client, clock=clock)
    intake = Intake("https://notifications.test", tokens, client)
    assert (await intake.send([{"id": "a"}]))["a"].status == "accepted"
    assert await tokens.token() == "t1"
    assert issued == [{"grant_type": "client_credentials"}]
    clock.now += 269  # within 30 s of expiry: renewed
    assert await tokens.token() == "t1"
    clock.now += 2
    # The renewed token t2 is refused once: forgotten, t3 fetched, and the batch sent again.
    assert (await intake.send([{"id": "a"}]))["a"].status == "accepted"
    assert await tokens.token() == "t3"
    assert len(issued) == 3
    await client.aclose()


class ProducerSettings(EventProducerSettings):
    model_config = SettingsConfigDict(env_prefix="RELAYTEST_", extra="ignore", frozen=True)
    service_name: ClassVar[str] = "relaytest"
    db_schema: ClassVar[str] = "relaytest"


@pytest.fixture
def jwks(tmp_path: Path) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text('{"keys": []}')
    return path


async def test_the_relay_command_refuses_to_start_unconfigured(
    jwks: Path, outbox: Table, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = ProducerSettings(
        environment=Environment.DEVELOPMENT, database_url=SecretStr("postgresql://u@h/db"), jwks_file=jwks
    )
    _, command = relay_command(outbox)
    assert await command(settings) == 2
    err = capsys.readouterr().err
    assert "RELAYTEST_NOTIFICATIONS_URL" in err
    assert "RELAYTEST_SERVICE_TOKEN" in err
    assert "RELAYTEST_SERVICE_TOKEN_URL" in err


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"service_token": "x", "service_token_url": "https://idp/token"},
            "set either RELAYTEST_SERVICE_TOKEN or RELAYTEST_SERVICE_TOKEN_URL",
        ),
        ({"service_token_url": "https://idp/token"}, "go together"),
        ({"service_client_id": "nominations"}, "go together"),
        ({"notifications_url": "ftp://n"}, "must be an http(s) URL"),
        ({"relay_backoff_base_seconds": 10, "relay_backoff_cap_seconds": 1}, "must not be less than"),
    ],
)
def test_relay_settings_that_cannot_work_are_refused(jwks: Path, given: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ProducerSettings(
            environment=Environment.DEVELOPMENT,
            database_url=SecretStr("postgresql://u@h/db"),
            jwks_file=jwks,
            **given,
        )


def test_production_needs_https_to_notifications(jwks: Path) -> None:
    production: dict[str, Any] = {
        "environment": "production",
        "database_url": SecretStr("postgresql://u@h/db"),
        "jwks_url": "https://idp/jwks",
        "jwt_issuer": "i",
        "jwt_audience": "a",
    }
    with pytest.raises(ValueError, match="RELAYTEST_NOTIFICATIONS_URL must be an https URL in production"):
        ProducerSettings.model_validate(
            production | {"notifications_url": "http://notifications:8000", "service_token": "x"}
        )
    allowed = ProducerSettings.model_validate(
        production | {"notifications_url": "https://notifications", "service_token": "x"}
    )
    assert allowed.relay_not_configured() is None
