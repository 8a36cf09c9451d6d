from pathlib import Path

import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from devstack.keys import DEV_AUDIENCE, DEV_ISSUER
from devstack.postgres import run_sync
from nominations.catalogue.seed import load_catalogue
from nominations.config import Settings
from nominations.main import create_app
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
    """The award catalogue, committed once per worker database; each test runs in a rolled-back one."""

    async def load() -> None:
        database = Database(database_url)
        try:
            async with database.session() as session:
                await load_catalogue(session)
        finally:
            await database.dispose()

    run_sync(load())


@pytest.fixture(scope="session")
def app(settings: Settings, seeded: None) -> FastAPI:
    return create_app(settings)
