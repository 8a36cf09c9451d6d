"""The real targets app, in-process, answering the nominations service's hierarchy questions.

Its session is bound to the test's connection, like the nominations app's, so org units a test adds through
the targets API are rolled back with the rest of the test.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker

from devstack.keys import DEV_AUDIENCE, DEV_ISSUER
from devstack.postgres import run_sync
from nominations.org_scope import TargetsClient, get_targets_client
from shared.database import Database
from shared.settings import Environment
from targets.config import Settings as TargetsSettings
from targets.main import create_app as create_targets_app
from targets.seed.loader import load_seed


@pytest.fixture(scope="session")
def targets_seeded(database_url: str) -> None:
    """The Hà Tĩnh org units, committed once per worker database (the loader is idempotent)."""

    async def load() -> None:
        database = Database(database_url)
        try:
            async with database.session() as session:
                await load_seed(session)
        finally:
            await database.dispose()

    run_sync(load())


@pytest.fixture(scope="module")
async def targets_app(database_url: str, jwks_file: Path, targets_seeded: None) -> AsyncIterator[FastAPI]:
    settings = TargetsSettings(
        environment=Environment.TEST,
        database_url=SecretStr(database_url),
        jwks_file=jwks_file,
        jwt_issuer=DEV_ISSUER,
        jwt_audience=DEV_AUDIENCE,
        change_feed=False,
    )
    app = create_targets_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def targets(
    running_app: FastAPI, targets_app: FastAPI, db_connection: AsyncConnection
) -> AsyncIterator[httpx.AsyncClient]:
    """Wires the nominations app to the real targets app; the client calls the targets app directly."""
    database: Database = targets_app.state.database
    original = database.sessionmaker
    database.sessionmaker = async_sessionmaker(
        bind=db_connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
    )
    transport = httpx.ASGITransport(app=targets_app, raise_app_exceptions=False)
    hierarchy_client = TargetsClient("http://targets", cache_seconds=0, transport=transport)

    async def override() -> TargetsClient:
        return hierarchy_client

    running_app.dependency_overrides[get_targets_client] = override
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://targets") as http:
            yield http
    finally:
        running_app.dependency_overrides.pop(get_targets_client, None)
        await hierarchy_client.aclose()
        database.sessionmaker = original
