"""Fixtures of the notifications tests. The root plugin (devstack.testing.plugin) gives ``client`` (an
in-process client whose every request gets its own session) and ``db_session`` (a session in the test's
transaction, rolled back after it), both over the ``app`` below."""

from pathlib import Path

import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from devstack.keys import DEV_AUDIENCE, DEV_ISSUER
from devstack.postgres import run_sync
from notifications.config import Settings
from notifications.main import create_app
from notifications.seed import load_seed
from shared.database import Database
from shared.settings import Environment


@pytest.fixture(scope="session")
def settings(database_url: str, jwks_file: Path) -> Settings:
    return Settings(
        environment=Environment.TEST,
        database_url=SecretStr(database_url),
        jwks_file=jwks_file,
        jwt_issuer=DEV_ISSUER,
        jwt_audience=DEV_AUDIENCE,
    )


@pytest.fixture(scope="session")
def seeded(database_url: str) -> None:
    """The service's seed (every event type's templates, vi and en), committed once per worker database."""

    async def load() -> None:
        database = Database(database_url)
        try:
            async with database.session() as session:
                await load_seed(session)
        finally:
            await database.dispose()

    run_sync(load())


@pytest.fixture(scope="session")
def app(settings: Settings, seeded: None) -> FastAPI:
    return create_app(settings)
