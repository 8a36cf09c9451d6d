"""A TCP proxy in front of the real database that a test can cut and restore, to simulate an outage."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass

from sqlalchemy import make_url


@dataclass(frozen=True)
class Upstream:
    host: str | None
    port: int
    socket_path: str | None


def upstream_of(url: str) -> Upstream:
    parsed = make_url(url)
    port = parsed.port or 5432
    socket_dir = parsed.query.get("host")
    if isinstance(socket_dir, str) and socket_dir.startswith("/"):
        return Upstream(host=None, port=port, socket_path=f"{socket_dir}/.s.PGSQL.{port}")
    return Upstream(host=parsed.host or "127.0.0.1", port=port, socket_path=None)


class CuttableProxy:
    """Forwards 127.0.0.1:``port`` to the database; ``cut()`` drops all connections, ``restore()`` resumes."""

    def __init__(self, upstream: Upstream, port: int) -> None:
        self.upstream = upstream
        self.port = port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="db-proxy", daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread.start()

    def _call(self, coroutine: object) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)  # type: ignore[arg-type]

    def restore(self) -> None:
        self._call(self._listen())

    def cut(self) -> None:
        self._call(self._close())

    def close(self) -> None:
        self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _open_upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.upstream.socket_path:
            return await asyncio.open_unix_connection(self.upstream.socket_path)
        assert self.upstream.host is not None
        return await asyncio.open_connection(self.upstream.host, self.upstream.port)

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await self._open_upstream()
        except OSError:
            client_writer.transport.abort()
            return
        self._writers.update({client_writer, server_writer})

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            writer.transport.abort()

        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))
        self._writers.difference_update({client_writer, server_writer})
