"""Async database access: one engine per process, one session per request, one place that commits.

Endpoints receive a session through :data:`SessionDep`; service code only ``flush()``es. When the endpoint
returns, :meth:`Database.session` commits; when anything raises, it rolls back, so a request never leaves
half its writes behind.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import DateTime, MetaData, event, make_url
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from shared.problems import (
    UnstorableValue,
    handle_unavailable,
    problem_response,
    problem_type,
    request_instance,
)

# Stable constraint names, so migrations can refer to them and autogenerate does not churn.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The database is down or unreachable (rendered as 503 problems by shared.app, not 500s).
DATABASE_UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    sqlalchemy_exc.OperationalError,
    sqlalchemy_exc.InterfaceError,
    sqlalchemy_exc.TimeoutError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    # asyncpg's protocol found its connection in a state it cannot go on from: what a connection cut by the
    # server in mid-operation leaves ("cannot switch to state 15; another operation (2) is in progress",
    # about one cut in twenty after pg_terminate_backend); SQLAlchemy raises it as InternalError. The class
    # also covers asyncpg's protocol errors and a stale schema cache after a migration: each is a request
    # worth retrying on a new connection, so a 503 with Retry-After fits them too.
    asyncpg.exceptions.InternalClientError,
)


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what it wraps (SQLAlchemy → its DBAPI adapter → asyncpg)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__ or getattr(current, "orig", None)
    return chain


def _data_error_reason(exc: BaseException) -> str | None:
    """Why PostgreSQL (or asyncpg, before sending it) refused a value the validation let through."""
    for cause in _causes(exc):
        if isinstance(
            cause,
            asyncpg.exceptions.CharacterNotInRepertoireError
            | asyncpg.exceptions.UntranslatableCharacterError,
        ):
            return "Text may not contain the NUL character (\\u0000)."
        # asyncpg's own check of a parameter (an integer beyond int4, say), not an overflow inside a query.
        if isinstance(cause, asyncpg.exceptions.DataError) and str(cause).startswith(
            "invalid input for query argument"
        ):
            return "A number is out of the range this field can hold."
    return None


async def handle_data_error(request: Request, exc: Exception) -> JSONResponse:
    """What PostgreSQL refuses through a plain ``DBAPIError``: a value no validation rule caught (a NUL
    character, an integer beyond int4) is the caller's 422; a server refusing connections (starting up, too
    many clients), which asyncpg reports at connect time this way, is the 503 a lost database is. Anything
    else stays the 500 it is."""
    if any(isinstance(cause, DATABASE_UNAVAILABLE_ERRORS) for cause in _causes(exc)):
        return await handle_unavailable(request, exc)
    reason = _data_error_reason(exc)
    if reason is None:
        raise exc
    return problem_response(
        UnstorableValue.status,
        title=UnstorableValue.title,
        type_=problem_type(UnstorableValue.slug or ""),
        detail=reason,
        instance=request_instance(request),
    )


_POSTGRES_SCHEMES = {
    "postgresql",
    "postgres",
    "postgresql+asyncpg",
    "postgresql+psycopg",
    "postgresql+psycopg2",
}


# Timestamps are stored with their offset (UTC); naive datetimes never reach the database.
TYPE_ANNOTATION_MAP: dict[Any, Any] = {datetime: DateTime(timezone=True)}


def schema_metadata(schema: str) -> MetaData:
    """Metadata whose tables all live in the service's own PostgreSQL schema."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


