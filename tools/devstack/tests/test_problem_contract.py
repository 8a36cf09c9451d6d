"""The suite's client holds each problem answer to the app's document (devstack.testing.problem_contract)."""

import json

from fastapi import FastAPI

from devstack.testing.problem_contract import violation
from shared.openapi import problem_openapi
from shared.problems import NotFound, problem_responses


class RoundNotFound(NotFound):
    slug = "round-not-found"
    title = "Round not found"


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/v1/rounds/open")
    async def open_rounds() -> list[int]:
        return []

    @app.get("/v1/rounds/{round_id}", responses=problem_responses(RoundNotFound))
    async def get_round(round_id: int) -> int:
        return round_id

    app.openapi = problem_openapi(app)  # type: ignore[method-assign]
    return app


def _problem(kind: str) -> bytes:
    return json.dumps({"type": kind, "title": "t", "status": 404}).encode()


def test_a_declared_type_passes_and_an_undeclared_one_is_named() -> None:
    app = _app()
    assert violation(app, "GET", "/v1/rounds/7", 404, _problem("urn:thidua:problem:round-not-found")) is None
    assert violation(app, "GET", "/v1/rounds/7", 404, _problem("about:blank")) is None
    found = violation(app, "GET", "/v1/rounds/7", 404, _problem("urn:thidua:problem:plan-not-found"))
    assert found is not None
    assert "GET /v1/rounds/{round_id} answered 404 with type 'urn:thidua:problem:plan-not-found'" in found


def test_a_status_the_operation_does_not_list_is_named() -> None:
    found = violation(_app(), "GET", "/v1/rounds/7", 409, _problem("urn:thidua:problem:conflict"))
    assert found == "GET /v1/rounds/{round_id} answered 409, a status its document does not list"


def test_a_path_without_parameters_is_matched_before_a_template() -> None:
    # /v1/rounds/open declares no 404 of a round: its round-not-found is a violation, not the template's.
    found = violation(_app(), "GET", "/v1/rounds/open", 404, _problem("urn:thidua:problem:round-not-found"))
    assert found is not None
    assert "GET /v1/rounds/open " in found


def test_what_is_no_operation_of_the_document_is_not_judged() -> None:
    assert violation(_app(), "DELETE", "/v1/rounds/7", 405, _problem("about:blank")) is None
    assert violation(_app(), "GET", "/v1/nowhere", 404, _problem("about:blank")) is None
