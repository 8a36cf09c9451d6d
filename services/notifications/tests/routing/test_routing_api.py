"""Routing rules are data: seeded, read, replaced by admins, checked against their event type's fields."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.testing.plugin import AuthHeaders
from notifications.events.schemas import EVENT_TYPE_NAMES
from notifications.routing import service
from notifications.routing.models import RoutingRule


def test_every_event_type_has_a_seeded_rule_that_reads_its_fields() -> None:
    assert set(service.seeded_rules()) == EVENT_TYPE_NAMES


async def test_the_seed_keeps_its_rules_and_never_the_admins(
    client: httpx.AsyncClient, db_session: AsyncSession, auth: AuthHeaders
) -> None:
    await service.load_routing(db_session)
    read = await client.get("/v1/routing-rules/objection.filed", headers=auth("secretariat"))
    assert read.status_code == 200
    assert read.json()["origin"] == "seed"
    put = await client.put(
        "/v1/routing-rules/objection.filed",
        json={"audiences": [{"kind": "role", "role": "admin", "channels": ["email"]}]},
        headers=auth("admin") | {"If-Match": read.headers["ETag"]},
    )
    assert put.status_code == 200, put.text
    assert put.json()["origin"] == "api"
    assert await service.load_routing(db_session) == 0
    rule = await db_session.get(RoutingRule, "objection.filed")
    assert rule is not None
    await db_session.refresh(rule)
    assert rule.audiences == [{"kind": "role", "role": "admin", "channels": ["email"]}]


@pytest.mark.parametrize(
    ("audience", "needle"),
    [
        (
            {"kind": "unit_role", "role": "unit_officer", "field": "org_unit", "channels": ["email"]},
            "no field",
        ),
        ({"kind": "role", "role": "service", "channels": ["email"]}, "role"),
        ({"kind": "role", "role": "admin", "channels": ["sms"]}, "channels"),
        ({"kind": "everyone", "channels": ["email"]}, "kind"),
    ],
)
async def test_a_rule_that_cannot_be_read_is_refused(
    client: httpx.AsyncClient, auth: AuthHeaders, audience: dict[str, object], needle: str
) -> None:
    response = await client.put(
        "/v1/routing-rules/nomination.returned",
        json={"audiences": [audience]},
        headers=auth("admin") | {"If-Match": "*"},
    )
    assert response.status_code == 422, response.text
    assert needle in response.text


async def test_an_unknown_event_type_is_a_404(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    response = await client.get("/v1/routing-rules/nomination.teleported", headers=auth("admin"))
    assert response.status_code == 404
    assert "nomination.returned" in response.json()["known_event_types"]


@pytest.mark.parametrize("role", ["secretariat", "unit_officer", "viewer"])
async def test_only_admins_write_rules(client: httpx.AsyncClient, auth: AuthHeaders, role: str) -> None:
    response = await client.put(
        "/v1/routing-rules/nomination.returned", json={"audiences": []}, headers=auth(role)
    )
    assert response.status_code == 403
