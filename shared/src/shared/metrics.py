"""Prometheus metrics (``prometheus-client``): request counts and latencies per route template.

Labels use the route template (``/v1/org-units/{code}``), never the raw path, so an attacker sending random
paths cannot blow up the number of series; requests that match no route share the label ``unmatched``.
The default registry also carries the process collectors (memory, CPU, open files).

With several uvicorn workers (``<S>_WORKERS``) each worker counts in files of one directory
(prometheus-client's multiprocess mode, :func:`shared_metrics`), and ``/metrics``, whichever worker answers,
adds them all up: a scrape sees the service, not one worker of it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("http_requests_total", "HTTP requests answered", ["service", "method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# The modes say how the workers' values add up (ignored with one worker): requests in progress are the live
# workers' sum, readiness the latest check's, whichever worker made it.
IN_PROGRESS = Gauge(
    "http_requests_in_progress", "HTTP requests being answered", ["service"], multiprocess_mode="livesum"
)
READY = Gauge(
    "service_ready",
    "1 when the service's last readiness check passed",
    ["service"],
    multiprocess_mode="mostrecent",
)
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def shared_metrics(workers: int) -> Iterator[None]:
    """For several workers: a fresh directory their counts go to, named in the environment they inherit
    (prometheus-client reads it when a worker starts), removed when the service stops."""
    if workers == 1 or MULTIPROCESS_DIR in os.environ:
        yield
        return
    directory = tempfile.mkdtemp(prefix="metrics-")
    os.environ[MULTIPROCESS_DIR] = directory
    try:
        yield
    finally:
        del os.environ[MULTIPROCESS_DIR]
        shutil.rmtree(directory, ignore_errors=True)


def _route_template(scope: Scope) -> str:
    # FastAPI's router records the matched route in the (shared) scope dict.
    route = scope.get("route")
    return str(getattr(route, "path", "unmatched"))


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, *, service: str, skip_paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.service = service
        self.skip_paths = skip_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.skip_paths:
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        in_progress = IN_PROGRESS.labels(self.service)
        in_progress.inc()
        try:
            await self.app(scope, receive, record_status)
        finally:
            in_progress.dec()
            route = _route_template(scope)
            method = scope.get("method", "")
            REQUESTS.labels(self.service, method, route, str(status)).inc()
            LATENCY.labels(self.service, method, route).observe(time.perf_counter() - started)


def forget_this_worker() -> None:
    """A worker stopping: its live gauges (requests in progress) no longer count; its counters still do."""
    if MULTIPROCESS_DIR in os.environ:
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def metrics_response() -> Response:
    if MULTIPROCESS_DIR not in os.environ:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
