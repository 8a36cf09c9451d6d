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

from shared.auth import InvalidToken, MissingRole, MissingToken
from shared.pagination import InvalidCursor
from shared.problems import (
    PROBLEM_CONTENT_TYPE,
    PROBLEM_TYPES_KEY,
    BackendUnavailable,
    ContentTooLarge,
    Problem,
    ServiceUnavailable,
    UnstorableValue,
    UnsupportedMediaType,
    problem_type,
)
from shared.query import UnknownQueryParameter

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
BLANK = "about:blank"
# The problem types each convention status carries on any operation (docs/errors.md, "Every service"),
# beside the endpoint's own (shared.problems.problem_responses). ``about:blank`` is the gateway's own answer
# (a header or body too large, a URL too long, its rate limit, a service out of reach) and a plain HTTP
# error's.
CONVENTION_TYPES = {
    "400": (BLANK, UnknownQueryParameter.type_of()),
    "401": (MissingToken.type_of(), InvalidToken.type_of()),
    "403": (MissingRole.type_of(),),
    "404": (BLANK,),
    "413": (BLANK, ContentTooLarge.type_of()),
    "414": (BLANK,),
    "415": (UnsupportedMediaType.type_of(),),
    "422": (problem_type("validation-error"), UnstorableValue.type_of()),
    "429": (BLANK,),
    "503": (BLANK, BackendUnavailable.type_of()),
}
# With a body, also: one that is not JSON (shared.problems); behind a login: the identity provider's keys out
# of reach (shared.auth); with a cursor: one that no list issued (shared.pagination).
WITH_BODY_TYPES = {"400": (problem_type("malformed-json"),)}
SECURED_TYPES = {"503": (ServiceUnavailable.type_of(),)}
WITH_CURSOR_TYPES = {"400": (InvalidCursor.type_of(),)}


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
    for name, schema in schemas.items():
        if name not in PROBLEM_SCHEMAS:
            _decimal_strings(schema)
    for path, operations in document.get("paths", {}).items():
        if path in skip:
            continue
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            _decimal_strings(operation.get("parameters", []))
            _decimal_strings(operation.get("requestBody", {}))
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
            kinds = [
                (WITH_BODY_TYPES, "requestBody" in operation),
                (SECURED_TYPES, bool(operation.get("security"))),
                (WITH_CURSOR_TYPES, any(p.get("name") == "cursor" for p in operation.get("parameters", []))),
            ]
            for status, response in responses.items():
                also = tuple(t for types, applies in kinds if applies for t in types.get(status, ()))
                _name_problem_types(status, response, also)
            if "428" in responses:
                _require_if_match(operation)
    return document


# The problem's own schemas: what a service answers, never what a client sends.
PROBLEM_SCHEMAS = frozenset({"Problem", "InvalidParam", "FieldRefused"})
# A decimal (pydantic's ``anyOf: [number, string]``) written as a string is a number in decimal notation; one
# with bounds is documented as a number only (a pattern cannot say "at most 1"), which every client can send.
DECIMAL_STRING = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"
BOUNDS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})


def _decimal_strings(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _decimal_strings(item)
        return
    if not isinstance(node, dict):
        return
    alternatives = node.get("anyOf", [])
    numbers = [alt for alt in alternatives if isinstance(alt, dict) and alt.get("type") == "number"]
    strings = [alt for alt in alternatives if isinstance(alt, dict) and alt == {"type": "string"}]
    if numbers and strings:
        if any(number.keys() & BOUNDS for number in numbers):
            node["anyOf"] = [alt for alt in alternatives if alt not in strings]
        else:
            strings[0]["pattern"] = DECIMAL_STRING
    for key, value in node.items():
        if key not in {"examples", "example", "default"}:  # values, not schemas
            _decimal_strings(value)


def _name_problem_types(status: str, response: dict[str, Any], also: tuple[str, ...]) -> None:
    """A problem response's schema says which ``type`` values it carries: the convention's for its status
    and the endpoint's own, so that a client can switch on them and a check can hold the code to them."""
    declared = response.pop(PROBLEM_TYPES_KEY, [])
    content = response.get("content", {}).get(PROBLEM_CONTENT_TYPE)
    if content is None or content.get("schema", {"$ref": PROBLEM_REF}) != {"$ref": PROBLEM_REF}:
        return  # not a problem, or a body of its own (a DHIS2 import summary)
    types = sorted({*CONVENTION_TYPES.get(status, ()), *also, *declared})
    content["schema"] = {
        "allOf": [{"$ref": PROBLEM_REF}],
        "properties": {"type": {"type": "string", "enum": types}},
    }


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