def parse_postgres_url(url: str) -> URL:
    """A standard ``postgresql://`` URL (TCP or ``?host=/socket/dir``) as a SQLAlchemy URL for asyncpg."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(
            "is not a valid URL (expected postgresql://user:password@host:port/database)"
        ) from None
    if parsed.drivername not in _POSTGRES_SCHEMES:
        raise ValueError(f"scheme {parsed.drivername!r} is not PostgreSQL (expected postgresql://)")
    if not parsed.database:
        raise ValueError("names no database (expected postgresql://user:password@host:port/database)")
    if not parsed.host and "host" not in parsed.query:
        raise ValueError("names no host (a TCP host, or ?host=/path/to/socket/dir)")
    return parsed.set(drivername="postgresql+asyncpg")


def libpq_dsn(url: str) -> str:
    """The same URL without a SQLAlchemy driver, for asyncpg used directly (e.g. LISTEN connections)."""
    return parse_postgres_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def to_async_url(url: str) -> str:
    return parse_postgres_url(url).render_as_string(hide_password=False)


AFTER_COMMIT = "after_commit"


def after_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Run ``callback`` after the request's transaction commits (see :meth:`Database.session`)."""
    callbacks: list[Callable[[], None]] = session.info.setdefault(AFTER_COMMIT, [])
    if callback not in callbacks:
        callbacks.append(callback)


# A connection back in the pool for less than this is taken as it is; one idle longer is pinged before use.
# SQLAlchemy's pool_pre_ping pings on every checkout, and asyncpg's ping is three round trips (BEGIN, an empty
# query, ROLLBACK): as many as the statements of a short transaction (a profile of the notifications worker
# put 11% of its time there). A database that restarts within these seconds fails the requests that were
# using its connections; SQLAlchemy then drops the pool's connections, and the next ones are new.
PING_AFTER_IDLE_SECONDS = 10.0


def ping_when_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    """Ping a connection on checkout only when it has been idle for ``idle_seconds`` or more (a new
    connection is not pinged); a connection that fails the ping is replaced (SQLAlchemy's custom
    pessimistic disconnect handling: ``DisconnectionError`` in a checkout listener)."""
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            sync_engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise sqlalchemy_exc.DisconnectionError(f"the pooled connection failed its ping: {exc}") from exc


class Database:
    """The process's engine and session factory; created in the app's lifespan, disposed at shutdown."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        max_overflow: int = 10,
        connect_timeout: float = 5.0,
        statement_timeout_ms: int = 30_000,
        application_name: str = "emulation-platform",
        ping_after_idle_seconds: float = PING_AFTER_IDLE_SECONDS,
    ) -> None:
        server_settings = {"application_name": application_name}
        if statement_timeout_ms:
            server_settings["statement_timeout"] = str(statement_timeout_ms)
        self.engine: AsyncEngine = create_async_engine(
            to_async_url(url),
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_timeout=connect_timeout,
            connect_args={"timeout": connect_timeout, "server_settings": server_settings},
        )
        # Connections that died with the database (idle in the pool meanwhile) are replaced transparently.
        ping_when_idle(self.engine, ping_after_idle_seconds)
        self.sessionmaker: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False, autoflush=False
        )

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """The unit of work: commit when the block succeeds, roll back when it raises.

        Callbacks registered with :func:`after_commit` run once the commit has succeeded (never after a
        rollback), e.g. to tell a cache that what it holds may be out of date.
        """
        async with self.sessionmaker() as session:
            try:
                yield session
            except BaseException:
                session.info.pop(AFTER_COMMIT, None)
                await session.rollback()
                raise
            else:
                await session.commit()
                for callback in session.info.pop(AFTER_COMMIT, []):
                    callback()

    async def dispose(self) -> None:
        await self.engine.dispose()


def get_database(request: Request) -> Database:
    database: Any = request.app.state.database
    assert isinstance(database, Database)  # noqa: S101 - set by the app factory's lifespan
    return database


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with get_database(request).session() as session:
        yield session


# scope="function": the commit happens when the endpoint returns and before the response is sent, so a
# failing commit answers an error instead of a 2xx for writes that were never stored. (The default
# "request" scope runs the exit code after the response has gone.)
async def current_database(request: Request) -> Database:
    """For endpoints that open a session only when they need one (e.g. to answer from a cache first)."""
    return get_database(request)


DatabaseDep = Annotated[Database, Depends(current_database)]

SessionDep = Annotated[AsyncSession, Depends(get_db_session, scope="function")]
