from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from devstack.keys import DEV_AUDIENCE, DEV_ISSUER
from devstack.postgres import run_sync
from devstack.testing.plugin import AuthHeaders
from nominations.calendar.seed import load_exceptions
from nominations.catalogue.seed import load_catalogue
from nominations.config import Settings
from nominations.main import create_app
from nominations.movements.seed import load_movements
from nominations.org_scope import TargetsClient
from services.nominations.tests.arrange import Arrange
from shared.database import Database
from shared.settings import Environment
from targets.config import Settings as TargetsSettings
from targets.main import create_app as create_targets_app
from targets.seed.loader import load_seed as load_targets_seed


@pytest.fixture(scope="session")
def settings(database_url: str, jwks_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        environment=Environment.TEST,
        database_url=SecretStr(database_url),
        jwks_file=jwks_file,
        jwt_issuer=DEV_ISSUER,
        jwt_audience=DEV_AUDIENCE,
        attachments_dir=tmp_path_factory.mktemp("attachments"),
    )


@pytest.fixture(scope="session")
def seeded(database_url: str) -> None:
    """The nominations seed (the award catalogue, the calendar's seeded exceptions, the movements) and the
    targets service's Hà Tĩnh seed, committed once per worker database."""

    async def load() -> None:
        database = Database(database_url)
        try:
            async with database.session() as session:
                await load_catalogue(session)
                await load_exceptions(session)
                await load_movements(session)
            async with database.session() as session:
                await load_targets_seed(session)
        finally:
            await database.dispose()

    run_sync(load())


@pytest.fixture(scope="session")
def app(settings: Settings, seeded: None) -> FastAPI:
    return create_app(settings)


@pytest.fixture(scope="session")
def targets_app(database_url: str, jwks_file: Path, seeded: None) -> FastAPI:
    """The real targets service (not a fake), served in-process to the nominations service's client."""
    return create_targets_app(
        TargetsSettings(
            environment=Environment.TEST,
            database_url=SecretStr(database_url),
            jwks_file=jwks_file,
            jwt_issuer=DEV_ISSUER,
            jwt_audience=DEV_AUDIENCE,
            change_feed=False,
        )
    )


@pytest.fixture(scope="module")
async def running_app(app: FastAPI, targets_app: FastAPI) -> AsyncIterator[FastAPI]:
    """The nominations app, calling the real targets app over HTTP (ASGI transport) for org units."""
    async with targets_app.router.lifespan_context(targets_app):
        app.state.targets = TargetsClient(
            "http://targets.test", transport=httpx.ASGITransport(app=targets_app), retries=0
        )
        try:
            async with app.router.lifespan_context(app):
                yield app
        finally:
            await app.state.targets.aclose()
            app.state.targets = None


@pytest.fixture
def arrange(client: httpx.AsyncClient, auth: AuthHeaders) -> Arrange:
    """Nominations brought to the council or to disclosure (see tests/arrange.py)."""
    return Arrange(client, auth)
