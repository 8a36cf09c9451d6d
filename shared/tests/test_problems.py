"""Every error a service answers with is problem+json, including the ones it did not plan for."""

import logging

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field
from sqlalchemy.orm.exc import StaleDataError

from shared.concurrency import handle_stale_data
from shared.problems import Conflict, install_problem_handlers, problem_responses
from shared.request_context import RequestContextMiddleware


class Item(BaseModel):
    name: str = Field(min_length=1)
    quantity: int = Field(ge=0)


class ItemLocked(Conflict):
    slug = "item-locked"
    title = "Item is locked"


def make_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/items", responses=problem_responses(ItemLocked))
    async def create(item: Item) -> Item:
        if item.name == "locked":
            raise ItemLocked("The item is locked by a decision.", allowed_actions=["view"])
        return item

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_middleware(RequestContextMiddleware)
    return app


@pytest.fixture
async def http() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=make_app(), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://t")


async def test_validation_errors_list_each_bad_field(http: httpx.AsyncClient) -> None:
    response = await http.post("/items", json={"name": "", "quantity": -1})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:thidua:problem:validation-error"
    assert [error["location"] for error in body["errors"]] == ["body.name", "body.quantity"]
    assert "body.quantity" in body["detail"]


async def test_malformed_json_is_a_400_with_the_position(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/items", content=b'{"name": "x",', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "urn:thidua:problem:malformed-json"
    assert "position" in body["detail"]


async def test_domain_errors_carry_their_type_and_extensions(http: httpx.AsyncClient) -> None:
    response = await http.post("/items", json={"name": "locked", "quantity": 1})
    assert response.status_code == 409
    body = response.json()
    assert body == {
        "type": "urn:thidua:problem:item-locked",
        "title": "Item is locked",
        "status": 409,
        "detail": "The item is locked by a decision.",
        "instance": "/items",
        "allowed_actions": ["view"],
    }


async def test_instance_names_the_path_the_client_used_behind_the_gateway(http: httpx.AsyncClient) -> None:
    response = await http.post("/items", json={}, headers={"X-Forwarded-Prefix": "/api"})
    assert response.json()["instance"] == "/api/items"
    forged = await http.post("/items", json={}, headers={"X-Forwarded-Prefix": '"><script>'})
    assert forged.json()["instance"] == "/items"


async def test_unknown_routes_and_methods_are_problems(http: httpx.AsyncClient) -> None:
    missing = await http.get("/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    wrong_method = await http.delete("/items")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["title"] == "Method Not Allowed"


async def test_an_unexpected_exception_is_a_500_problem_that_hides_internals(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = await http.get("/boom", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "req-500"
    assert "secret internals" not in response.text
    assert any(record.getMessage() == "unhandled error" and record.exc_info for record in caplog.records)


async def test_a_lost_race_on_a_versioned_update_is_a_412_not_a_500() -> None:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_exception_handler(StaleDataError, handle_stale_data)

    @app.patch("/things/1")
    async def patch() -> None:
        raise StaleDataError(
            "UPDATE statement on table 'things' expected to update 1 row(s); 0 were matched."
        )

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.patch("/things/1")
    assert response.status_code == 412
    assert response.json()["type"] == "urn:thidua:problem:version-mismatch"
