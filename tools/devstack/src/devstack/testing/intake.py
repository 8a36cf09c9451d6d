"""A stand-in for the notifications service's intake (``POST /internal/v1/events``) on a real local port, for
the tests of the producers' relays: it answers as the contract says, and fails, rejects or lingers when told.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class FakeIntake:
    """The intake's contract, with what a test makes it do: fail whole batches, reject events, be slow."""

    fail_with: int | None = None
    reject: set[str] = field(default_factory=set)
    delay: float = 0.0
    received: list[list[dict[str, Any]]] = field(default_factory=list)
    in_flight: set[str] = field(default_factory=set)
    overlaps: list[str] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)

    async def events(self, request: Request) -> Response:
        self.authorizations.append(request.headers.get("authorization"))
        if self.fail_with is not None:
            return JSONResponse({"title": "unavailable"}, status_code=self.fail_with)
        batch: list[dict[str, Any]] = await request.json()
        ids = [event["id"] for event in batch]
        self.overlaps.extend(set(ids) & self.in_flight)
        self.in_flight |= set(ids)
        try:
            await asyncio.sleep(self.delay)
            self.received.append(batch)
            results = [
                {"id": i, "status": "rejected", "problem": {"title": "Invalid event", "status": 422}}
                if i in self.reject
                else {"id": i, "status": "accepted"}
                for i in ids
            ]
        finally:
            self.in_flight -= set(ids)
        return JSONResponse({"results": results})

    def ids(self) -> list[str]:
        return [event["id"] for batch in self.received for event in batch]


@contextlib.asynccontextmanager
async def serving(intake: FakeIntake) -> AsyncIterator[str]:
    app = Starlette(routes=[Route("/internal/v1/events", intake.events, methods=["POST"])])
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", ws="none")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn says so by a flag
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
