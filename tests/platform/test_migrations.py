"""Every service's migrations: the stairway (each step up, down and up again) and models matching them."""

import asyncio
import importlib
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, text
from sqlalchemy.ext.asyncio import create_async_engine

from devstack.postgres import PostgresServer
from shared import migrations
from shared.database import libpq_dsn, to_async_url
from shared.outbox import notify_channel


@pytest.fixture
def empty_database(postgres_server: PostgresServer) -> Iterator[str]:
    name = f"stairway_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)


def revisions(service: str) -> list[str]:
    config = migrations.alembic_config(f"{service}:migrations", "postgresql://u@h/db", service)
    script = ScriptDirectory.from_config(config)
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


async def current(url: str, schema: str) -> str | None:
    engine = create_async_engine(to_async_url(url))
    try:
        async with engine.connect() as connection:
            return await migrations.current_revision(connection, schema)
    finally:
        await engine.dispose()


async def test_stairway_up_down_up(service: str, empty_database: str) -> None:
    config = migrations.alembic_config(f"{service}:migrations", empty_database, service)
    steps = revisions(service)
    assert steps, "no migrations"
    for index, revision in enumerate(steps):
        previous = steps[index - 1] if index else "base"
        await asyncio.to_thread(migrations.upgrade, config, revision)
        assert await current(empty_database, service) == revision
        await asyncio.to_thread(migrations.downgrade, config, previous)
        assert await current(empty_database, service) == (None if previous == "base" else previous)
        await asyncio.to_thread(migrations.upgrade, config, revision)
    assert await current(empty_database, service) == migrations.head_revision(f"{service}:migrations")


async def test_the_version_table_lives_in_the_services_own_schema(service: str, empty_database: str) -> None:
    config = migrations.alembic_config(f"{service}:migrations", empty_database, service)
    await asyncio.to_thread(migrations.upgrade, config, "head")
    engine = create_async_engine(to_async_url(empty_database))
    try:
        async with engine.connect() as connection:
            query = text("SELECT table_schema FROM information_schema.tables WHERE table_name = :name")
            schemas = (await connection.execute(query, {"name": "alembic_version"})).scalars()
            assert list(schemas) == [service]
    finally:
        await engine.dispose()


async def test_models_match_the_migrations(service: str, database_url: str) -> None:
    metadata: MetaData = importlib.import_module(f"{service}.models").Base.metadata

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        return type_ != "table" or (
            getattr(obj, "schema", None) == service and not migrations.is_library_table(name)
        )

    def diff(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_schemas": True,
                "include_object": include,
                "version_table_schema": service,
                "compare_type": True,
            },
        )

        def is_version_table(change: Any) -> bool:
            return (
                isinstance(change, tuple)
                and change[0] == "remove_table"
                and change[1].name == "alembic_version"
            )

        return [change for change in compare_metadata(context, metadata) if not is_version_table(change)]

    engine = create_async_engine(to_async_url(database_url))
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(diff) == []
    finally:
        await engine.dispose()


async def test_an_outbox_insert_wakes_the_relays_once_at_commit(service: str, database_url: str) -> None:
    """The trigger the producers' migrations create: one NOTIFY <schema>_outbox per inserting statement,
    delivered at commit (never for a rollback)."""
    metadata: MetaData = importlib.import_module(f"{service}.models").Base.metadata
    if f"{service}.outbox" not in metadata.tables:
        pytest.skip(f"{service} writes no events")
    listener = await asyncpg.connect(libpq_dsn(database_url))
    heard: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    await listener.add_listener(
        notify_channel(service),
        lambda _connection, _pid, channel, payload: heard.put_nowait((channel, payload)),
    )
    engine = create_async_engine(to_async_url(database_url))
    insert = text(
        f"INSERT INTO {service}.outbox (id, event_type, subject, payload)"  # noqa: S608 - the service's own name
        " SELECT gen_random_uuid(), 'test.event', 'test/' || n, '{}' FROM generate_series(1, 3) AS n"
    )
    try:
        async with engine.connect() as connection:
            transaction = await connection.begin()
            await connection.execute(insert)
            await transaction.rollback()
        await asyncio.sleep(0.2)
        assert heard.empty()
        async with engine.begin() as connection:
            await connection.execute(insert)
        assert await asyncio.wait_for(heard.get(), 2) == (f"{service}_outbox", "")
        await asyncio.sleep(0.2)
        assert heard.empty()  # three rows, one statement: one notification
    finally:
        async with engine.begin() as connection:
            await connection.execute(text(f"DELETE FROM {service}.outbox WHERE event_type = 'test.event'"))  # noqa: S608
        await engine.dispose()
        await listener.close()
