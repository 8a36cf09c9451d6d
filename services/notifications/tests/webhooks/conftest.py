"""A real HTTP receiver for the webhook sender's tests (uvicorn in a thread, on 127.0.0.1) and settings
that reach no database."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from devstack.stack import free_port
from notifications.config import Settings
from shared.settings import Environment

HANG_SECONDS = 5.0


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    target: bytes = b""  # the request line's target as it was written (path and query, still encoded)


@dataclass
class Receiver:
    """What the receiver was sent; each path answers its own way (``/ok`` 204, ``/error`` 500 …)."""

    base_url: str
    requests: list[Received] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


def _app(receiver: Receiver) -> Starlette:
    async def record(request: Request) -> Received:
        raw = request.scope.get("raw_path", b"")
        query = request.scope.get("query_string", b"")
        target = raw + (b"?" + query if query else b"")
        received = Received(request.url.path, dict(request.headers), await request.body(), target)
        receiver.requests.append(received)
        return received

    async def ok(request: Request) -> Response:
        await record(request)
        return Response(status_code=204)

    async def redirect(request: Request) -> Response:
        await record(request)
        return Response(status_code=302, headers={"location": receiver.url("/ok")})

    async def error(request: Request) -> Response:
        await record(request)
        return Response("upstream database down", status_code=500)

    async def gone(request: Request) -> Response:
        await record(request)
        return Response(status_code=410)

    async def cookie(request: Request) -> Response:
        await record(request)
        return Response(status_code=204, headers={"set-cookie": "session=of-one-endpoint; Path=/"})

    async def anything(request: Request) -> Response:
        await record(request)
        return Response(status_code=204)

    async def hang(request: Request) -> Response:
        await record(request)
        await asyncio.sleep(HANG_SECONDS)
        return Response(status_code=204)

    return Starlette(
        routes=[
            Route(f"/{name}", handler, methods=["POST"])
            for name, handler in {
                "ok": ok,
                "redirect": redirect,
                "error": error,
                "gone": gone,
                "hang": hang,
                "cookie": cookie,
            }.items()
        ]
        + [Route("/any/{rest:path}", anything, methods=["POST"])]
    )


@pytest.fixture(scope="session")
def running_receiver() -> Iterator[Receiver]:
    port = free_port()
    receiver = Receiver(f"http://127.0.0.1:{port}")
    config = uvicorn.Config(
        _app(receiver), host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="webhook-receiver", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the webhook receiver did not start")
        time.sleep(0.02)
    yield receiver
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def receiver(running_receiver: Receiver) -> Receiver:
    """The running receiver, with nothing received yet."""
    running_receiver.requests.clear()
    return running_receiver


@pytest.fixture(scope="session")
def make_settings(jwks_file: Path) -> Callable[..., Settings]:
    """Settings of the notifications service with the given webhook options (no database is reached)."""

    def make(**options: Any) -> Settings:
        base: dict[str, Any] = {
            "environment": Environment.TEST,
            "database_url": SecretStr("postgresql://unused@127.0.0.1:1/unused"),
            "jwks_file": jwks_file,
        }
        return Settings(**(base | options))

    return make
