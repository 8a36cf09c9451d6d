"""One list contract (docs/api-conventions.md): every collection answers ``{"items": [...], "next_cursor"}``
and takes ``limit`` (50 by default, at most 500) and ``cursor``; no GET answers a bare JSON array."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _gets(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    found = []
    for path, operations in spec["paths"].items():
        operation = operations.get("get")
        if operation is None:
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
