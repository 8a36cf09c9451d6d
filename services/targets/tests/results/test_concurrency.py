"""An import and a catalogue change running at once: the import never commits against a catalogue that
changed after its checks (committed transactions, in a database of their own)."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from devstack.postgres import PostgresServer
from shared import migrations
from shared.auth import Principal, Role
from shared.database import Database
from targets.cache.counters import hold_catalogue_steady
from targets.cache.service import CatalogueCache
from targets.results.checks import ImportOptions, ImportStatus
from targets.results.formats import RawValue
from targets.results.schemas import PeriodLockIn
from targets.results.service import create_lock, import_values
from targets.seed.loader import load_seed

ADMIN = Principal(subject="admin", roles=frozenset({Role.ADMIN}), org_unit="HT", claims={})


@pytest.fixture
async def database(postgres_server: PostgresServer) -> AsyncIterator[Database]:
    name = f"race_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name)
    await asyncio.to_thread(
        migrations.upgrade, migrations.alembic_config("targets:migrations", url, "targets")
    )
    database = Database(url)
    async with database.session() as session:
        await load_seed(session)
    yield database
    await database.dispose()
    await asyncio.to_thread(postgres_server.drop_database, name)


async def test_a_lock_waits_for_an_import_that_checked_before_it(database: Database) -> None:
    importer_checked = asyncio.Event()
    release_importer = asyncio.Event()

    async def slow_import() -> None:
        async with database.session() as session:
            await hold_catalogue_steady(session)
            importer_checked.set()
            await release_importer.wait()  # the import's checks and write happen in this window

    async def lock_2023() -> None:
        async with database.session() as session:
            await create_lock(
                session, CatalogueCache(), ADMIN, PeriodLockIn(period="2023", reason="Đã tổng kết")
            )

    importer = asyncio.create_task(slow_import())
    await importer_checked.wait()
    locker = asyncio.create_task(lock_2023())
    await asyncio.sleep(0.3)
    assert not locker.done()  # the lock cannot commit while the import holds the catalogue steady
    release_importer.set()
    await asyncio.wait_for(asyncio.gather(importer, locker), 10)

    # After the lock committed, an import sees it.
    async with database.session() as session:
        result = await import_values(
            session,
            CatalogueCache(),
            ADMIN,
            [RawValue(0, "ECO_NEW_ENTERPRISES", "2023", "HT-HSO", "5", None)],
            ImportOptions(),
            payload_format="json",
            payload_sha256="x",
        )
    assert result.status is ImportStatus.ERROR
    assert [conflict.error_code for conflict in result.conflicts] == ["E7640"]
