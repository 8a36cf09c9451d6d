"""Alembic, the same way for every service.

Each service keeps its migrations inside its package (``targets/migrations``), so the wheel in its image
carries them. The schema is created before Alembic writes its version table into it; a transaction-level
advisory lock keeps two migrate jobs of the same service (two replicas starting at once) from racing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import command, context
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from shared.database import to_async_url

VERSION_TABLE = "alembic_version"


def alembic_config(script_location: str, database_url: str, schema: str) -> Config:
    """A programmatic Alembic config; ``script_location`` is a package resource (``targets:migrations``)."""
    config = Config()
    config.set_main_option("script_location", script_location)
    # ConfigParser interpolation would choke on a '%' in a password.
    config.set_main_option("sqlalchemy.url", to_async_url(database_url).replace("%", "%%"))
    config.attributes["schema"] = schema
    return config


def upgrade(config: Config, revision: str = "head") -> None:
    command.upgrade(config, revision)


def downgrade(config: Config, revision: str) -> None:
    command.downgrade(config, revision)


def head_revision(script_location: str) -> str | None:
    config = Config()
    config.set_main_option("script_location", script_location)
    return ScriptDirectory.from_config(config).get_current_head()


async def current_revision(connection: AsyncConnection, schema: str) -> str | None:
    """The schema's applied revision, or ``None`` before the first migration (plain SQL, no Alembic)."""
    exists = await connection.scalar(
        text("SELECT to_regclass(:table) IS NOT NULL"), {"table": f'"{schema}".{VERSION_TABLE}'}
    )
    if not exists:
        return None
    # The schema name is the service's own constant, never input.
    query = text(f'SELECT version_num FROM "{schema}".{VERSION_TABLE}')  # noqa: S608
    rows = (await connection.execute(query)).scalars()
    revisions = list(rows)
    return revisions[0] if len(revisions) == 1 else ",".join(sorted(revisions)) or None


# Tables a library keeps in a service's schema and migrates itself (the notifications service's job queue):
# created by a migration from the library's own schema file, never compared with the models.
LIBRARY_TABLE_PREFIXES = ("procrastinate_",)


def is_library_table(name: str | None) -> bool:
    return name is not None and name.startswith(LIBRARY_TABLE_PREFIXES)


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py``."""
    config = context.config
    schema: str = config.attributes["schema"]

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        # Autogenerate looks only at this service's schema; other services' tables are not ours to touch.
        if type_ == "table":
            return bool(getattr(obj, "schema", None) == schema) and not is_library_table(name)
        return True

    def run(sync_connection: Connection) -> None:
        context.configure(
            connection=sync_connection,
            target_metadata=target_metadata,
            version_table_schema=schema,
            version_table=VERSION_TABLE,
            include_schemas=True,
            include_object=include_object,
            compare_type=True,
            transaction_per_migration=False,
        )
        with context.begin_transaction():
            sync_connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"alembic:{schema}"}
            )
            sync_connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
        try:
            async with engine.connect() as connection:
                await connection.run_sync(run)
        finally:
            await engine.dispose()

    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=target_metadata,
            version_table_schema=schema,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
    else:
        asyncio.run(run_async())
