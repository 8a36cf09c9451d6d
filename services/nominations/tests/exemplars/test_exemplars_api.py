"""Exemplars: detected → nurtured → summarised → replicated, one step at a time, with their history, where
they were replicated, and nominations drafted from any step through the nominations' own door."""

from __future__ import annotations

from typing import Any

import httpx

from devstack.flows import AwardsFlow
from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth

UNIT = "HT-18073"  # Phường Thành Sen, from 1/7/2025


def model(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "model",
        "name": "Mô hình “Khu dân cư không rác thải nhựa”",
        "description": "Tổ dân phố phân loại rác tại nguồn, 100% hộ tham gia.",
        "movement": "PT-RAC-THAI",
        "detected_on": "2026-01-15",
        "evidence": [{"title": "Bài Báo Hà Tĩnh", "url": "https://baohatinh.vn/bai-viet"}],
    } | overrides


async def detected(client: httpx.AsyncClient, auth: Auth, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        "/v1/exemplars", json=model(**overrides), headers=auth("unit_officer", org_unit=UNIT)
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def step(client: httpx.AsyncClient, auth: Auth, exemplar_id: int, to: str) -> httpx.Response:
    return await client.post(
        f"/v1/exemplars/{exemplar_id}/actions/advance",
        json={"to": to, "note": f"Đã {to}"},
        headers=auth("unit_officer", org_unit=UNIT),
    )


async def test_an_exemplar_is_detected_by_its_unit(client: httpx.AsyncClient, auth: Auth) -> None:
    exemplar = await detected(client, auth)
    assert (exemplar["stage"], exemplar["movement"], exemplar["org_unit_name"]) == (
        "detected",
        "PT-RAC-THAI",
        "Phường Thành Sen",
    )
    assert exemplar["allowed_stages"] == ["nurtured"]
    assert exemplar["history"][0]["kind"] == "detected"
    assert exemplar["history"][0]["evidence"] == [
        {"title": "Bài Báo Hà Tĩnh", "url": "https://baohatinh.vn/bai-viet"}
    ]
    elsewhere = await client.post(
        "/v1/exemplars", json=model(org_unit="HT-18100"), headers=auth("unit_officer", org_unit=UNIT)
    )
    assert_problem(elsewhere, 403, "out-of-scope")
    future = await client.post(
        "/v1/exemplars", json=model(detected_on="2026-04-01"), headers=auth("unit_officer", org_unit=UNIT)
    )
    assert_problem(future, 422, "invalid-exemplar")
    unknown = await client.post(
        "/v1/exemplars", json=model(movement="NO-SUCH"), headers=auth("unit_officer", org_unit=UNIT)
    )
    assert_problem(unknown, 422, "invalid-exemplar")
    assert_problem(
        await client.post("/v1/exemplars", json=model(), headers=auth("viewer")), 403, "missing-role"
    )
    # Another unit's officer does not see it at all.
    other = await client.get(
        f"/v1/exemplars/{exemplar['id']}", headers=auth("unit_officer", org_unit="HT-18100")
    )
    assert_problem(other, 404, "exemplar-not-found")
    listed = await client.get(
        "/v1/exemplars", params={"movement": "PT-RAC-THAI"}, headers=auth("secretariat")
    )
    assert [item["id"] for item in listed.json()["items"]] == [exemplar["id"]]


async def test_the_four_steps_in_order_and_replicated_only_once_replicated_somewhere(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    exemplar = await detected(client, auth)
    skipped = await step(client, auth, exemplar["id"], "summarised")
    problem = assert_problem(skipped, 409, "exemplar-stage-order")
    assert problem["allowed_stages"] == ["nurtured"]
    assert (await step(client, auth, exemplar["id"], "nurtured")).status_code == 200
    early = await client.post(
        f"/v1/exemplars/{exemplar['id']}/replications",
        json={"org_unit": "HT-18100", "replicated_on": "2026-02-01"},
        headers=auth("unit_officer", org_unit=UNIT),
    )
    assert_problem(early, 409, "exemplar-stage-order")
    assert (await step(client, auth, exemplar["id"], "summarised")).status_code == 200
    assert_problem(
        await step(client, auth, exemplar["id"], "replicated"), 409, "exemplar-not-replicated-anywhere"
    )
    place = {"org_unit": "HT-18100", "replicated_on": "2026-03-01", "note": "Tổ dân phố 5 áp dụng"}
    url = f"/v1/exemplars/{exemplar['id']}/replications"
    replicated = await client.post(url, json=place, headers=auth("unit_officer", org_unit=UNIT))
    assert replicated.status_code == 201, replicated.text
    assert replicated.json()["replications"] == [
        {
            "org_unit": "HT-18100",
            "org_unit_name": "Phường Trần Phú",
            "replicated_on": "2026-03-01",
            "note": "Tổ dân phố 5 áp dụng",
        }
    ]
    assert_problem(
        await client.post(url, json=place, headers=auth("unit_officer", org_unit=UNIT)),
        409,
        "exemplar-replication-exists",
    )
    before = await client.post(
        url, json=place | {"org_unit": "HT-18115", "replicated_on": "2025-12-01"}, headers=auth("secretariat")
    )
    assert_problem(before, 422, "invalid-exemplar")
    done = await step(client, auth, exemplar["id"], "replicated")
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["stage"] == "replicated"
    assert body["allowed_stages"] == []
    assert [(e["kind"], e["stage"]) for e in body["history"]] == [
        ("detected", "detected"),
        ("advanced", "nurtured"),
        ("advanced", "summarised"),
        ("replicated", "summarised"),
        ("advanced", "replicated"),
    ]
    assert_problem(await step(client, auth, exemplar["id"], "replicated"), 409, "exemplar-stage-order")


async def test_a_stale_etag_refuses_the_step(client: httpx.AsyncClient, auth: Auth) -> None:
    exemplar = await detected(client, auth)
    headers = auth("unit_officer", org_unit=UNIT) | {"If-Match": '"1"'}
    url = f"/v1/exemplars/{exemplar['id']}/actions/advance"
    first = await client.post(url, json={"to": "nurtured", "note": "x"}, headers=headers)
    assert first.headers["ETag"] == '"2"'
    again = await client.post(url, json={"to": "summarised", "note": "x"}, headers=headers)
    assert_problem(again, 412, "version-mismatch")


async def test_a_replicated_exemplar_is_nominated_through_the_workflow(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    flow = AwardsFlow(client, auth)
    round_ = await flow.create_round(
        year=2026, reference_date="2026-03-31", name="Khen thưởng đột xuất", kind="ad_hoc"
    )
    exemplar = await detected(client, auth, kind="collective", name="Tổ dân phố 3, phường Thành Sen")
    for stage in ("nurtured", "summarised"):
        assert (await step(client, auth, exemplar["id"], stage)).status_code == 200
    await client.post(
        f"/v1/exemplars/{exemplar['id']}/replications",
        json={"org_unit": "HT-18100", "replicated_on": "2026-03-02"},
        headers=auth("unit_officer", org_unit=UNIT),
    )
    assert (await step(client, auth, exemplar["id"], "replicated")).status_code == 200
    body = flow.nomination_body(
        round_["id"],
        UNIT,
        award_type_code="BANG_KHEN_CT_TINH_TT",
        nominee={"kind": "collective", "name": "Tổ dân phố 3", "key": "TDP3-TS", "position": None},
        initiatives=[],
    )
    nominated = await client.post(
        f"/v1/exemplars/{exemplar['id']}/nominations", json=body, headers=flow.officer(UNIT)
    )
    assert nominated.status_code == 201, nominated.text
    nomination = nominated.json()
    assert nomination["status"] == "draft"
    assert "submit" in nomination["allowed_actions"]
    read = (await client.get(f"/v1/exemplars/{exemplar['id']}", headers=auth("secretariat"))).json()
    assert read["nomination_ids"] == [nomination["id"]]
    assert read["history"][-1]["details"] == {
        "nomination_id": nomination["id"],
        "award_type": "BANG_KHEN_CT_TINH_TT",
    }
    # The nominations' own checks hold: another unit cannot nominate from it.
    other = await client.post(
        f"/v1/exemplars/{exemplar['id']}/nominations",
        json=body | {"nominating_org_unit": "HT-18100"},
        headers=flow.officer(UNIT),
    )
    assert_problem(other, 403, "out-of-scope")
