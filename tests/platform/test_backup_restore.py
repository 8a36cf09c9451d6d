"""Each service's schema is backed up and restored on its own, with the commands docs/operations.md gives
(Back up and restore): dump the schema, lose it, restore it, and everything in it is as it was, the other
services' schemas untouched."""

import asyncio
import importlib
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from devstack.postgres import PostgresServer, client_tool, libpq_url
from devstack.stack import SERVICES
from devstack.testing.plugin import migrate_all
from tests.platform.conftest import settings_class


@pytest.fixture
def seeded_database(postgres_server: PostgresServer, base_settings: dict[str, Any]) -> Iterator[str]:
    """A database of its own, every schema migrated and seeded (the province, the plan, the catalogue, the
    templates), as after `make run`."""
    name = f"backup_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name)
    migrate_all(url)
    for spec in SERVICES:
        seed = importlib.import_module(f"{spec.name}.__main__").seed
        assert asyncio.run(seed(settings_class(spec.name)(**{**base_settings, "database_url": url}))) == 0
    yield url
    postgres_server.drop_database(name)


async def fingerprint(url: str, schema: str) -> dict[str, Any]:
    """Every table's rows (a count and a digest of them in order), the sequences' positions, and the
    schema's indexes, constraints and triggers by name."""
    connection = await asyncpg.connect(libpq_url(url))
    try:
        tables = [
            row["table_name"]
            for row in await connection.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = $1"
                " AND table_type = 'BASE TABLE' ORDER BY table_name",
                schema,
            )
        ]
        rows = {}
        for table in tables:
            rows[table] = tuple(
                await connection.fetchrow(
                    f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"  # noqa: S608 - names from the catalogue
                    f' FROM "{schema}"."{table}" t'
                )
            )
        sequences = {
            row["sequencename"]: row["last_value"]
            for row in await connection.fetch(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = $1", schema
            )
        }
        objects = sorted(
            (row["kind"], row["name"])
            for row in await connection.fetch(
                "SELECT 'index' AS kind, indexname AS name FROM pg_indexes WHERE schemaname = $1"
                " UNION ALL SELECT 'constraint', conname FROM pg_constraint c"
                " JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1"
                " UNION ALL SELECT 'trigger', tgname FROM pg_trigger g JOIN pg_class r ON r.oid = g.tgrelid"
                " JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = $1 AND NOT g.tgisinternal"
                " UNION ALL SELECT 'function', proname FROM pg_proc p"
                " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1",
                schema,
            )
        )
        return {"rows": rows, "sequences": sequences, "objects": objects}
    finally:
        await connection.close()


def run(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("schema", [spec.name for spec in SERVICES])
def test_a_schema_dumped_dropped_and_restored_is_as_it_was(
    seeded_database: str, schema: str, tmp_path: Path
) -> None:
    url = libpq_url(seeded_database)
    before = {spec.name: asyncio.run(fingerprint(url, spec.name)) for spec in SERVICES}
    assert sum(count for count, _ in before[schema]["rows"].values()) > 0  # something to lose
    dump = tmp_path / f"{schema}.dump"
    run(client_tool("pg_dump"), f"--dbname={url}", f"--schema={schema}", "--format=custom", f"--file={dump}")
    run(client_tool("psql"), url, "--quiet", "--set=ON_ERROR_STOP=1", "-c", f"DROP SCHEMA {schema} CASCADE")
    assert asyncio.run(fingerprint(url, schema))["rows"] == {}
    run(client_tool("pg_restore"), f"--dbname={url}", "--exit-on-error", "--single-transaction", str(dump))
    after = {spec.name: asyncio.run(fingerprint(url, spec.name)) for spec in SERVICES}
    assert after == before
