import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared.request_context import RequestContextMiddleware
from shared.tracing import RequestIdProcessor, add_tracing, inject_trace_context

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(RequestIdProcessor())
provider.add_span_processor(SimpleSpanProcessor(exporter))

app = FastAPI()


@app.get("/v1/things/{thing_id}")
async def thing(thing_id: int) -> dict[str, int]:
    return {"id": thing_id}


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


add_tracing(app, provider, skip_paths=frozenset({"/healthz"}))
app.add_middleware(RequestContextMiddleware)


@pytest.fixture
def http() -> httpx.AsyncClient:
    exporter.clear()
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_a_request_is_a_span_named_after_its_route_with_the_request_id(http: httpx.AsyncClient) -> None:
    async with http:
        response = await http.get("/v1/things/7", headers={"X-Request-ID": "gw-42"})
    assert response.status_code == 200
    [span] = exporter.get_finished_spans()
    # The template, not the path: one name per endpoint, whatever the id.
    assert span.name == "GET /v1/things/{thing_id}"
    assert span.attributes is not None
    assert span.attributes["http.route"] == "/v1/things/{thing_id}"
    assert span.attributes["request.id"] == "gw-42"


async def test_an_unknown_path_is_named_by_its_method_only(http: httpx.AsyncClient) -> None:
    async with http:
        assert (await http.get("/v1/nothing/here")).status_code == 404
    assert [span.name for span in exporter.get_finished_spans()] == ["GET"]


async def test_probes_make_no_span(http: httpx.AsyncClient) -> None:
    async with http:
        assert (await http.get("/healthz")).status_code == 200
    assert exporter.get_finished_spans() == ()


def test_a_call_made_inside_a_span_carries_its_trace() -> None:
    headers = httpx.Headers()
    with provider.get_tracer("test").start_as_current_span("work") as span:
        inject_trace_context(headers)
    context = span.get_span_context()
    version, trace_id, parent_id, flags = headers["traceparent"].split("-")
    assert (version, trace_id, parent_id) == ("00", f"{context.trace_id:032x}", f"{context.span_id:016x}")
    assert int(flags, 16) & 0x01  # sampled: the callee records its spans too


def test_a_call_made_outside_any_span_carries_no_trace() -> None:
    headers = httpx.Headers()
    inject_trace_context(headers)
    assert "traceparent" not in headers
