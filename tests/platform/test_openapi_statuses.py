"""Each operation's document lists what it can answer (issue 13): the statuses of the platform's conventions,
every error as application/problem+json, never FastAPI's application/json validation error."""

from typing import Any

from fastapi import FastAPI

from shared.app import OPERATIONAL_PATHS
from shared.problems import PROBLEM_CONTENT_TYPE

METHODS = ("get", "put", "post", "delete", "patch")


def test_every_operation_lists_its_problems(app: FastAPI) -> None:
    missing = []
    for path, operations in app.openapi()["paths"].items():
        if path in OPERATIONAL_PATHS:  # for probes and scrapers, not clients (not in the merged document)
            continue
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            # 404 everywhere: a path, a filter (?parent=) or a body may name what does not exist; 414: the
            # gateway bounds the URL.
            expected = {"400", "404", "414", "422", "503"}
            if "requestBody" in operation:
                expected |= {"413", "415"}
            if operation.get("security"):
                expected |= {"401", "403"}
            elif path.startswith("/v1/public/"):
                expected.add("429")
            responses = operation["responses"]
            missing += [f"{method.upper()} {path} {status}" for status in sorted(expected - set(responses))]
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    assert set(response.get("content", {})) <= {PROBLEM_CONTENT_TYPE}, (method, path, status)
    assert missing == []


def test_if_match_is_required_where_a_write_without_it_is_refused(app: FastAPI) -> None:
    for operations in app.openapi()["paths"].values():
        for operation in operations.values():
            headers = {p["name"].lower(): p for p in operation.get("parameters", []) if p["in"] == "header"}
            if "428" in operation.get("responses", {}):
                assert headers["if-match"]["required"] is True, operation["operationId"]
                assert headers["if-match"]["schema"] == {
                    "type": "string",
                    "minLength": 1,
                    "title": "If-Match",
                }


def test_no_validation_error_schema_of_fastapis_own(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert "Problem" in schemas


def _problem_types(response: dict[str, Any]) -> list[str]:
    schema = response["content"][PROBLEM_CONTENT_TYPE]["schema"]
    return list(schema["properties"]["type"]["enum"])


def test_every_problem_response_names_its_types(app: FastAPI) -> None:
    # What a client switches on, and what the suite's client (devstack.testing.problem_contract) and the
    # fuzzer hold each answer to: the convention's types for the status, and the endpoint's own.
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            if path in OPERATIONAL_PATHS or method not in METHODS:
                continue
            responses = operation["responses"]
            for status in ("401", "404", "414", "422", "503"):
                if status in responses:
                    assert _problem_types(responses[status]), (method, path, status)
            assert "urn:thidua:problem:validation-error" in _problem_types(responses["422"]), (method, path)
            assert "urn:thidua:problem:backend-unavailable" in _problem_types(responses["503"]), (
                method,
                path,
            )
            if operation.get("security"):
                assert set(_problem_types(responses["401"])) == {
                    "urn:thidua:problem:invalid-token",
                    "urn:thidua:problem:missing-token",
                }, (method, path)
            malformed = "urn:thidua:problem:malformed-json" in _problem_types(responses["400"])
            assert malformed == ("requestBody" in operation), (method, path)
