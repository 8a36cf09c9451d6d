"""Prometheus metrics (``prometheus-client``): request counts and latencies per route template.

Labels use the route template (``/v1/org-units/{code}``), never the raw path, so an attacker sending random
paths cannot blow up the number of series; requests that match no route share the label ``unmatched``.
The default registry also carries the process collectors (memory, CPU, open files).
"""

from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("http_requests_total", "HTTP requests answered", ["service", "method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
IN_PROGRESS = Gauge("http_requests_in_progress", "HTTP requests being answered", ["service"])
READY = Gauge("service_ready", "1 when the service's last readiness check passed", ["service"])


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


def metrics_response() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
