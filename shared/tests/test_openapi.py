"""The document's additions of shared.openapi: problem types per status, decimals."""

from typing import Any

from shared.openapi import DECIMAL_STRING, with_problems
from shared.problems import PROBLEM_CONTENT_TYPE, Conflict, NotFound, problem_responses


class RoundNotFound(NotFound):
    slug = "round-not-found"
    title = "Round not found"


class DeadlinePassed(Conflict):
    slug = "deadline-passed"
    title = "The deadline has passed"


class RoundClosed(Conflict):
    slug = "round-closed"
    title = "The round is closed"


def test_errors_of_one_status_share_its_entry_with_every_title_and_type() -> None:
    responses = problem_responses(RoundNotFound, DeadlinePassed, RoundClosed, DeadlinePassed)
    assert sorted(responses) == [404, 409]
    assert responses[409]["description"] == "The deadline has passed; The round is closed"
    assert responses[409]["x-problem-types"] == [
        "urn:thidua:problem:deadline-passed",
        "urn:thidua:problem:round-closed",
    ]


def _document(operation: dict[str, Any], schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"paths": {"/v1/rounds/{id}": {"post": operation}}, "components": {"schemas": schemas or {}}}


def test_each_problem_status_lists_the_conventions_types_and_the_endpoints() -> None:
    operation = {
        "security": [{"HTTPBearer": []}],
        "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
        "parameters": [{"name": "cursor", "in": "query", "schema": {"type": "string"}}],
        "responses": {str(status): entry for status, entry in problem_responses(RoundNotFound).items()},
    }
    responses = with_problems(_document(operation))["paths"]["/v1/rounds/{id}"]["post"]["responses"]

    def types(status: str) -> list[str]:
        schema = responses[status]["content"][PROBLEM_CONTENT_TYPE]["schema"]
        assert schema["allOf"] == [{"$ref": "#/components/schemas/Problem"}]
        return list(schema["properties"]["type"]["enum"])

    assert types("404") == ["about:blank", "urn:thidua:problem:round-not-found"]
    assert types("400") == [
        "about:blank",
        "urn:thidua:problem:invalid-cursor",
        "urn:thidua:problem:malformed-json",
        "urn:thidua:problem:unknown-query-parameter",
    ]
    assert types("503") == [
        "about:blank",
        "urn:thidua:problem:backend-unavailable",
        "urn:thidua:problem:service-unavailable",
    ]
    assert "x-problem-types" not in responses["404"]


def test_decimals_are_numbers_or_decimal_strings() -> None:
    schemas = {
        "PlanIn": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "maxLength": 10},
                "code": {"type": "string", "pattern": "^[A-Z]+$"},
                "value": {"anyOf": [{"type": "number"}, {"type": "string"}]},
                "margin": {"anyOf": [{"type": "number", "maximum": 1}, {"type": "string"}, {"type": "null"}]},
            },
        },
        "Problem": {"type": "object", "properties": {"title": {"type": "string"}}},
    }
    operation = {"parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}], "responses": {}}
    document = with_problems(_document(operation, schemas))
    plan = document["components"]["schemas"]["PlanIn"]["properties"]
    assert "pattern" not in plan["name"]
    assert plan["code"]["pattern"] == "^[A-Z]+$"
    assert plan["value"]["anyOf"] == [{"type": "number"}, {"type": "string", "pattern": DECIMAL_STRING}]
    # A pattern cannot bound a decimal: one with bounds is a number (or null) only.
    assert plan["margin"]["anyOf"] == [{"type": "number", "maximum": 1}, {"type": "null"}]
