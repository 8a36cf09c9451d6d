"""One API surface: the same fault answers the same way on every endpoint of every service."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute

from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders
from shared.app import api_routes
from shared.edge import takes_json_body


def _routes(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    """(method, a concrete path, route) for every API route but the operational ones."""
    found: list[tuple[str, str, APIRoute]] = []
    for route in api_routes(app):
        if not route.path.startswith(("/v1/", "/internal/")):
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        found.extend((method, path, route) for method in sorted(route.methods or ()))
    return found


async def test_a_json_endpoint_refuses_other_media_types_with_415(
    app: FastAPI, client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    checked = 0
    for method, path, route in _routes(app):
        if not takes_json_body(route):
            continue
        for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
            headers = auth("admin") | ({"Content-Type": content_type} if content_type else {})
            response = await client.request(method, path, content=b'{"x": 1}', headers=headers)
            body = assert_problem(response, 415, "unsupported-media-type")
            assert body["accepted"] == ["application/json"], path
        checked += 1
    assert checked or app.title.lower().startswith("notifications")


async def test_a_nul_character_is_422_wherever_it_is_sent(
    app: FastAPI, client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    for method, path, route in _routes(app):
        admin = auth("admin")
        in_query = await client.request(method, path, params={"limit": "1\x00"}, headers=admin)
        # An endpoint without a limit refuses the unknown parameter first (400): the address is checked first.
        if in_query.status_code != 400:
            assert_problem(in_query, 422, "unstorable-value")
        if "{" in route.path:
            in_path = await client.request(
                method, route.path.replace("{", "").replace("}", "") + "%00", headers=admin
            )
            assert in_path.status_code in (404, 422), (route.path, in_path.text)
        if takes_json_body(route):
            response = await client.request(method, path, json={"name": "a\x00b"}, headers=admin)
            problem = assert_problem(response, 422, "unstorable-value")
            assert problem["errors"][0]["location"] == "body.name", path
