"""TEMPORARY review probe: lost wake-up in ChangeFeed; deleted after running."""
from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg

from devstack.postgres import PostgresServer, libpq_url
from shared import migrations
from shared.database import Database
from targets.catalogue import feed as feed_module
from targets.catalogue.feed import ChangeFeed
from targets.seed.loader import load_seed


async def test_probe_lost_wakeup(postgres_server: PostgresServer, monkeypatch) -> None:
    name = f"probe_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name)
    await asyncio.to_thread(migrations.upgrade, migrations.alembic_config("targets:migrations", url, "targets"))
    db = Database(url)
    async with db.session() as s:
        await load_seed(s)
    await db.dispose()
    dsn = libpq_url(url)
    real_connect = asyncpg.connect
    state = {"armed": False}

    async def other_process_commit() -> None:
        c = await real_connect(dsn)
        try:
            async with c.transaction():
                await c.execute("UPDATE targets.change_counters SET data = nextval('targets.data_version')")
                await c.execute("SELECT pg_notify('targets_changes', '')")
        finally:
            await c.close()

    async def connect(*a, **k):
        con = await real_connect(*a, **k)
        orig = con.fetchrow

        async def fetchrow(q, *args):
            row = await orig(q, *args)
            if state["armed"]:
                state["armed"] = False
                # Another replica commits right after our read's snapshot; its NOTIFY arrives before clear().
                await other_process_commit()
                await asyncio.sleep(0.1)
            return row
        con.fetchrow = fetchrow
        return con

    monkeypatch.setattr(feed_module.asyncpg, "connect", connect)
    f = ChangeFeed(dsn)
    f.start()
    try:
        while f.current() is None:
            await asyncio.sleep(0.01)
        before = f.current()
        state["armed"] = True
        f._wake.set()  # a first notification: triggers the refresh during which the second commit lands
        t0 = time.monotonic()
        while f.current() == before or state["armed"]:
            await asyncio.sleep(0.01)
        stale = f.current()
        c = await real_connect(dsn)
        actual = await c.fetchrow("SELECT catalogue, data FROM targets.change_counters")
        await c.close()
        print("feed after refresh", stale, "db", dict(actual))
        while f.current().data != actual["data"]:
            await asyncio.sleep(0.01)
        print("feed caught up after %.2f s" % (time.monotonic() - t0))
    finally:
        await f.stop()
        await asyncio.to_thread(postgres_server.drop_database, name)
