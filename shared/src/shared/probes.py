"""Probes and metrics for a process that serves no API of its own (a relay, a notifications worker).

Kubernetes restarts such a process only if something says it is stuck; exiting on what it cannot recover
from covers a crash, not a wait that never ends (a connection that hangs without an error). So the process's
work loop beats a :class:`Heartbeat` each time round, and a small HTTP server on the same event loop answers:

* ``/healthz``: 200 while the last beat is recent (the loop goes round at least every poll interval), else
  503: the liveness probe, so a process stuck for longer than ``stale_after`` seconds is restarted. Served by
  the loop it watches, a blocked loop fails it too;
* ``/readyz``: 200 while the work can go on (a relay's last round reached its database; a worker opened its
  connection to the queue);
* ``/metrics``: Prometheus's format, the process's own counters.

Opt-in per process (``<S>_PROBE_PORT``); unset, nothing listens.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shared.metrics import metrics_response
from shared.problems import PROBLEM_CONTENT_TYPE


class Heartbeat:
    """When the process's work loop last went round, and whether its work has started."""

    def __init__(self, *, now: Callable[[], float] = time.monotonic) -> None:
        self.now = now
        self.last = now()
        self.ready = False

    def beat(self) -> None:
        self.last = self.now()

    def age(self) -> float:
        return self.now() - self.last


def _problem(status: int, title: str, detail: str) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return Response(json.dumps(body), status_code=status, media_type=PROBLEM_CONTENT_TYPE)


def probe_app(heartbeat: Heartbeat, *, stale_after: float) -> Starlette:
    async def healthz(request: Request) -> Response:
        age = heartbeat.age()
        if age > stale_after:
            return _problem(
                503, "Stuck", f"The work loop last went round {age:.0f} s ago (more than {stale_after:g} s)."
            )
        return Response(
            json.dumps({"status": "ok", "heartbeat_age_s": round(age, 1)}), media_type="application/json"
        )

    async def readyz(request: Request) -> Response:
        if not heartbeat.ready:
            return _problem(503, "Not ready", "The work has not started yet.")
        return Response(json.dumps({"status": "ready"}), media_type="application/json")

    async def metrics(request: Request) -> Response:
        return metrics_response()

    routes = [Route("/healthz", healthz), Route("/readyz", readyz), Route("/metrics", metrics)]
    return Starlette(routes=routes)


class _QuietServer(uvicorn.Server):
    """uvicorn inside a process that handles its own signals: it must not take SIGTERM over from it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def probes_served(
    heartbeat: Heartbeat, *, host: str, port: int | None, stale_after: float
) -> AsyncIterator[None]:
    """Serve :func:`probe_app` on ``host:port`` meanwhile (nothing when ``port`` is None)."""
    if port is None:
        yield
        return
    config = uvicorn.Config(
        probe_app(heartbeat, stale_after=stale_after),
        host=host,
        port=port,
        lifespan="off",
        access_log=False,
        log_config=None,
    )
    server = _QuietServer(config)
    serving = asyncio.create_task(server.serve(), name="probes")
    try:
        yield
    finally:
        server.should_exit = True
        await serving
