"""Every problem a service answers in the suite is one its OpenAPI document names for that operation.

The in-process client of the service tests (:func:`devstack.testing.plugin.client`) checks each answer with
:class:`ProblemContract`: a ``application/problem+json`` answer to an operation of the document must have a
status the operation lists, and a ``type`` among those the document gives for that status (the convention's
and the endpoint's own ``problem_responses``, shared.openapi). The suite's thousands of requests, which reach
nearly every error on purpose, so hold the document to what the code raises; the fuzzer does the same from
outside (tests/e2e/test_fuzz.py, the response schema check).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from shared.problems import PROBLEM_CONTENT_TYPE


@dataclass(frozen=True)
class Operation:
    template: str
    pattern: re.Pattern[str]
    # status → the problem types the document allows (None: the status is listed with a body of its own).
    problems: dict[str, frozenset[str] | None]


def _types(response: dict[str, Any]) -> frozenset[str] | None:
    schema = response.get("content", {}).get(PROBLEM_CONTENT_TYPE, {}).get("schema", {})
    enum = schema.get("properties", {}).get("type", {}).get("enum")
    return None if enum is None else frozenset(enum)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", template)
    return re.compile("".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts) + "$")


@functools.cache
def _operations(app: FastAPI) -> dict[str, list[Operation]]:
    """The document's operations by method, paths without parameters first (``/v1/rounds/open`` before
    ``/v1/rounds/{id}``)."""
    by_method: dict[str, list[Operation]] = {}
    for template, methods in app.openapi().get("paths", {}).items():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            problems = {status: _types(response) for status, response in operation["responses"].items()}
            by_method.setdefault(method.upper(), []).append(Operation(template, _pattern(template), problems))
    for operations in by_method.values():
        operations.sort(key=lambda operation: operation.template.count("{"))
    return by_method


def violation(app: FastAPI, method: str, path: str, status: int, body: bytes) -> str | None:
    """What is wrong with this problem answer against ``app``'s document, or ``None``."""
    operation = next(
        (op for op in _operations(app).get(method.upper(), []) if op.pattern.match(path)),
        None,
    )
    if operation is None:
        return None  # no operation of the document (an unknown path or method): nothing it promised
    where = f"{method} {operation.template} answered {status}"
    if str(status) not in operation.problems:
        return f"{where}, a status its document does not list"
    allowed = operation.problems[str(status)]
    if allowed is None:
        return None
    try:
        problem_type = json.loads(body).get("type", "about:blank")
    except (ValueError, AttributeError):
        return f"{where} with a problem that is not a JSON object"
    if problem_type not in allowed:
        return f"{where} with type {problem_type!r}, not among its document's {sorted(allowed)}"
    return None


@dataclass
class ProblemContract:
    """An httpx response hook: fails the request (AssertionError) whose problem answer the document lacks."""

    app: FastAPI

    async def __call__(self, response: httpx.Response) -> None:
        if not response.headers.get("content-type", "").startswith(PROBLEM_CONTENT_TYPE):
            return
        body = await response.aread()
        found = violation(
            self.app, response.request.method, response.request.url.path, response.status_code, body
        )
        assert found is None, f"{found} (docs/api-conventions.md: every problem is in the document)"
