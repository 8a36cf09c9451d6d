"""Pytest fixtures shared by every test tree (loaded with ``-p devstack.testing.plugin``).

* one PostgreSQL server per test run (``TEST_DATABASE_URL``, else testcontainers, else embedded);
* one database per xdist worker, migrated once with the services' real Alembic migrations;
* per test, a connection inside a transaction that is rolled back at the end; the app under test gets a
  session factory bound to that connection (savepoints), so its own commit path runs unchanged;
* dev signing keys and a token minter;
* the platform's clock set to :data:`devstack.testing.dates.SUITE_NOW` before every test, never the wall
  clock.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from devstack.keys import DevKeys, ensure_dev_keys
from devstack.paths import state_dir
from devstack.postgres import PostgresServer, test_server
from devstack.stack import SERVICES
from devstack.testing.dates import SUITE_NOW
from devstack.testing.problem_contract import ProblemContract
from shared import clock, migrations
from shared.database import Database

TokenMinter = Callable[..., str]


# The suite's longest files, longest first (pytest --durations, 2026-12-06): collected first, so that with
# pytest-xdist's --dist loadfile they start first and the short files fill the workers around them, instead of
# two of them running side by side at the end while nothing else is left to run.
LONGEST_FIRST = (
    "tests/e2e/test_fuzz.py",
    "tests/e2e/test_chaos.py",
    "tests/e2e/test_notifications_kill.py",
    "tests/e2e/test_processes.py",
    "tests/e2e/test_web_browser.py",
    "tests/e2e/test_demo.py",
    "tests/e2e/test_reminders.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: every file's tests keep their order, and the other files theirs


def pytest_configure(config: pytest.Config) -> None:
    # Set before any fixture runs, so that session fixtures (seeds, stacks) see the suite's date too.
    clock.set_to(SUITE_NOW)


@pytest.fixture(autouse=True)
def suite_clock() -> Iterator[None]:
    """Each test starts at the suite's moment, whatever an earlier test did with the clock."""
    with clock.pinned(SUITE_NOW):
        yield


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    with test_server(state_dir()) as server:
        yield server


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def migrate_all(url: str) -> None:
    for spec in SERVICES:
        migrations.upgrade(migrations.alembic_config(f"{spec.name}:migrations", url, spec.name))


@pytest.fixture(scope="session")
def database_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh database for this worker, every service's schema migrated to head."""
    name = f"test_{_worker()}_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name)
    migrate_all(url)
    yield url
    postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def dev_keys(tmp_path_factory: pytest.TempPathFactory) -> DevKeys:
    return ensure_dev_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="session")
def mint_token(dev_keys: DevKeys) -> TokenMinter:
    """``mint_token(roles=["admin"], org_unit="HT")``: a token the app under test accepts."""
    return dev_keys.mint


AuthHeaders = Callable[..., dict[str, str]]


@pytest.fixture(scope="session")
def auth(mint_token: TokenMinter) -> AuthHeaders:
    """``auth("reporter", org_unit="HT-HSO")``: the Authorization header of such a caller."""

    def headers(*roles: str, org_unit: str | None = "HT", subject: str | None = None) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {mint_token(roles=list(roles), org_unit=org_unit, subject=subject)}"
        }

    return headers


@pytest.fixture(scope="session")
def jwks_file(dev_keys: DevKeys) -> Path:
    return dev_keys.jwks_file


@pytest.fixture(scope="module")
async def running_app(app: FastAPI) -> AsyncIterator[FastAPI]:
    """The service's app with its lifespan entered (engine, token verifier); ``app`` comes from a conftest.

    Module-scoped: each test tree overrides ``app``, and a session-scoped fixture would keep the first one.
    """
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def db_connection(running_app: FastAPI) -> AsyncIterator[AsyncConnection]:
    database: Database = running_app.state.database
    original = database.sessionmaker
    async with database.engine.connect() as connection:
        transaction = await connection.begin()
        database.sessionmaker = async_sessionmaker(
            bind=connection,
            expire_on_commit=False,
            autoflush=False,
            join_transaction_mode="create_savepoint",
        )
        try:
            yield connection
        finally:
            database.sessionmaker = original
            if transaction.is_active:
                await transaction.rollback()


@pytest.fixture
async def db_session(running_app: FastAPI, db_connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    """A session inside the test's transaction, for arranging data and checking what the API stored."""
    async with running_app.state.database.sessionmaker() as session:
        yield session


@pytest.fixture
async def client(running_app: FastAPI, db_connection: AsyncConnection) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client; each request gets a new session, so lazy loads cannot hide between requests."""
    transport = httpx.ASGITransport(app=running_app, raise_app_exceptions=False)
    # Every problem answered is one the app's document names for the operation (problem_contract).
    hooks: dict[str, list[Callable[..., Any]]] = {"response": [ProblemContract(running_app)]}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", event_hooks=hooks
    ) as http:
        yield http
