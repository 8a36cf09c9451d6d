"""The change feed with real commits (its own database: these changes are committed, not rolled back)."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from devstack.keys import DEV_AUDIENCE, DEV_ISSUER
from devstack.postgres import PostgresServer, libpq_url
from devstack.testing.plugin import AuthHeaders
from shared import migrations
from shared.database import Database
from shared.settings import Environment
from targets.cache import feed as feed_module
from targets.cache.counters import Counters
from targets.cache.feed import APPLICATION_NAME
from targets.config import Settings
from targets.main import create_app
from targets.seed.loader import load_seed


async def eventually(predicate: object, within: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        if predicate():  # type: ignore[operator]
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


@pytest.fixture
async def feed_app(
    postgres_server: PostgresServer, jwks_file: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[FastAPI, str]]:
    # No periodic refresh within a test: only notifications can bring the feed up to date, so a lost
    # notification fails the test instead of being covered by the timer.
    monkeypatch.setattr(feed_module, "REFRESH_EVERY_SECONDS", 600.0)
    name = f"feed_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name)
    await asyncio.to_thread(
        migrations.upgrade, migrations.alembic_config("targets:migrations", url, "targets")
    )
    database = Database(url)
    async with database.session() as session:
        await load_seed(session)
    await database.dispose()
    settings = Settings(
        environment=Environment.TEST,
        database_url=SecretStr(url),
        jwks_file=jwks_file,
        jwt_issuer=DEV_ISSUER,
        jwt_audience=DEV_AUDIENCE,
        change_feed=True,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app, url
    await asyncio.to_thread(postgres_server.drop_database, name)


def feed_counters(app: FastAPI) -> Counters | None:
    feed = app.state.catalogue.feed
    assert feed is not None
    current: Counters | None = feed.current()
    return current


async def test_cached_progress_follows_commits_of_this_and_other_processes(
    feed_app: tuple[FastAPI, str], auth: AuthHeaders
) -> None:
    app, url = feed_app
    await eventually(lambda: feed_counters(app) is not None)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:

        async def province_status(indicator: str) -> str:
            response = await client.get("/v1/progress", params={"at": "2025-12-31"}, headers=auth("viewer"))
            assert response.status_code == 200
            return str(
                next(
                    row["status"] for row in response.json()["items"] if row["indicator"]["code"] == indicator
                )
            )

        assert await province_status("ENV_FOREST_COVER") == "no_data"
        # This process writes: the very next read must see it, notification delivered or not.
        posted = await client.post(
            "/v1/data-value-sets",
            json={
                "dataValues": [
                    {"dataElement": "ENV_FOREST_COVER", "period": "2025", "orgUnit": "HT", "value": "53"}
                ]
            },
            headers=auth("admin"),
        )
        assert posted.json()["importCount"]["imported"] == 1
        assert await province_status("ENV_FOREST_COVER") == "achieved"

        # Another process writes (straight into the database, as another replica would).
        before = feed_counters(app)
        connection = await asyncpg.connect(libpq_url(url))
        try:
            async with connection.transaction():
                await connection.execute(
                    "UPDATE targets.data_values SET value = '50', number = 50 WHERE indicator_id ="
                    " (SELECT id FROM targets.indicators WHERE code = 'ENV_FOREST_COVER')"
                )
                await connection.execute(
                    "UPDATE targets.change_counters SET data = nextval('targets.data_version')"
                )
                await connection.execute("SELECT pg_notify('targets_changes', '')")
        finally:
            await connection.close()
        await eventually(lambda: feed_counters(app) not in (None, before), within=1.0)
        assert await province_status("ENV_FOREST_COVER") == "off_track"


async def test_losing_the_listening_connection_falls_back_to_queries_and_recovers(
    feed_app: tuple[FastAPI, str],
) -> None:
    app, url = feed_app
    await eventually(lambda: feed_counters(app) is not None)
    connection = await asyncpg.connect(libpq_url(url))
    try:
        killed = await connection.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = $1",
            APPLICATION_NAME,
        )
    finally:
        await connection.close()
    assert killed >= 1
    await eventually(lambda: feed_counters(app) is None, within=3)
    await eventually(lambda: feed_counters(app) is not None, within=10)
