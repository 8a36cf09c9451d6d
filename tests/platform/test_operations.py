"""/healthz, /readyz, /metrics and the OpenAPI document, for every service."""

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant

from devstack.postgres import PostgresServer
from devstack.stack import free_port
from shared import migrations
from shared.app import api_routes, routes_without_permission
from shared.auth import RoleGuard
from tests.platform.conftest import build_app


async def test_healthz_answers_without_the_database(client: httpx.AsyncClient, service: str) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": service}


async def test_readyz_reports_database_and_migration(client: httpx.AsyncClient, service: str) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["service"] == service
    assert body["migration"] == migrations.head_revision(f"{service}:migrations")


@pytest.fixture
async def unmigrated_app(
    service: str, base_settings: dict[str, Any], postgres_server: PostgresServer
) -> AsyncIterator[FastAPI]:
    name = f"unmigrated_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name)
    app = build_app(service, **{**base_settings, "database_url": url})
    async with app.router.lifespan_context(app):
        yield app
    postgres_server.drop_database(name)


async def test_readyz_is_503_until_migrations_reach_head(unmigrated_app: FastAPI, service: str) -> None:
    transport = httpx.ASGITransport(app=unmigrated_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:thidua:problem:not-ready"
    assert body["database"] == "ok"
    assert body["migration"] is None
    assert "expected" in body["detail"]


async def test_readyz_is_503_when_the_database_is_unreachable(
    service: str, base_settings: dict[str, Any]
) -> None:
    closed_port = free_port()
    url = f"postgresql://postgres@127.0.0.1:{closed_port}/nowhere"
    app = build_app(service, **{**base_settings, "database_url": url})
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await http.get("/readyz")
            health = await http.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert health.status_code == 200


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient, service: str) -> None:
    await client.get(f"/v1/no-such-thing-{uuid.uuid4().hex}")
    await client.get("/v1/whoami")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert f'http_requests_total{{method="GET",route="/v1/whoami",service="{service}",status="401"}}' in text
    # Raw unmatched paths never become label values.
    assert "no-such-thing" not in text
    assert f'route="unmatched",service="{service}",status="404"' in text
    assert "process_resident_memory_bytes" in text


def test_every_route_declares_its_permission(app: FastAPI) -> None:
    # Included routers keep their routes inside them: the check must see them all, or it checks nothing.
    paths = {route.path for route in api_routes(app)}
    assert {"/v1/whoami", "/healthz"} <= paths
    assert {"/readyz", "/internal/v1/clock"} <= paths
    assert routes_without_permission(app) == []


def test_a_route_without_a_permission_is_found(app: FastAPI) -> None:
    router = APIRouter()

    @router.get("/v1/forgotten")
    async def forgotten() -> dict[str, str]:
        return {}

    app_with_a_hole = FastAPI()
    app_with_a_hole.include_router(router)
    assert routes_without_permission(app_with_a_hole) == ["GET /v1/forgotten"]


async def test_openapi_names_the_gateway_prefix_and_problem_responses(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    assert document["servers"] == [{"url": "/api", "description": "through the gateway"}]
    assert "/v1/whoami" in document["paths"]


def _calls(dependant: Dependant) -> list[object]:
    return [dependant.call, *(call for dep in dependant.dependencies for call in _calls(dep))]


def test_every_repeatable_create_is_for_an_authenticated_caller(app: FastAPI) -> None:
    """An Idempotency-Key is the caller's own: the dependency reads the principal a role guard set."""
    creates = 0
    for route in api_routes(app):
        calls = _calls(route.dependant)
        if any(getattr(call, "__qualname__", "").startswith("idempotency.") for call in calls):
            creates += 1
            assert any(isinstance(call, RoleGuard) for call in calls), route.path
    assert creates or app.title.lower().startswith("notifications")
