from pathlib import Path

import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from devstack.keys import DEV_AUDIENCE, DEV_ISSUER
from devstack.postgres import run_sync
from shared.database import Database
from shared.settings import Environment
from targets.config import Settings
from targets.main import create_app
from targets.seed.loader import load_seed


@pytest.fixture(scope="session")
def settings(database_url: str, jwks_file: Path) -> Settings:
    return Settings(
        environment=Environment.TEST,
        database_url=SecretStr(database_url),
        jwks_file=jwks_file,
        jwt_issuer=DEV_ISSUER,
        jwt_audience=DEV_AUDIENCE,
        # Tests run inside rolled-back transactions, whose changes never notify; counters are read per
        # request instead (the feed itself is tested with committed changes in catalogue/test_feed.py).
        change_feed=False,
        # Exact public reports: a report of another test's rolled-back data must not be served for a few
        # seconds (the staleness itself is tested with a clock of its own in progress/test_progress_api.py).
        public_progress_max_staleness_seconds=0,
    )


@pytest.fixture(scope="session")
def seeded(database_url: str) -> None:
    """The Hà Tĩnh seed, committed once per worker database; each test runs in a rolled-back transaction."""

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
