"""The client factory: bounded retries for idempotent calls only, and the request id passed on.

A MockTransport stands in for the sibling service: this is a unit test of the client's own behaviour.
"""

import httpx
import pytest

from shared import request_context
from shared.http_client import create_http_client


class Flaky:
    def __init__(self, failures: int, status: int = 503) -> None:
        self.failures = failures
        self.status = status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if len(self.requests) <= self.failures:
            return httpx.Response(self.status)
        return httpx.Response(200, json={"ok": True})


async def test_idempotent_calls_are_retried_until_they_succeed() -> None:
    upstream = Flaky(failures=2)
    async with create_http_client(
        "http://targets", retries=2, backoff_factor=0, transport=httpx.MockTransport(upstream)
    ) as client:
        response = await client.get("/v1/progress")
    assert response.status_code == 200
    assert len(upstream.requests) == 3


async def test_retries_are_bounded() -> None:
    upstream = Flaky(failures=10)
    async with create_http_client(
        "http://targets", retries=2, backoff_factor=0, transport=httpx.MockTransport(upstream)
    ) as client:
        response = await client.get("/v1/progress")
    assert response.status_code == 503
    assert len(upstream.requests) == 3


async def test_a_post_is_never_repeated() -> None:
    upstream = Flaky(failures=1)
    async with create_http_client(
        "http://notifications", retries=3, backoff_factor=0, transport=httpx.MockTransport(upstream)
    ) as client:
        response = await client.post("/internal/v1/events", json={})
    assert response.status_code == 503
    assert len(upstream.requests) == 1


async def test_the_current_request_id_is_passed_on(monkeypatch: pytest.MonkeyPatch) -> None:
    upstream = Flaky(failures=0)
    token = request_context._request_id.set("trace-99")
    try:
        async with create_http_client("http://targets", transport=httpx.MockTransport(upstream)) as client:
            await client.get("/v1/progress")
    finally:
        request_context._request_id.reset(token)
    assert upstream.requests[0].headers["x-request-id"] == "trace-99"


async def test_a_client_has_a_timeout() -> None:
    client = create_http_client("http://targets", timeout_seconds=1.5)
    assert client.timeout.read == 1.5
    assert client.timeout.connect == 1.5
    await client.aclose()
