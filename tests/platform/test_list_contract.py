"""One list contract (docs/api-conventions.md): every collection answers ``{"items": [...], "next_cursor"}``
and takes ``limit`` (50 by default, at most 500) and ``cursor``; no GET answers a bare JSON array.

DHIS2's own paths (tagged ``dhis2``: ``/api/system/tasks/…`` answers DHIS2's array of notifications) answer
in DHIS2's shapes, which DHIS2's clients read; they are outside the contract on purpose."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
from fastapi import FastAPI

from devstack.testing.plugin import AuthHeaders


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _gets(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    found = []
    for path, operations in spec["paths"].items():
        operation = operations.get("get")
        if operation is None or "dhis2" in operation.get("tags", []):
            continue
        content = operation["responses"].get("200", {}).get("content", {}).get("application/json")
        if content is not None:
            found.append((path, operation, _resolve(spec, content["schema"])))
    return found


def test_no_get_answers_a_bare_array(app: FastAPI) -> None:
    arrays = [path for path, _, schema in _gets(app.openapi()) if schema.get("type") == "array"]
    assert arrays == []


def test_every_page_takes_limit_and_cursor(app: FastAPI) -> None:
    spec = app.openapi()
    pages = 0
    for path, operation, schema in _gets(spec):
        properties = schema.get("properties", {})
        # A report with rows of its own (a plan's progress, a round's timeliness) is one document, not a page.
        if "next_cursor" not in properties:
            continue
        pages += 1
        assert set(properties) == {"items", "next_cursor"}, path
        assert properties["items"]["type"] == "array", path
        query = {p["name"]: p["schema"] for p in operation.get("parameters", []) if p["in"] == "query"}
        assert {"limit", "cursor"} <= set(query), path
        assert (query["limit"]["default"], query["limit"]["maximum"], query["limit"]["minimum"]) == (
            50,
            500,
            1,
        )
    assert pages > 0 or spec["info"]["title"].lower().startswith("notifications")


def _cursor(key: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


# Cursors no list issued: of another shape, out of every range, naive, not even JSON.
FORGED = [
    "not-base64",
    _cursor({"a": 1}),
    _cursor([["nested"]]),
    _cursor([1, 2, 3, 4]),
    _cursor(["9999-12-31", 1]),
    _cursor(["2025-01-01T00:00:00", "00000000-0000-0000-0000-000000000000"]),
    _cursor(["2025-01-01T00:00:00+07:00", 1]),
    _cursor([2**40, 2**40]),
    _cursor(["", ""]),
    _cursor(True),
    _cursor(1.5),
]


def test_the_cursor_is_documented_as_the_lists_make_it(app: FastAPI) -> None:
    # base64url without padding, bounded, so that a URL with one stays within the gateway's limit: a cursor
    # of other characters is refused by the document's own rule (422 naming it), before any decoding.
    for path, operation, schema in _gets(app.openapi()):
        if "next_cursor" not in schema.get("properties", {}):
            continue
        [cursor] = [p for p in operation["parameters"] if p["name"] == "cursor"]
        text = json.dumps(cursor["schema"])
        assert '"pattern": "^[A-Za-z0-9_-]*$"' in text, path
        assert '"maxLength": 500' in text, path


async def test_a_cursor_of_other_characters_is_a_422_naming_it(
    client: httpx.AsyncClient, auth: AuthHeaders, service: str
) -> None:
    path = {"targets": "/v1/indicators", "nominations": "/v1/award-types", "notifications": "/v1/inbox"}[
        service
    ]
    response = await client.get(path, params={"cursor": "not a cursor!"}, headers=auth("admin"))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["location"] == "query.cursor"


# Values of required parameters that are not dates, valid where "x" would not be.
REQUIRED = {"period": "2025"}


async def test_a_forged_cursor_is_a_400_on_every_list(
    app: FastAPI, client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    spec = app.openapi()
    lists = [
        (path, operation)
        for path, operation, schema in _gets(spec)
        if "next_cursor" in schema.get("properties", {}) and "{" not in path
    ]
    for path, operation in lists:
        required = {
            p["name"]: "2025-01-01" if p["schema"].get("format") == "date" else REQUIRED.get(p["name"], "x")
            for p in operation.get("parameters", [])
            if p["in"] == "query" and p.get("required")
        }
        # Internal lists answer a sibling service's token only, the others any platform role.
        headers = auth("service", org_unit=None) if path.startswith("/internal/") else auth("admin")
        for cursor in FORGED:
            response = await client.get(path, params=required | {"cursor": cursor}, headers=headers)
            assert response.status_code == 400, (path, cursor, response.text)
            assert response.json()["type"] == "urn:thidua:problem:invalid-cursor", (path, cursor)
    assert lists or app.title.lower().startswith("notifications")
