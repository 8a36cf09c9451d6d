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
from starlette.routing import Match

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

    def span_details(scope: dict[str, Any]) -> tuple[str, dict[str, str]]:
        # The route's template, not the path: a span name per endpoint, not per resource.
        for route in app.router.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                template = getattr(route, "path", scope["path"])
                return f"{scope['method']} {template}", {"http.route": template}
        return scope["method"], {}

    app.add_middleware(
        OpenTelemetryMiddleware,
        tracer_provider=provider,
        default_span_details=span_details,
        excluded_urls=",".join(f"{path}$" for path in sorted(skip_paths)),
        # Spans of each ASGI receive and send say nothing the server span does not.
        exclude_spans=["receive", "send"],
    )


def inject_trace_context(headers: Any) -> None:
    """The current span's ``traceparent`` into an outgoing request's headers (none without a span)."""
    propagate.inject(headers)


@contextmanager
def span(name: str, attributes: Mapping[str, str | int]) -> Iterator[None]:
    """A span of the process's own work (a relay's batch), with ``attributes``; nothing without a provider."""
    with trace.get_tracer(TRACER).start_as_current_span(name, attributes=attributes):
        yield
