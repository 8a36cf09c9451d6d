"""Evidence snapshots: target progress read from the real targets service and kept as it was read."""

import socket
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.flows import AwardsFlow
from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth
from nominations.org_scope import TargetsClient


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again as the socket goes: nothing listens there


async def draft(client: httpx.AsyncClient, auth: Auth, unit: str = "HT-THA") -> tuple[AwardsFlow, int]:
    steps = AwardsFlow(client, auth)
    round_ = await steps.create_round()
    nomination = await steps.nominate(round_["id"], unit)
    return steps, int(nomination["id"])


async def stored(db_session: AsyncSession, nomination_id: int) -> tuple[int, list[str]]:
    snapshots = await db_session.scalar(
        text("SELECT count(*) FROM nominations.evidence_snapshots WHERE nomination_id = :id"),
        {"id": nomination_id},
    )
    events = await db_session.execute(
        text("SELECT action FROM nominations.nomination_events WHERE nomination_id = :id ORDER BY id"),
        {"id": nomination_id},
    )
    return int(snapshots or 0), list(events.scalars())


async def test_the_nominating_unit_keeps_its_progress_with_the_dossier(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    steps, nomination_id = await draft(client, auth)
    officer = steps.officer("HT-THA")
    taken = await client.post(f"/v1/nominations/{nomination_id}/evidence", json={}, headers=officer)
    assert taken.status_code == 201, taken.text
    body = taken.json()
    assert body["org_unit"] == "HT-THA"  # the nominating unit
    assert body["at"] == "2024-12-31"  # the round's reference date
    assert body["fetched_by"] == "officer-HT-THA"
    assert body["source"].startswith("http://targets.test/v1/progress?")
    assert "org_unit=HT-THA" in body["source"]
    assert "at=2024-12-31" in body["source"]
    report = body["snapshot"]
    assert report["org_unit"] == "HT-THA"
    assert report["at"] == "2024-12-31"
    assert body["plan"] == report["plan"]
    assert report["items"], "the seed's plan has targets judged for HT-THA"
    assert {"target_id", "indicator", "status", "latest_value"} <= set(report["items"][0])
    assert taken.headers["Location"] == f"/api/v1/nominations/{nomination_id}/evidence/{body['id']}"

    listed = await client.get(f"/v1/nominations/{nomination_id}/evidence", headers=steps.secretariat())
    assert listed.status_code == 200
    assert listed.json() == {"items": [body], "next_cursor": None}
    one = await client.get(f"/v1/nominations/{nomination_id}/evidence/{body['id']}", headers=officer)
    assert one.json() == body

    events = (await client.get(f"/v1/nominations/{nomination_id}/events", headers=officer)).json()["items"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events] == [
        ("create", None, "draft"),
        ("evidence", "draft", "draft"),
    ]
    assert events[1]["details"]["snapshot_id"] == body["id"]
    assert await stored(db_session, nomination_id) == (1, ["create", "evidence"])


async def test_only_the_chosen_targets_are_kept(client: httpx.AsyncClient, auth: Auth) -> None:
    steps, nomination_id = await draft(client, auth)
    officer = steps.officer("HT-THA")
    full = (await client.post(f"/v1/nominations/{nomination_id}/evidence", headers=officer)).json()
    chosen = full["snapshot"]["items"][0]
    taken = await client.post(
        f"/v1/nominations/{nomination_id}/evidence",
        json={"target_ids": [chosen["target_id"]], "at": "2024-12-31"},
        headers=officer,
    )
    assert taken.status_code == 201, taken.text
    body = taken.json()
    assert body["target_ids"] == [chosen["target_id"]]
    assert body["snapshot"]["items"] == [chosen]
    assert body["snapshot"]["summary"] == {chosen["status"]: 1}

    unknown = await client.post(
        f"/v1/nominations/{nomination_id}/evidence", json={"target_ids": [2_000_000_000]}, headers=officer
    )
    assert "2000000000" in assert_problem(unknown, 422, "evidence-source-invalid")["detail"]


async def test_an_unknown_org_unit_is_named(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    steps, nomination_id = await draft(client, auth)
    refused = await client.post(
        f"/v1/nominations/{nomination_id}/evidence",
        json={"org_unit": "HT-NOWHERE"},
        headers=steps.officer("HT-THA"),
    )
    body = assert_problem(refused, 422, "evidence-source-invalid")
    assert "HT-NOWHERE" in body["detail"]
    assert body["org_unit"] == "HT-NOWHERE"
    assert await stored(db_session, nomination_id) == (0, ["create"])


async def test_a_neighbours_results_are_not_evidence(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    steps, nomination_id = await draft(client, auth)
    refused = await client.post(
        f"/v1/nominations/{nomination_id}/evidence",
        json={"org_unit": "HT-CLO"},
        headers=steps.officer("HT-THA"),
    )
    body = assert_problem(refused, 422, "evidence-source-invalid")
    assert body["errors"] == [{"name": "org_unit", "reason": "outside the nominee's unit"}]
    assert await stored(db_session, nomination_id) == (0, ["create"])


async def test_only_while_the_unit_may_edit_the_dossier(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    steps, nomination_id = await draft(client, auth)
    path = f"/v1/nominations/{nomination_id}/evidence"
    assert_problem(await client.post(path, headers=steps.secretariat()), 403, "action-forbidden")
    assert_problem(await client.post(path, headers=steps.officer("HT-CLO")), 404, "nomination-not-found")
    await steps.must(nomination_id, "submit", steps.officer("HT-THA"))
    submitted = await client.post(path, headers=steps.officer("HT-THA"))
    assert assert_problem(submitted, 409, "action-not-allowed")["current_status"] == "submitted"
    assert (await stored(db_session, nomination_id))[0] == 0
    # Readers still read (none here), others do not.
    assert (await client.get(path, headers=steps.secretariat())).json()["items"] == []
    assert_problem(await client.get(path, headers=steps.officer("HT-CLO")), 404, "nomination-not-found")


async def test_targets_down_is_a_503_and_nothing_is_stored(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession, running_app: FastAPI
) -> None:
    steps, nomination_id = await draft(client, auth)
    officer = steps.officer("HT-THA")
    real = running_app.state.targets
    down = TargetsClient(f"http://127.0.0.1:{closed_port()}", retries=0)
    running_app.state.targets = down
    try:
        refused = await client.post(f"/v1/nominations/{nomination_id}/evidence", headers=officer)
    finally:
        running_app.state.targets = real
        await down.aclose()
    assert_problem(refused, 503, "targets-unavailable")
    assert await stored(db_session, nomination_id) == (0, ["create"])


async def test_a_snapshot_reads_the_same_after_the_targets_data_changed(
    client: httpx.AsyncClient, auth: Auth, running_app: FastAPI
) -> None:
    steps, nomination_id = await draft(client, auth)
    officer = steps.officer("HT-THA")
    before = (await client.post(f"/v1/nominations/{nomination_id}/evidence", headers=officer)).json()

    # The targets service now reports corrected figures (a revised result): a new snapshot sees them…
    def corrected(request: httpx.Request) -> httpx.Response:
        report: dict[str, Any] = {
            **before["snapshot"],
            "items": [
                {**row, "latest_value": 1.0, "status": "off_track"} for row in before["snapshot"]["items"]
            ],
        }
        return httpx.Response(200, json=report)

    real = running_app.state.targets
    revised = TargetsClient("http://targets.test", transport=httpx.MockTransport(corrected), retries=0)
    running_app.state.targets = revised
    try:
        after = (await client.post(f"/v1/nominations/{nomination_id}/evidence", headers=officer)).json()
    finally:
        running_app.state.targets = real
        await revised.aclose()
    assert {row["status"] for row in after["snapshot"]["items"]} == {"off_track"}

    # …and the first one still reads exactly as it was received.
    listed = (await client.get(f"/v1/nominations/{nomination_id}/evidence", headers=officer)).json()["items"]
    assert listed[0] == before
    assert listed[1] == after
