"""OpenTelemetry traces (opt-in: ``<S>_TRACES_ENDPOINT``, an OTLP/HTTP endpoint such as an OpenTelemetry
Collector's ``http://otel-collector:4318``).

* Each request a service answers is a server span (``opentelemetry-instrumentation-asgi``) named after its
  route (``GET /v1/targets/{target_id}``), inside the request-id middleware: every span of the request carries
  its ``request.id``, the id the gateway logged.
* A call to a sibling carries the W3C ``traceparent`` beside ``X-Request-ID`` (:mod:`shared.http_client`), so
  the sibling's spans join the caller's trace: one trace from the gateway's request through the services.
* A relay's batch is a span of its own with a request id of its own (:mod:`shared.relay`); intake's server
  span is its child, so an event's way from the outbox into notifications is one trace too.

Unset, nothing is made or sent: no middleware, and the propagation has no span to pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.request_context import current_request_id

REQUEST_ID_ATTRIBUTE = "request.id"
TRACER = "emulation-platform"


class RequestIdProcessor(SpanProcessor):
    """Writes the request id of the moment (shared.request_context) into every span as it starts."""

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        request_id = current_request_id()
        if request_id is not None:
            span.set_attribute(REQUEST_ID_ATTRIBUTE, request_id)


def tracer_provider(service: str, endpoint: str | None) -> TracerProvider | None:
    """The process's provider, exporting to ``endpoint`` (``None``: no tracing).

    OpenTelemetry allows one global provider per process; a second app in the same process (tests) shares
    the first one's. Spans are sent in batches (``OTEL_BSP_*``) and the last ones at exit.
    """
    if endpoint is None:
        return None
    # Imported here: the exporter (protobuf, requests) costs every process's start, and most run without it.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # noqa: PLC0415

    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(RequestIdProcessor())
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces"))
    )
    trace.set_tracer_provider(provider)
    return provider


def add_tracing(app: FastAPI, provider: TracerProvider | None, *, skip_paths: frozenset[str]) -> None:
    """A server span per request of ``app`` (but ``skip_paths``: probes and scrapes), where tracing is on.

    Call it just before adding the request-id middleware: the span must start inside it, where the request
    id is known.
    """
    if provider is None:
        return
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware  # noqa: PLC0415 - as above

    # Inside the span's middleware: renames its span once FastAPI has routed (below).
    app.add_middleware(NameSpanByRoute)
    app.add_middleware(
        OpenTelemetryMiddleware,
        tracer_provider=provider,
        # The method only until routed: the path would make a span name per resource, not per endpoint.
        default_span_details=lambda scope: (scope.get("method", "HTTP"), {}),
        excluded_urls=",".join(f"{path}$" for path in sorted(skip_paths)),
        # Spans of each ASGI receive and send say nothing the server span does not.
        exclude_spans=["receive", "send"],
    )


class NameSpanByRoute:
    """Names the request's span after the route FastAPI matched (``GET /v1/targets/{target_id}``), read from
    the scope as the answer starts, as the metrics read it (shared.metrics): routing is not done twice. (At
    the answer's start: the span ends with its last byte, before the app returns.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def naming_send(message: Message) -> None:
            route = getattr(scope.get("route"), "path", None)
            current = trace.get_current_span()
            if message["type"] == "http.response.start" and route is not None and current.is_recording():
                current.update_name(f"{scope['method']} {route}")
                current.set_attribute("http.route", route)
            await send(message)

        await self.app(scope, receive, naming_send)


def inject_trace_context(headers: Any) -> None:
    """The current span's ``traceparent`` into an outgoing request's headers (none without a span)."""
    propagate.inject(headers)


@contextmanager
def span(name: str, attributes: Mapping[str, str | int]) -> Iterator[None]:
    """A span of the process's own work (a relay's batch), with ``attributes``; nothing without a provider."""
    with trace.get_tracer(TRACER).start_as_current_span(name, attributes=attributes):
        yield
