"""Each person's preferences per event type and channel; critical events are marked as such."""

from __future__ import annotations

import httpx

from devstack.testing.plugin import AuthHeaders


async def enrol(client: httpx.AsyncClient, auth: AuthHeaders, sub: str) -> None:
    body = {"sub": sub, "display_name": "Hồ Văn Nam", "email": "nam@hatinh.gov.vn", "roles": ["unit_officer"]}
    assert (await client.post("/v1/recipients", json=body, headers=auth("admin"))).status_code == 201


async def test_a_person_sees_every_type_and_sets_a_digest(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    await enrol(client, auth, "pref-1")
    me = auth("unit_officer", subject="pref-1")
    initial = (await client.get("/v1/preferences", headers=me)).json()["items"]
    assert {(p["event_type"], p["channel"]) for p in initial} >= {("nomination.returned", "email")}
    assert all(p["mode"] == "immediate" for p in initial)
    assert next(p for p in initial if p["event_type"] == "nomination.returned")["critical"] is True
    put = await client.put(
        "/v1/preferences",
        json={
            "preferences": [
                {"event_type": "nomination.screened", "channel": "email", "mode": "digest"},
                {"event_type": "results.imported", "channel": "inbox", "mode": "off"},
            ]
        },
        headers=me,
    )
    assert put.status_code == 200, put.text
    modes = {(p["event_type"], p["channel"]): p["mode"] for p in put.json()["items"]}
    assert modes[("nomination.screened", "email")] == "digest"
    assert modes[("results.imported", "inbox")] == "off"
    assert modes[("nomination.screened", "inbox")] == "immediate"


async def test_bad_preferences_are_refused_whole(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    await enrol(client, auth, "pref-2")
    me = auth("unit_officer", subject="pref-2")
    response = await client.put(
        "/v1/preferences",
        json={
            "preferences": [
                {"event_type": "nomination.screened", "channel": "email", "mode": "off"},
                {"event_type": "nomination.screened", "channel": "inbox", "mode": "digest"},
                {"event_type": "nomination.teleported", "channel": "email", "mode": "off"},
            ]
        },
        headers=me,
    )
    assert response.status_code == 422
    assert "only email" in response.json()["detail"]
    assert "teleported" in response.json()["detail"]
    modes = {p["mode"] for p in (await client.get("/v1/preferences", headers=me)).json()["items"]}
    assert modes == {"immediate"}


async def test_someone_not_in_the_directory_is_told_so(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    response = await client.get("/v1/preferences", headers=auth("viewer", subject="nobody-here"))
    assert response.status_code == 404
    assert response.json()["type"] == "urn:thidua:problem:not-a-recipient"
