"""A body sent to a route that needs a signed-in caller is never read for an anonymous one (issue 13):
the 401 comes from the headers alone, on every such route of every service."""

import json
import re
from collections.abc import MutableMapping
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from shared.early_auth import guarded_routes
from shared.problems import ServiceUnavailable

Message = MutableMapping[str, Any]


async def call(
    app: FastAPI, method: str, path: str, headers: list[tuple[bytes, bytes]]
) -> tuple[int, Any, int]:
    """The status, the JSON answer and how many times the app asked for the body."""
    asked = 0

    async def receive() -> Message:
        nonlocal asked
        asked += 1
        return {"type": "http.request", "body": b'{"x": 1}', "more_body": False}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"8"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    start = next(message for message in sent if message["type"] == "http.response.start")
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return start["status"], json.loads(body), asked


def concrete(route: APIRoute) -> str:
    """The route's path with every parameter given a plausible value (DHIS2's version 40, ids 1, codes HT)."""

    def value(match: re.Match[str]) -> str:
        name, convertor = match.group(1), match.group(2) or ""
        if name == "api_version":
            return "40"
        return "1" if convertor == ":int" or name.endswith("id") else "HT"

    return re.sub(r"\{(\w+)(:\w+)?\}", value, route.path)


async def test_an_anonymous_body_to_a_guarded_route_is_never_read(app: FastAPI) -> None:
    guarded = [
        (method, route)
        for route in guarded_routes(app)
        for method in sorted(route.methods or ())
        if method in {"POST", "PUT", "PATCH", "DELETE"}
    ]
    assert guarded
    async with app.router.lifespan_context(app):
        for method, route in guarded:
            for headers in ([], [(b"authorization", b"Bearer not-a-jwt")]):
                status, body, asked = await call(app, method, concrete(route), headers)
                assert (status, asked) == (401, 0), (method, route.path, headers, body)
                assert body["type"].endswith(("missing-token", "invalid-token")), body


def test_each_route_is_served_at_its_own_path(app: FastAPI) -> None:
    # The early check matches a route by the path it declares: true while no router is included with a
    # prefix or with dependencies of its own. Adding one must come with a change of shared.early_auth.
    for context in iter_route_contexts(app.routes):
        if isinstance(context.route, APIRoute):
            assert context.path == context.route.path, context.path


async def test_the_identity_providers_keys_out_of_reach_is_a_503_not_a_500(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unreachable(token: str) -> None:
        raise ServiceUnavailable("The identity provider's keys cannot be fetched.")

    method, route = next(
        (method, route)
        for route in guarded_routes(app)
        for method in sorted(route.methods or ())
        if method == "POST"
    )
    async with app.router.lifespan_context(app):
        monkeypatch.setattr(app.state.token_verifier, "verify", unreachable)
        status, body, asked = await call(app, method, concrete(route), [(b"authorization", b"Bearer x")])
    assert (status, asked) == (503, 0), body
    assert body["type"].endswith("service-unavailable"), body
