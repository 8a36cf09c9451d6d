"""OpenTelemetry traces of the real stack, sent over OTLP/HTTP to a receiver that decodes them as a collector
would: one trace from a request through the services it calls, and from a relay's batch into intake; the
request id in every span."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from devstack.postgres import PostgresServer
from devstack.stack import Stack
from tests.e2e.conftest import bearer, new_request_id, started_stack

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_id: str
    attributes: dict[str, Any]


class Receiver:
    """An OTLP/HTTP trace receiver (``POST /v1/traces``, protobuf) keeping every span it is sent."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                assert self.path == "/v1/traces", self.path
                assert self.headers["Content-Type"] == "application/x-protobuf"
                receiver.keep(ExportTraceServiceRequest.FromString(body))
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def keep(self, request: ExportTraceServiceRequest) -> None:
        for resource_spans in request.resource_spans:
            resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    attributes = {a.key: a.value.string_value or a.value.int_value for a in span.attributes}
                    with self.lock:
                        self.spans.append(
                            ReceivedSpan(
                                service=resource["service.name"],
                                name=span.name,
                                trace_id=span.trace_id.hex(),
                                span_id=span.span_id.hex(),
                                parent_id=span.parent_span_id.hex(),
                                attributes=attributes,
                            )
                        )

    def wait_for(self, found: Any, timeout: float = 20.0) -> list[ReceivedSpan]:
        """The spans once ``found(spans)`` holds (they come in batches, a fraction of a second apart)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                spans = list(self.spans)
            if found(spans):
                return spans
            if time.monotonic() > deadline:
                raise AssertionError(f"not found among {len(spans)} spans: {spans[-20:]}")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture(scope="module")
def traced_stack(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory, receiver: Receiver
) -> Iterator[Stack]:
    env = {
        f"{service}_TRACES_ENDPOINT": receiver.url for service in ("TARGETS", "NOMINATIONS", "NOTIFICATIONS")
    }
    # Batches every 100 ms instead of 5 s: the test waits for them.
    env["OTEL_BSP_SCHEDULE_DELAY"] = "100"
    with started_stack(
        postgres_server, Path(tmp_path_factory.mktemp("traced")), "traced", extra_env=env
    ) as stack:
        yield stack


def test_a_request_is_one_trace_through_the_services_it_calls_each_span_with_its_request_id(
    traced_stack: Stack, receiver: Receiver
) -> None:
    request_id = new_request_id()
    # A unit officer's list of nominations: nominations asks targets which units are below the officer's.
    with httpx.Client(base_url=traced_stack.gateway_url, timeout=30) as gateway:
        response = gateway.get(
            "/api/v1/nominations",
            headers={
                **bearer(traced_stack, "unit_officer", "HT-HSO", "unit_officer"),
                "X-Request-ID": request_id,
            },
        )
    assert response.status_code == 200, response.text

    def mine(spans: list[ReceivedSpan]) -> list[ReceivedSpan]:
        return [span for span in spans if span.attributes.get("request.id") == request_id]

    spans = mine(
        receiver.wait_for(lambda spans: {s.service for s in mine(spans)} >= {"nominations", "targets"})
    )
    [entry] = [span for span in spans if span.service == "nominations"]
    assert entry.name == "GET /v1/nominations"
    assert entry.attributes["http.route"] == "/v1/nominations"
    called = [span for span in spans if span.service == "targets"]
    assert {span.name for span in called} == {"GET /v1/org-units"}
    # The callee's spans are the caller's children: one trace.
    assert {span.trace_id for span in called} == {entry.trace_id}
    assert {span.parent_id for span in called} == {entry.span_id}


def test_an_event_is_one_trace_from_the_relays_batch_into_intake(
    traced_stack: Stack, receiver: Receiver
) -> None:
    payload = {
        "dataSet": "HT-PLAN",
        "period": "2023",
        "orgUnit": "HT-HSO",
        "dataValues": [{"dataElement": "ECO_NEW_ENTERPRISES", "value": "120"}],
    }
    with httpx.Client(base_url=traced_stack.gateway_url, timeout=30) as gateway:
        response = gateway.post(
            "/api/v1/data-value-sets",
            json=payload,
            headers=bearer(traced_stack, "reporter", "HT-HSO", "reporter"),
        )
    assert response.status_code == 200, response.text

    def relayed(spans: list[ReceivedSpan]) -> bool:
        batches = {s.span_id for s in spans if s.service == "targets-relay" and s.name == "relay batch"}
        return any(s.service == "notifications" and s.parent_id in batches for s in spans)

    spans = receiver.wait_for(relayed)
    batches = {s.span_id: s for s in spans if s.service == "targets-relay" and s.name == "relay batch"}
    [intake] = [s for s in spans if s.service == "notifications" and s.parent_id in batches]
    batch = batches[intake.parent_id]
    assert intake.trace_id == batch.trace_id
    assert batch.attributes["messaging.batch.message_count"] >= 1
    # The batch's own request id, passed to intake like any call's.
    assert batch.attributes["request.id"] == intake.attributes["request.id"]
    assert intake.name.startswith("POST /internal/v1/")


def test_a_client_cannot_choose_the_trace_nor_turn_its_spans_off(
    traced_stack: Stack, receiver: Receiver
) -> None:
    request_id = new_request_id()
    chosen = "0af7651916cd43dd8448eb211c80319c"
    with httpx.Client(base_url=traced_stack.gateway_url, timeout=30) as gateway:
        response = gateway.get(
            "/api/v1/public/org-units",
            headers={"X-Request-ID": request_id, "traceparent": f"00-{chosen}-b7ad6b7169203331-00"},
        )
    assert response.status_code == 200, response.text

    def mine(spans: list[ReceivedSpan]) -> list[ReceivedSpan]:
        return [span for span in spans if span.attributes.get("request.id") == request_id]

    # Recorded although the client said "not sampled", in a trace of the platform's own.
    [entry] = mine(receiver.wait_for(lambda spans: bool(mine(spans))))
    assert entry.trace_id != chosen
    assert entry.parent_id == ""
