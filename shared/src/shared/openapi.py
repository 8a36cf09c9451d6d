"""The statuses every operation can answer, written into each service's OpenAPI document (issue 13, "the
OpenAPI is the contract"): what the platform's conventions make any endpoint answer (docs/api-conventions.md),
each as ``application/problem+json``, beside what the endpoint itself declares.

* every operation: 400 (an unknown query parameter, malformed JSON), 404 (a resource its path, a filter or
  its body names does not exist), 414 (a URL longer than the gateway takes), 422 (validation), 503 (the
  database or a sibling service out of reach);
* one that takes a body: 413 (too large), 415 (another media type);
* one that needs a login: 401 and 403; a public one under ``/v1/public/``: 429 (the gateway's rate limit).

FastAPI's own 422 (``HTTPValidationError`` as ``application/json``) is replaced: the platform answers it as a
problem. Where an operation answers 428 (it refuses a write without ``If-Match``), its ``If-Match`` header is
marked required, as the code enforces it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from shared.problems import PROBLEM_CONTENT_TYPE, Problem

PROBLEM_REF = "#/components/schemas/Problem"
DESCRIPTIONS = {
    "400": "Bad request: an unknown query parameter, or a body that is not JSON",
    "401": "No token, or one refused",
    "403": "A role or an org-unit scope the caller does not have",
    "404": "No such resource (named in the path, a filter or the body)",
    "413": "The body is larger than this endpoint accepts",
    "414": "The URL is longer than the gateway accepts (2,083 characters)",
    "415": "A body of another media type",
    "422": "A value that does not validate; each field is named in `errors`",
    "429": "Too many requests from this address (the gateway's limit; `Retry-After`)",
    "503": "The database or a sibling service is out of reach (`Retry-After`)",
}
METHODS = ("get", "put", "post", "delete", "patch")


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": PROBLEM_REF}}}}


def with_problems(document: dict[str, Any], skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The document with each operation's convention statuses added (the endpoint's own are kept, their
    schema moved to ``application/problem+json``, where FastAPI had put it under ``application/json``);
    ``skip``: the operational paths (``/readyz`` answers its 503 as its own document, for probes)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}"))
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for path, operations in document.get("paths", {}).items():
        if path in skip:
            continue
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            statuses = ["400", "404", "414", "422", "503"]
            if "requestBody" in operation:
                statuses += ["413", "415"]
            if operation.get("security"):
                statuses += ["401", "403"]
            elif path.startswith("/v1/public/"):
                statuses.append("429")
            validation = responses.get("422", {}).get("content", {}).get("application/json", {})
            if "HTTPValidationError" in str(validation):
                del responses["422"]
            for status, response in responses.items():
                content = response.get("content", {})
                if status.startswith(("4", "5")) and "application/json" in content:
                    schema = content.pop("application/json").get("schema")
                    problem = content.setdefault(PROBLEM_CONTENT_TYPE, {})
                    problem.setdefault("schema", schema or {"$ref": PROBLEM_REF})
            for status in statuses:
                responses.setdefault(status, _problem(DESCRIPTIONS[status]))
            if "428" in responses:
                _require_if_match(operation)
    return document


def _require_if_match(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "header" and parameter.get("name", "").lower() == "if-match":
            parameter["required"] = True
            parameter["schema"] = {"type": "string", "minLength": 1, "title": "If-Match"}


def problem_openapi(app: FastAPI, skip: frozenset[str] = frozenset()) -> Callable[[], dict[str, Any]]:
    """``app.openapi``: FastAPI's document with the convention statuses, built once."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_problems(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                    servers=app.servers,
                ),
                skip,
            )
        return app.openapi_schema

    return openapi
