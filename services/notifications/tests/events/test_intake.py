"""Intake: the contract of each event type, idempotency on the id, and the service token."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.testing.plugin import TokenMinter
from notifications.events.models import Event
from notifications.events.schemas import EVENT_TYPES, OWN_EVENT_TYPES

URL = "/internal/v1/events"
PRODUCED = sorted(key for key in EVENT_TYPES if key[0] not in OWN_EVENT_TYPES)


@pytest.fixture
def service_auth(mint_token: TokenMinter) -> dict[str, str]:
    token = mint_token(
        roles=["service"],
        org_unit=None,
        subject="service-account-nominations",
        extra_claims={"azp": "nominations"},
    )
    return {"Authorization": f"Bearer {token}"}


def event(type_: str = "nomination.returned", version: int = 1, **changes: Any) -> dict[str, Any]:
    """An event of the type with its sample data, then ``changes`` (which may break its contract)."""
    body = {
        "id": str(uuid.uuid4()),
        "type": type_,
        "version": version,
        "occurred_at": "2026-12-02T03:00:00+00:00",
        "subject": "nomination/42",
        "producer": "nominations",
        "data": copy.deepcopy(EVENT_TYPES[(type_, version)].sample),
    }
    body.update(changes)
    return body


async def jobs(session: AsyncSession, event_id: str) -> int:
    return int(
        await session.scalar(
            text(
                "SELECT count(*) FROM notifications.procrastinate_jobs"
                " WHERE task_name = 'fan_out' AND args->'event_ids' @> jsonb_build_array(CAST(:id AS text))"
            ),
            {"id": event_id},
        )
        or 0
    )


@pytest.mark.parametrize(("type_", "version"), PRODUCED, ids=[f"{t}-v{v}" for t, v in PRODUCED])
async def test_every_produced_type_is_accepted_with_its_sample(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    service_auth: dict[str, str],
    type_: str,
    version: int,
) -> None:
    body = event(type_, version)
    response = await client.post(URL, json=body, headers=service_auth)
    assert response.status_code == 202, response.text
    assert response.json() == {"id": body["id"], "status": "accepted", "problem": None}
    stored = await db_session.get(Event, uuid.UUID(body["id"]))
    assert stored is not None
    assert stored.type == type_
    assert stored.fanned_out_at is None
    assert await jobs(db_session, body["id"]) == 1


async def test_the_same_event_twice_is_stored_once(
    client: httpx.AsyncClient, db_session: AsyncSession, service_auth: dict[str, str]
) -> None:
    body = event()
    first = await client.post(URL, json=body, headers=service_auth)
    again = await client.post(URL, json=body, headers=service_auth)
    assert (first.json()["status"], again.json()["status"]) == ("accepted", "duplicate")
    assert await db_session.scalar(select(func.count()).where(Event.id == uuid.UUID(body["id"]))) == 1
    assert await jobs(db_session, body["id"]) == 1


async def test_an_id_reused_with_other_content_is_refused(
    client: httpx.AsyncClient, service_auth: dict[str, str]
) -> None:
    body = event()
    await client.post(URL, json=body, headers=service_auth)
    body["data"]["note"] = "Một lý do khác"
    response = await client.post(URL, json=body, headers=service_auth)
    assert response.status_code == 409
    assert response.json()["type"] == "urn:thidua:problem:event-id-reused"


async def test_a_batch_answers_each_event_and_keeps_the_good_ones(
    client: httpx.AsyncClient, db_session: AsyncSession, service_auth: dict[str, str]
) -> None:
    good, unknown, bad = event(), event(), event("nomination.submitted")
    unknown["type"] = "nomination.teleported"
    bad["data"]["resubmitted"] = "perhaps"
    response = await client.post(URL, json=[good, unknown, bad], headers=service_auth)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected", "rejected"]
    assert results[1]["problem"]["type"] == "urn:thidua:problem:unknown-event-type"
    assert results[2]["problem"]["type"] == "urn:thidua:problem:event-schema-mismatch"
    assert results[2]["problem"]["errors"][0]["location"] == "data.resubmitted"
    stored = (await db_session.scalars(select(Event.id))).all()
    assert uuid.UUID(good["id"]) in stored
    assert uuid.UUID(unknown["id"]) not in stored
    assert uuid.UUID(bad["id"]) not in stored


@pytest.mark.parametrize(
    ("change", "slug"),
    [
        ({"version": 9}, "unknown-event-type"),
        ({"type": "report.due"}, "unknown-event-type"),  # the reminders are this service's own
        ({"data": {"nomination_id": 42}}, "event-schema-mismatch"),
        (
            {"data": {**EVENT_TYPES[("nomination.returned", 1)].sample, "objector_phone": "0912"}},
            "event-schema-mismatch",
        ),
    ],
)
async def test_an_event_outside_its_contract_is_a_problem_and_nothing_is_stored(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    service_auth: dict[str, str],
    change: dict[str, Any],
    slug: str,
) -> None:
    body = {**event(), **change}
    response = await client.post(URL, json=body, headers=service_auth)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:thidua:problem:{slug}"
    assert await db_session.get(Event, uuid.UUID(body["id"])) is None


async def test_a_service_sends_only_its_own_events(
    client: httpx.AsyncClient, mint_token: TokenMinter, db_session: AsyncSession
) -> None:
    targets = mint_token(roles=["service"], org_unit=None, subject="service-account-targets")
    body = event()
    response = await client.post(URL, json=body, headers={"Authorization": f"Bearer {targets}"})
    assert response.status_code == 403
    assert response.json()["type"] == "urn:thidua:problem:wrong-producer"
    assert await db_session.get(Event, uuid.UUID(body["id"])) is None


@pytest.mark.parametrize("roles", [["admin"], ["secretariat", "unit_officer"], []])
async def test_a_person_cannot_post_events(
    client: httpx.AsyncClient, mint_token: TokenMinter, roles: list[str]
) -> None:
    token = mint_token(roles=roles, org_unit="HT", extra_claims={"azp": "nominations"})
    response = await client.post(URL, json=event(), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.json()["required_roles"] == ["service"]


async def test_no_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json=event())
    assert response.status_code == 401


async def test_a_batch_is_bounded(client: httpx.AsyncClient, service_auth: dict[str, str]) -> None:
    response = await client.post(URL, json=[event() for _ in range(501)], headers=service_auth)
    assert response.status_code == 422
