from typing import Any

import asyncpg
import pytest
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy import text

from shared.database import Database, libpq_dsn, to_async_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db"),
        ("postgres://u:p@h/db", "postgresql+asyncpg://u:p@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql://u:p%40ss@h/db", "postgresql+asyncpg://u:p%40ss@h/db"),
        ("postgresql://postgres:@/db?host=/run/pg", "postgresql+asyncpg://postgres:@/db?host=%2Frun%2Fpg"),
    ],
)
def test_standard_urls_become_asyncpg_urls(given: str, expected: str) -> None:
    assert to_async_url(given) == expected


async def _backend_pid(database: Database) -> int:
    async with database.session() as session:
        return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _terminate(database_url: str, pid: int) -> None:
    connection = await asyncpg.connect(libpq_dsn(database_url))
    try:
        assert await connection.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await connection.close()


def _count_pings(database: Database, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    dialect = database.engine.sync_engine.dialect
    pings: list[Any] = []
    real = dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return real(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return pings


async def test_a_connection_in_steady_use_is_not_pinged(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Database(database_url, pool_size=1, max_overflow=0, ping_after_idle_seconds=3600)
    try:
        pings = _count_pings(database, monkeypatch)
        pids = {await _backend_pid(database) for _ in range(5)}
        assert len(pids) == 1  # the same pooled connection every time
        assert pings == []
    finally:
        await database.dispose()


async def test_a_connection_that_died_while_idle_is_replaced_without_an_error(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Database(database_url, pool_size=1, max_overflow=0, ping_after_idle_seconds=0.0)
    try:
        pings = _count_pings(database, monkeypatch)
        first = await _backend_pid(database)
        assert len(pings) == 0  # a new connection is not pinged
        await _terminate(database_url, first)
        second = await _backend_pid(database)  # pinged, found dead, replaced: no error reaches the caller
        assert second != first
        assert len(pings) == 1
    finally:
        await database.dispose()


async def test_a_connection_that_died_in_steady_use_fails_once_then_the_pool_renews(
    database_url: str,
) -> None:
    """The price of not pinging a connection used a moment ago: the one request on it fails (and is rolled
    back); SQLAlchemy sees the disconnect and the next request gets a new connection."""
    database = Database(database_url, pool_size=1, max_overflow=0, ping_after_idle_seconds=3600)
    try:
        first = await _backend_pid(database)
        await _terminate(database_url, first)
        with pytest.raises(sqlalchemy_exc.DBAPIError) as caught:
            await _backend_pid(database)
        assert caught.value.connection_invalidated
        assert await _backend_pid(database) != first
    finally:
        await database.dispose()
