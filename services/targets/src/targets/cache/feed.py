"""The change counters, pushed: PostgreSQL ``LISTEN``/``NOTIFY`` instead of a query per request.

Every transaction that bumps a counter also sends ``NOTIFY targets_changes`` (delivered at commit, never
for a rollback). Each process keeps one listening connection and re-reads the counters when notified (and
every few seconds anyway), so a cached progress report is served without touching the database.

Staleness is bounded two ways. Across processes, by the notification delay (milliseconds). Within the
process that made a change, not at all: after its commit it marks the feed dirty, and until a refresh that
began after that mark has finished, readers fall back to reading the counters from the database. When the
listening connection is lost, readers fall back too, until it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from targets.cache.counters import CHANNEL, Counters

logger = logging.getLogger(__name__)
REFRESH_EVERY_SECONDS = 5.0
RECONNECT_AFTER_SECONDS = 1.0
APPLICATION_NAME = "targets-change-feed"


class ChangeFeed:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._counters: Counters | None = None
        self._healthy = False
        self._marks = 0
        self._clean_marks = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def current(self) -> Counters | None:
        """The counters, or ``None`` when the caller must read them from the database itself."""
        if self._healthy and self._clean_marks == self._marks:
            return self._counters
        return None

    def mark_dirty(self) -> None:
        """Called after this process committed a change: distrust the counters until the next refresh."""
        self._marks += 1

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="targets-change-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(
                    self.dsn, timeout=5, server_settings={"application_name": APPLICATION_NAME}
                )
                lost = asyncio.Event()

                def on_lost(_: object, lost: asyncio.Event = lost) -> None:
                    # Distrust the counters at once: changes made from now on would go unnoticed.
                    self._healthy = False
                    lost.set()
                    self._wake.set()

                connection.add_termination_listener(on_lost)
                await connection.add_listener(CHANNEL, lambda *_: self._wake.set())
                while not lost.is_set():
                    marks = self._marks
                    # Cleared before the read: a notification that lands during it wakes the next refresh
                    # (cleared after, it would be lost, and its change unseen until the periodic refresh).
                    self._wake.clear()
                    row = await connection.fetchrow("SELECT catalogue, data FROM targets.change_counters")
                    if row is None:
                        raise RuntimeError("targets.change_counters is empty")
                    if lost.is_set():
                        break
                    self._counters = Counters(catalogue=row["catalogue"], data=row["data"])
                    self._clean_marks = marks
                    self._healthy = True
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), REFRESH_EVERY_SECONDS)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("change feed unavailable, reading counters per request: %s", exc)
            finally:
                self._healthy = False
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await connection.close(timeout=2)
            await asyncio.sleep(RECONNECT_AFTER_SECONDS)
