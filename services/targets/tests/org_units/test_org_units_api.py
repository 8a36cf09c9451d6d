"""The org-unit directory over HTTP, against the Hà Tĩnh seed in PostgreSQL (each test rolled back)."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth
from shared import clock
from targets.cache.counters import Counters, read_counters

DISTRICT_LEVEL = {"city", "town", "district"}
SEED_DISTRICTS = {
    "HT-HTI",
    "HT-HLI",
    "HT-KAT",
    "HT-DTH",
    "HT-NXU",
    "HT-CLO",
    "HT-THA",
    "HT-CXU",
    "HT-KAH",
    "HT-HSO",
    "HT-HKH",
    "HT-VQU",
    "HT-LHA",
}
# The provincial departments of 2021-2025 and those after the mergers of 1/3/2025 (seed/data/org_units.json).
DEPARTMENTS_2024 = {
    "HT-SNV", "HT-VPUB", "HT-STP", "HT-SKHDT", "HT-STC", "HT-SCT", "HT-SNNPTNT", "HT-SGTVT", "HT-SXD",
    "HT-STNMT", "HT-STTTT", "HT-SLDTBXH", "HT-SVHTTDL", "HT-SKHCN", "HT-SGDDT", "HT-SYT", "HT-SNGV", "HT-TTT",
}  # fmt: skip
DEPARTMENTS_2025 = DEPARTMENTS_2024 - {
    "HT-SKHDT",
    "HT-SGTVT",
    "HT-SNNPTNT",
    "HT-STNMT",
    "HT-STTTT",
    "HT-SLDTBXH",
} | {"HT-SNNMT"}
NON_ADMIN_ROLES = ["secretariat", "unit_officer", "council_member", "authority", "reporter", "viewer"]


async def list_codes(client: httpx.AsyncClient, auth: Auth, **params: Any) -> list[str]:
    response = await client.get("/v1/org-units", params={"limit": 500, **params}, headers=auth("viewer"))
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return [item["code"] for item in response.json()["items"]]


async def create_unit(
    client: httpx.AsyncClient,
    auth: Auth,
    code: str,
    *,
    parent: str | None = "HT-HSO",
    type: str = "commune",
    valid_from: str = "2021-01-01",
    **extra: Any,
) -> dict[str, Any]:
    body = {"code": code, "name": f"Xã {code}", "type": type, "valid_from": valid_from, "parent": parent}
    response = await client.post("/v1/org-units", json={**body, **extra}, headers=auth("admin"))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def get_unit(client: httpx.AsyncClient, auth: Auth, code: str, **params: Any) -> httpx.Response:
    response = await client.get(f"/v1/org-units/{code}", params=params, headers=auth("viewer"))
    assert response.status_code == 200, response.text
    return response


async def patch_unit(
    client: httpx.AsyncClient, auth: Auth, code: str, body: dict[str, Any], etag: str | None = None
) -> httpx.Response:
    if etag is None:
        etag = (await get_unit(client, auth, code)).headers["ETag"]
    return await client.patch(f"/v1/org-units/{code}", json=body, headers={**auth("admin"), "If-Match": etag})


async def restructure(client: httpx.AsyncClient, auth: Auth, **body: Any) -> httpx.Response:
    return await client.post(
        "/v1/org-units/restructurings",
        json={"legal_source": "Nghị quyết (test)", **body},
        headers=auth("admin"),
    )


# ---- GET /v1/org-units ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2021-01-01", SEED_DISTRICTS),
        ("2024-06-30", SEED_DISTRICTS),
        ("2024-12-31", SEED_DISTRICTS),
        ("2025-01-01", SEED_DISTRICTS - {"HT-LHA"}),
        ("2025-03-01", SEED_DISTRICTS - {"HT-LHA"}),
        ("2025-06-30", SEED_DISTRICTS - {"HT-LHA"}),
        ("2025-07-01", set()),
    ],
)
async def test_district_level_units_as_the_hierarchy_stood_on_a_date(
    client: httpx.AsyncClient, auth: Auth, at: str, expected: set[str]
) -> None:
    response = await client.get(
        "/v1/org-units", params={"at": at, "parent": "HT", "limit": 500}, headers=auth("viewer")
    )
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert {item["code"] for item in items if item["type"] in DISTRICT_LEVEL} == expected
    # The department is not bound to the district tier.
    assert "HT-SNV" in {item["code"] for item in items}
    assert all(item["parent"] == "HT" and item["level"] == 2 for item in items)


async def test_the_public_lists_the_same_units_without_logging_in(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    params: dict[str, str] = {"at": "2024-06-30", "parent": "HT-HSO", "limit": "3"}
    public = await client.get("/v1/public/org-units", params=params)
    assert public.status_code == 200, public.text
    assert public.json() == (await client.get("/v1/org-units", params=params, headers=auth("viewer"))).json()
    following = await client.get(
        "/v1/public/org-units", params=params | {"cursor": public.json()["next_cursor"]}
    )
    assert following.status_code == 200
    assert {i["code"] for i in following.json()["items"]}.isdisjoint(
        {i["code"] for i in public.json()["items"]}
    )
    assert (await client.get("/v1/org-units", params=params)).status_code == 401
    bad = await client.get("/v1/public/org-units", params={"level": 99})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"


async def test_level_filter(client: httpx.AsyncClient, auth: Auth) -> None:
    assert await list_codes(client, auth, at="2024-06-30", level=1) == ["HT"]
    assert set(await list_codes(client, auth, at="2024-06-30", level=2)) == SEED_DISTRICTS | DEPARTMENTS_2024
    # The 216 communes and wards of 2021-2024 sit under the districts; from 2025-07-01, 69 under the province.
    assert len(await list_codes(client, auth, at="2024-06-30", level=3)) == 216
    at_reform = await list_codes(client, auth, at="2025-07-01", level=2)
    assert len(at_reform) == 69 + len(DEPARTMENTS_2025)
    assert "HT-SNV" in at_reform
    assert await list_codes(client, auth, at="2020-12-31") == []


async def test_type_filter(client: httpx.AsyncClient, auth: Auth) -> None:
    assert await list_codes(client, auth, at="2024-06-30", type="town") == ["HT-HLI", "HT-KAT"]
    assert await list_codes(client, auth, at="2024-06-30", type="city") == ["HT-HTI"]
    assert len(await list_codes(client, auth, at="2024-06-30", type="district")) == 10
    assert len(await list_codes(client, auth, at="2025-03-01", type="district")) == 9
    assert await list_codes(client, auth, at="2024-06-30", type="department", level=2) == sorted(
        DEPARTMENTS_2024
    )
    # The mergers of 1/3/2025 (Nghị định 45/2025/NĐ-CP; Quyết định 347/QĐ-UBND): 18 departments become 14.
    assert await list_codes(client, auth, at="2025-02-28", type="department") == sorted(DEPARTMENTS_2024)
    assert await list_codes(client, auth, at="2025-03-01", type="department") == sorted(DEPARTMENTS_2025)


async def test_the_default_date_is_today(client: httpx.AsyncClient, auth: Auth) -> None:
    today = clock.today().isoformat()
    assert await list_codes(client, auth) == await list_codes(client, auth, at=today)


async def test_listed_units_carry_their_parent_level_and_flags(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.get(
        "/v1/org-units", params={"at": "2024-06-30", "type": "district"}, headers=auth("viewer")
    )
    huong_son = next(item for item in response.json()["items"] if item["code"] == "HT-HSO")
    assert huong_son | {"notes": None} == {
        "code": "HT-HSO",
        "official_code": "439",
        "name": "Huyện Hương Sơn",
        "name_en": "Huong Son district",
        "type": "district",
        "level": 2,
        "parent": "HT",
        "valid_from": "2021-01-01",
        "valid_to": "2025-06-30",
        "remote": False,
        "border": True,
        "mountainous": True,
        "notes": None,
    }


async def test_cursor_pagination_visits_every_unit_once_in_code_order(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    everything = await list_codes(client, auth, at="2024-06-30", parent="HT")
    assert len(everything) == 13 + len(DEPARTMENTS_2024)
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"at": "2024-06-30", "parent": "HT", "limit": 4}
        if cursor:
            params["cursor"] = cursor
        response = await client.get("/v1/org-units", params=params, headers=auth("viewer"))
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= 4
        seen.extend(item["code"] for item in page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 8
    assert seen == sorted(everything) == everything


async def test_a_full_last_page_has_no_next_cursor(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.get(
        "/v1/org-units", params={"at": "2024-06-30", "parent": "HT", "limit": 31}, headers=auth("viewer")
    )
    assert len(response.json()["items"]) == 31
    assert response.json()["next_cursor"] is None


async def test_list_refuses_bad_queries(client: httpx.AsyncClient, auth: Auth) -> None:
    viewer = auth("viewer")
    assert_problem(
        await client.get("/v1/org-units", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=viewer),
        400,
        "invalid-cursor",
    )
    assert_problem(
        await client.get("/v1/org-units", params={"parent": "NOPE"}, headers=viewer),
        404,
        "org-unit-not-found",
    )
    assert_problem(
        await client.get("/v1/org-units", params={"date": "2024-01-01"}, headers=viewer),
        400,
        "unknown-query-parameter",
    )
    for params in ({"type": "village"}, {"level": 0}, {"at": "yesterday"}, {"limit": 501}):
        assert_problem(
            await client.get("/v1/org-units", params=params, headers=viewer), 422, "validation-error"
        )
    assert_problem(await client.get("/v1/org-units"), 401, "missing-token")


# ---- GET /v1/org-units/{code} -----------------------------------------------------------------------------


async def test_loc_ha_ends_merged_into_thach_ha(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await get_unit(client, auth, "HT-LHA", at="2024-06-30")
    loc_ha = response.json()
    assert response.headers["ETag"] == f'"{loc_ha["version"]}"'
    assert (loc_ha["level"], loc_ha["parent"], loc_ha["valid_to"]) == (2, "HT", "2024-12-31")
    assert loc_ha["parents"] == [{"parent": "HT", "valid_from": "2021-01-01", "valid_to": "2024-12-31"}]
    assert loc_ha["predecessors"] == []
    [merger] = loc_ha["successors"]
    assert merger["kind"] == "merge"
    assert merger["effective_date"] == "2025-01-01"
    assert (merger["predecessor"], merger["successor"]) == ("HT-LHA", "HT-THA")
    assert merger["legal_source"].startswith("Nghị quyết số 1283/NQ-UBTVQH15")

    gone = (await get_unit(client, auth, "HT-LHA", at="2025-03-01")).json()
    assert (gone["level"], gone["parent"]) == (None, None)


async def test_thach_ha_continues_with_loc_ha_as_its_predecessor(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    thach_ha = (await get_unit(client, auth, "HT-THA", at="2025-03-01")).json()
    assert (thach_ha["level"], thach_ha["parent"], thach_ha["valid_to"]) == (2, "HT", "2025-06-30")
    assert thach_ha["parents"] == [{"parent": "HT", "valid_from": "2021-01-01", "valid_to": "2025-06-30"}]
    assert [(s["predecessor"], s["successor"]) for s in thach_ha["predecessors"]] == [("HT-LHA", "HT-THA")]
    # It absorbs Lộc Hà without succeeding itself; on 2025-07-01 its communes became eight new ones.
    assert {s["kind"] for s in thach_ha["successors"]} == {"dissolution"}
    assert [s["successor"] for s in thach_ha["successors"]] == [
        "HT-18409",
        "HT-18562",
        "HT-18568",
        "HT-18583",
        "HT-18586",
        "HT-18601",
        "HT-18634",
        "HT-18667",
    ]


async def test_the_province_has_no_parent(client: httpx.AsyncClient, auth: Auth) -> None:
    province = (await get_unit(client, auth, "HT", at="2024-06-30")).json()
    assert (province["level"], province["parent"], province["parents"], province["valid_to"]) == (
        1,
        None,
        [],
        None,
    )


async def test_unknown_unit_is_a_404_problem(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.get("/v1/org-units/HT-NOPE", headers=auth("viewer"))
    body = assert_problem(response, 404, "org-unit-not-found")
    assert "HT-NOPE" in body["detail"]
    assert body["instance"] == "/v1/org-units/HT-NOPE"


# ---- POST /v1/org-units -----------------------------------------------------------------------------------


async def test_admin_adds_a_commune(client: httpx.AsyncClient, auth: Auth) -> None:
    body = {
        "code": "HT-HSO-SL",
        "name": "Xã Sơn Lĩnh",
        "name_en": "Son Linh commune",
        "type": "commune",
        "valid_from": "2021-01-01",
        "valid_to": "2025-06-30",
        "parent": "HT-HSO",
        "remote": True,
        "border": True,
        "mountainous": True,
        "notes": "test",
    }
    response = await client.post("/v1/org-units", json=body, headers=auth("admin"))
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["Location"] == "/api/v1/org-units/HT-HSO-SL"
    assert response.headers["ETag"] == f'"{created["version"]}"'
    assert created["level"] == 3
    assert created["parent"] == "HT-HSO"
    assert created["parents"] == [{"parent": "HT-HSO", "valid_from": "2021-01-01", "valid_to": "2025-06-30"}]
    assert (created["remote"], created["border"], created["mountainous"]) == (True, True, True)
    assert (created["predecessors"], created["successors"]) == ([], [])

    assert "HT-HSO-SL" in await list_codes(client, auth, at="2024-06-30", parent="HT-HSO")
    assert "HT-HSO-SL" in await list_codes(client, auth, at="2024-06-30", level=3)
    assert (await get_unit(client, auth, "HT-HSO-SL")).json()["name_en"] == "Son Linh commune"


async def test_a_link_to_a_parent_that_ends_first_ends_with_the_parent(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    created = await create_unit(client, auth, "HT-LHA-X", parent="HT-LHA")
    assert created["parents"] == [{"parent": "HT-LHA", "valid_from": "2021-01-01", "valid_to": "2024-12-31"}]


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
async def test_only_admins_add_org_units(client: httpx.AsyncClient, auth: Auth, role: str) -> None:
    body = {"code": "HT-X", "name": "X", "type": "commune", "valid_from": "2021-01-01", "parent": "HT"}
    response = await client.post("/v1/org-units", json=body, headers=auth(role))
    assert_problem(response, 403, "missing-role")
    assert_problem(await client.get("/v1/org-units/HT-X", headers=auth("admin")), 404, "org-unit-not-found")


async def test_adding_needs_a_token(client: httpx.AsyncClient) -> None:
    body = {"code": "HT-X", "name": "X", "type": "commune", "valid_from": "2021-01-01"}
    response = await client.post("/v1/org-units", json=body)
    assert_problem(response, 401, "missing-token")
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_validation_errors_list_each_bad_field(client: httpx.AsyncClient, auth: Auth) -> None:
    body = {"code": "bad code!", "name": "", "type": "village", "valid_from": "2021-02-30", "colour": "red"}
    response = await client.post("/v1/org-units", json=body, headers=auth("admin"))
    problem = assert_problem(response, 422, "validation-error")
    locations = {error["location"] for error in problem["errors"]}
    assert locations == {"body.code", "body.name", "body.type", "body.valid_from", "body.colour"}
    assert all(error["message"] and error["type"] for error in problem["errors"])


async def test_a_missing_field_is_named(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.post("/v1/org-units", json={"code": "HT-X", "name": "X"}, headers=auth("admin"))
    problem = assert_problem(response, 422, "validation-error")
    assert {(e["location"], e["type"]) for e in problem["errors"]} == {
        ("body.type", "missing"),
        ("body.valid_from", "missing"),
    }


async def test_valid_to_before_valid_from_is_refused(client: httpx.AsyncClient, auth: Auth) -> None:
    body = {
        "code": "HT-X",
        "name": "X",
        "type": "commune",
        "valid_from": "2024-01-01",
        "valid_to": "2023-12-31",
    }
    problem = assert_problem(
        await client.post("/v1/org-units", json=body, headers=auth("admin")), 422, "validation-error"
    )
    assert "valid_to must not be before valid_from" in problem["detail"]


async def test_malformed_json_is_a_400(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.post(
        "/v1/org-units", content=b'{"code": ', headers={**auth("admin"), "Content-Type": "application/json"}
    )
    assert_problem(response, 400, "malformed-json")


async def test_a_used_code_is_a_409(client: httpx.AsyncClient, auth: Auth) -> None:
    body = {"code": "HT-HSO", "name": "X", "type": "district", "valid_from": "2021-01-01", "parent": "HT"}
    assert_problem(
        await client.post("/v1/org-units", json=body, headers=auth("admin")), 409, "org-unit-exists"
    )
    # The failed insert must not have spoilt the transaction: the directory still answers.
    assert (await get_unit(client, auth, "HT-HSO")).json()["name"] == "Huyện Hương Sơn"


async def test_an_unknown_parent_is_a_404(client: httpx.AsyncClient, auth: Auth) -> None:
    body = {"code": "HT-X", "name": "X", "type": "commune", "valid_from": "2021-01-01", "parent": "HT-NOPE"}
    problem = assert_problem(
        await client.post("/v1/org-units", json=body, headers=auth("admin")), 404, "org-unit-not-found"
    )
    assert "HT-NOPE" in problem["detail"]
    assert_problem(await client.get("/v1/org-units/HT-X", headers=auth("admin")), 404, "org-unit-not-found")


async def test_a_parent_that_ended_before_is_refused(client: httpx.AsyncClient, auth: Auth) -> None:
    body = {"code": "HT-X", "name": "X", "type": "commune", "valid_from": "2025-02-01", "parent": "HT-LHA"}
    assert_problem(
        await client.post("/v1/org-units", json=body, headers=auth("admin")), 422, "invalid-hierarchy-change"
    )


async def test_a_parent_that_did_not_exist_yet_is_refused(client: httpx.AsyncClient, auth: Auth) -> None:
    await create_unit(client, auth, "HT-NEW", parent="HT", type="commune", valid_from="2025-07-01")
    body = {"code": "HT-X", "name": "X", "type": "other", "valid_from": "2024-01-01", "parent": "HT-NEW"}
    assert_problem(
        await client.post("/v1/org-units", json=body, headers=auth("admin")), 422, "invalid-hierarchy-change"
    )


async def test_idempotency_key_replays_the_first_answer(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    body = {"code": "HT-HSO-SK", "name": "Xã Sơn Kim 1", "type": "commune", "valid_from": "2021-01-01"}
    headers = {**auth("admin", subject="admin-1"), "Idempotency-Key": "create-son-kim-1"}
    first = await client.post("/v1/org-units", json={**body, "parent": "HT-HSO"}, headers=headers)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    again = await client.post("/v1/org-units", json={**body, "parent": "HT-HSO"}, headers=headers)
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"]
    assert (await list_codes(client, auth, at="2024-01-01", parent="HT-HSO")).count("HT-HSO-SK") == 1

    different = await client.post("/v1/org-units", json={**body, "parent": "HT-HKH"}, headers=headers)
    assert_problem(different, 422, "idempotency-key-reused")
    assert (await get_unit(client, auth, "HT-HSO-SK", at="2024-01-01")).json()["parent"] == "HT-HSO"


async def test_idempotency_keys_belong_to_their_caller(client: httpx.AsyncClient, auth: Auth) -> None:
    body = {"code": "HT-A1", "name": "A1", "type": "commune", "valid_from": "2021-01-01", "parent": "HT-HSO"}
    first = await client.post(
        "/v1/org-units", json=body, headers={**auth("admin", subject="one"), "Idempotency-Key": "k"}
    )
    assert first.status_code == 201, first.text
    # Another caller with the same key is not replayed the first caller's answer: its request runs.
    second = await client.post(
        "/v1/org-units", json=body, headers={**auth("admin", subject="two"), "Idempotency-Key": "k"}
    )
    assert_problem(second, 409, "org-unit-exists")


async def test_a_failed_create_releases_its_idempotency_key(client: httpx.AsyncClient, auth: Auth) -> None:
    headers = {**auth("admin"), "Idempotency-Key": "retry-me"}
    body = {"code": "HT-A2", "name": "A2", "type": "commune", "valid_from": "2021-01-01", "parent": "HT-NOPE"}
    assert_problem(await client.post("/v1/org-units", json=body, headers=headers), 404, "org-unit-not-found")
    response = await client.post("/v1/org-units", json={**body, "parent": "HT-HSO"}, headers=headers)
    assert response.status_code == 201, response.text
    assert "Idempotent-Replayed" not in response.headers


async def test_a_new_unit_is_listed_at_once_because_the_catalogue_counter_moved(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    today = clock.today().isoformat()
    assert "HT-TODAY" not in await list_codes(client, auth)  # the cache now holds today's hierarchy
    before = (await read_counters(db_session)).catalogue
    await create_unit(client, auth, "HT-TODAY", parent="HT", valid_from=today)
    assert (await read_counters(db_session)).catalogue != before
    assert "HT-TODAY" in await list_codes(client, auth)
    assert "HT-TODAY" in await list_codes(client, auth, parent="HT", level=2)


class CommittedCountersFeed:
    """Stands in for the change feed, which knows only committed counters (here: those before the test)."""

    def __init__(self, counters: Counters) -> None:
        self.counters = counters

    def current(self) -> Counters:
        return self.counters


async def test_a_write_sees_its_own_change_with_the_change_feed_on(
    client: httpx.AsyncClient,
    auth: Auth,
    db_session: AsyncSession,
    running_app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed = CommittedCountersFeed(await read_counters(db_session))
    monkeypatch.setattr(running_app.state.catalogue, "feed", feed)
    await list_codes(client, auth, at="2024-01-01")  # the cache holds the committed catalogue
    created = await create_unit(client, auth, "HT-FEED")
    assert (created["parent"], created["level"]) == ("HT-HSO", 3)


# ---- PATCH /v1/org-units/{code} ---------------------------------------------------------------------------


async def test_patch_needs_if_match(client: httpx.AsyncClient, auth: Auth) -> None:
    await create_unit(client, auth, "HT-P1")
    response = await client.patch("/v1/org-units/HT-P1", json={"name": "Y"}, headers=auth("admin"))
    assert_problem(response, 428, "precondition-required")
    assert (await get_unit(client, auth, "HT-P1")).json()["name"] == "Xã HT-P1"


async def test_a_stale_if_match_is_a_412_with_the_current_etag(client: httpx.AsyncClient, auth: Auth) -> None:
    await create_unit(client, auth, "HT-P1")
    current = (await get_unit(client, auth, "HT-P1")).headers["ETag"]
    response = await patch_unit(client, auth, "HT-P1", {"name": "Y"}, etag='"999"')
    problem = assert_problem(response, 412, "version-mismatch")
    assert response.headers["ETag"] == current
    assert problem["current_etag"] == current


async def test_a_successful_patch_bumps_the_etag(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    await create_unit(client, auth, "HT-P1")
    first = (await get_unit(client, auth, "HT-P1")).headers["ETag"]
    before = (await read_counters(db_session)).catalogue
    response = await patch_unit(
        client,
        auth,
        "HT-P1",
        {"name": "Xã Mới", "type": "ward", "mountainous": True, "notes": None},
        etag=first,
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["name"], changed["type"], changed["mountainous"]) == ("Xã Mới", "ward", True)
    assert response.headers["ETag"] != first
    assert response.headers["ETag"] == f'"{changed["version"]}"'
    assert (await get_unit(client, auth, "HT-P1")).headers["ETag"] == response.headers["ETag"]
    assert (await read_counters(db_session)).catalogue != before
    # The list shows the new type at once.
    assert "HT-P1" in await list_codes(client, auth, at="2024-01-01", type="ward")
    # The old ETag is now stale.
    assert_problem(
        await patch_unit(client, auth, "HT-P1", {"name": "Z"}, etag=first), 412, "version-mismatch"
    )
    # A weak or listed If-Match is understood too; "*" matches any version.
    current = response.headers["ETag"]
    assert (
        await patch_unit(client, auth, "HT-P1", {"name": "Z"}, etag=f'"1", W/{current}')
    ).status_code == 200
    assert (await patch_unit(client, auth, "HT-P1", {"name": "Q"}, etag="*")).status_code == 200


async def test_a_new_parent_from_a_date_ends_the_old_link_the_day_before(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    await create_unit(client, auth, "HT-P1", parent="HT-HSO")
    first = (await get_unit(client, auth, "HT-P1")).headers["ETag"]
    response = await patch_unit(
        client, auth, "HT-P1", {"parent": "HT-HKH", "parent_from": "2024-01-01"}, etag=first
    )
    assert response.status_code == 200, response.text
    assert response.json()["parents"] == [
        {"parent": "HT-HSO", "valid_from": "2021-01-01", "valid_to": "2023-12-31"},
        # The new link ends with the new parent (the district tier ends on 2025-06-30).
        {"parent": "HT-HKH", "valid_from": "2024-01-01", "valid_to": "2025-06-30"},
    ]
    # The parents are part of the resource: its ETag changes with them.
    assert response.headers["ETag"] != first
    assert "HT-P1" in await list_codes(client, auth, at="2023-12-31", parent="HT-HSO")
    assert "HT-P1" not in await list_codes(client, auth, at="2024-01-01", parent="HT-HSO")
    assert "HT-P1" in await list_codes(client, auth, at="2024-01-01", parent="HT-HKH")
    assert (await get_unit(client, auth, "HT-P1", at="2023-06-01")).json()["parent"] == "HT-HSO"


async def test_a_second_move_must_come_after_the_last_one(client: httpx.AsyncClient, auth: Auth) -> None:
    await create_unit(client, auth, "HT-P1", parent="HT-HSO")
    ok = await patch_unit(client, auth, "HT-P1", {"parent": "HT-HKH", "parent_from": "2024-01-01"})
    assert ok.status_code == 200, ok.text
    for day in ("2024-01-01", "2023-06-01"):
        response = await patch_unit(client, auth, "HT-P1", {"parent": "HT-VQU", "parent_from": day})
        assert_problem(response, 422, "invalid-hierarchy-change")


async def test_invalid_parent_changes_are_refused(client: httpx.AsyncClient, auth: Auth) -> None:
    await create_unit(client, auth, "HT-P1", valid_to="2024-12-31")
    await create_unit(client, auth, "HT-P1-V", parent="HT-P1", type="other")
    await create_unit(client, auth, "HT-GONE", valid_to="2023-12-31")
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"parent": "HT-HKH"}, 422, "validation-error"),
        ({"parent_from": "2024-01-01"}, 422, "validation-error"),
        ({"parent": "HT-NOPE", "parent_from": "2024-01-01"}, 404, "org-unit-not-found"),
        ({"parent": "HT-P1", "parent_from": "2024-01-01"}, 422, "invalid-hierarchy-change"),
        # Before the unit began, or after it ended.
        ({"parent": "HT-HKH", "parent_from": "2020-01-01"}, 422, "invalid-hierarchy-change"),
        ({"parent": "HT-HKH", "parent_from": "2025-03-01"}, 422, "invalid-hierarchy-change"),
        # Under a parent that has ended by then, or under its own child (a cycle).
        ({"parent": "HT-GONE", "parent_from": "2024-06-01"}, 422, "invalid-hierarchy-change"),
        ({"parent": "HT-P1-V", "parent_from": "2024-06-01"}, 422, "invalid-hierarchy-change"),
    ]
    for body, status, slug in cases:
        assert_problem(await patch_unit(client, auth, "HT-P1", body), status, slug)
    assert (await get_unit(client, auth, "HT-P1")).json()["parents"] == [
        {"parent": "HT-HSO", "valid_from": "2021-01-01", "valid_to": "2024-12-31"}
    ]


async def test_a_new_link_ends_with_a_parent_that_ends_first(client: httpx.AsyncClient, auth: Auth) -> None:
    await create_unit(client, auth, "HT-P1")
    response = await patch_unit(client, auth, "HT-P1", {"parent": "HT-LHA", "parent_from": "2024-01-01"})
    assert response.status_code == 200, response.text
    assert response.json()["parents"][-1] == {
        "parent": "HT-LHA",
        "valid_from": "2024-01-01",
        "valid_to": "2024-12-31",
    }


async def test_valid_to_before_valid_from_is_refused_on_patch(client: httpx.AsyncClient, auth: Auth) -> None:
    await create_unit(client, auth, "HT-P1", valid_from="2022-01-01")
    response = await patch_unit(client, auth, "HT-P1", {"valid_to": "2021-12-31"})
    assert_problem(response, 422, "invalid-hierarchy-change")
    assert (await get_unit(client, auth, "HT-P1")).json()["valid_to"] is None


async def test_ending_a_unit_ends_its_parent_link(client: httpx.AsyncClient, auth: Auth) -> None:
    await create_unit(client, auth, "HT-P1")
    response = await patch_unit(client, auth, "HT-P1", {"valid_to": "2023-06-30"})
    assert response.status_code == 200, response.text
    assert response.json()["valid_to"] == "2023-06-30"
    assert response.json()["parents"] == [
        {"parent": "HT-HSO", "valid_from": "2021-01-01", "valid_to": "2023-06-30"}
    ]
    assert "HT-P1" in await list_codes(client, auth, at="2023-06-30", parent="HT-HSO")
    assert "HT-P1" not in await list_codes(client, auth, at="2023-07-01", parent="HT-HSO")


async def test_ending_a_unit_before_a_later_link_began_is_refused(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    await create_unit(client, auth, "HT-P1")
    moved = await patch_unit(client, auth, "HT-P1", {"parent": "HT-HKH", "parent_from": "2024-01-01"})
    assert moved.status_code == 200, moved.text
    assert_problem(
        await patch_unit(client, auth, "HT-P1", {"valid_to": "2023-06-30"}), 422, "invalid-hierarchy-change"
    )


@pytest.mark.parametrize("field", ["name", "type", "remote", "border", "mountainous"])
async def test_null_for_a_required_field_is_a_422(client: httpx.AsyncClient, auth: Auth, field: str) -> None:
    await create_unit(client, auth, "HT-P1")
    problem = assert_problem(await patch_unit(client, auth, "HT-P1", {field: None}), 422, "validation-error")
    assert f"body.{field}" in {error["location"] for error in problem["errors"]}


async def test_patch_refuses_unknown_fields_units_and_non_admins(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    await create_unit(client, auth, "HT-P1")
    etag = (await get_unit(client, auth, "HT-P1")).headers["ETag"]
    assert_problem(
        await patch_unit(client, auth, "HT-P1", {"code": "HT-P2"}, etag=etag), 422, "validation-error"
    )
    assert_problem(
        await patch_unit(client, auth, "HT-NOPE", {"name": "X"}, etag='"1"'), 404, "org-unit-not-found"
    )
    response = await client.patch(
        "/v1/org-units/HT-P1", json={"name": "X"}, headers={**auth("secretariat"), "If-Match": etag}
    )
    assert_problem(response, 403, "missing-role")


# ---- POST /v1/org-units/restructurings --------------------------------------------------------------------


async def test_a_merge_of_two_communes_into_a_third(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    for code in ("C1", "C2", "C3"):
        await create_unit(client, auth, code)
    await create_unit(client, auth, "C1-V", parent="C1", type="other")
    await create_unit(client, auth, "C2-V", parent="C2", type="other")
    await create_unit(client, auth, "C2-OLD", parent="C2", type="other", valid_to="2022-12-31")
    before = (await read_counters(db_session)).catalogue

    response = await restructure(
        client, auth, kind="merge", effective_date="2024-01-01", predecessors=["C1", "C2"], successors=["C3"]
    )
    assert response.status_code == 201, response.text
    result = response.json()
    assert (result["kind"], result["effective_date"]) == ("merge", "2024-01-01")
    assert (result["predecessors"], result["successors"]) == (["C1", "C2"], ["C3"])
    assert result["ended"] == ["C1", "C2"]
    assert result["moved_children"] == ["C1-V", "C2-V"]
    assert isinstance(result["id"], int)
    assert (await read_counters(db_session)).catalogue != before

    for code in ("C1", "C2"):
        ended = (await get_unit(client, auth, code)).json()
        assert ended["valid_to"] == "2023-12-31"
        assert ended["parents"] == [
            {"parent": "HT-HSO", "valid_from": "2021-01-01", "valid_to": "2023-12-31"}
        ]
        assert [(s["predecessor"], s["successor"], s["kind"]) for s in ended["successors"]] == [
            (code, "C3", "merge")
        ]
    successor = (await get_unit(client, auth, "C3")).json()
    assert successor["valid_to"] is None
    assert sorted((s["predecessor"], s["successor"]) for s in successor["predecessors"]) == [
        ("C1", "C3"),
        ("C2", "C3"),
    ]
    village = (await get_unit(client, auth, "C1-V", at="2024-01-01")).json()
    assert village["parent"] == "C3"
    assert village["parents"] == [
        {"parent": "C1", "valid_from": "2021-01-01", "valid_to": "2023-12-31"},
        {"parent": "C3", "valid_from": "2024-01-01", "valid_to": None},
    ]
    assert await list_codes(client, auth, at="2024-01-01", parent="C3") == ["C1-V", "C2-V"]
    assert await list_codes(client, auth, at="2023-12-31", parent="C2") == ["C2-V"]
    assert "C1" not in await list_codes(client, auth, at="2024-01-01", parent="HT-HSO")
    assert "C1" in await list_codes(client, auth, at="2023-12-31", parent="HT-HSO")
    # A child that had already ended stays where it was.
    assert (await get_unit(client, auth, "C2-OLD")).json()["parents"] == [
        {"parent": "C2", "valid_from": "2021-01-01", "valid_to": "2022-12-31"}
    ]


async def test_a_merge_that_absorbs_into_one_of_the_predecessors(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    for code in ("C1", "C2"):
        await create_unit(client, auth, code)
    await create_unit(client, auth, "C1-V", parent="C1", type="other")
    response = await restructure(
        client, auth, kind="merge", effective_date="2024-01-01", predecessors=["C1", "C2"], successors=["C2"]
    )
    assert response.status_code == 201, response.text
    assert (response.json()["ended"], response.json()["moved_children"]) == (["C1"], ["C1-V"])
    continuing = (await get_unit(client, auth, "C2")).json()
    assert continuing["valid_to"] is None
    assert [(s["predecessor"], s["successor"]) for s in continuing["predecessors"]] == [("C1", "C2")]
    assert continuing["successors"] == []


async def test_a_merge_leaves_a_unit_already_placed_elsewhere_from_that_day(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    # As Resolution 1283 did on 2025-01-01: Lộc Hà into Thạch Hà, but its commune Hộ Độ to TP Hà Tĩnh.
    await create_unit(client, auth, "X-MERGED", parent="HT", type="district")
    await create_unit(client, auth, "X-STAYS", parent="X-MERGED")
    await create_unit(client, auth, "X-LEAVES", parent="X-MERGED")
    moved = await patch_unit(client, auth, "X-LEAVES", {"parent": "HT-HTI", "parent_from": "2024-01-01"})
    assert moved.status_code == 200, moved.text
    done = await restructure(
        client,
        auth,
        kind="merge",
        effective_date="2024-01-01",
        predecessors=["X-MERGED", "HT-CLO"],
        successors=["HT-CLO"],
    )
    assert done.status_code == 201, done.text
    assert done.json()["moved_children"] == ["X-STAYS"]
    assert (await get_unit(client, auth, "X-STAYS", at="2024-01-01")).json()["parent"] == "HT-CLO"
    leaves = (await get_unit(client, auth, "X-LEAVES", at="2024-01-01")).json()
    assert leaves["parents"] == [
        {"parent": "X-MERGED", "valid_from": "2021-01-01", "valid_to": "2023-12-31"},
        {"parent": "HT-HTI", "valid_from": "2024-01-01", "valid_to": "2025-06-30"},
    ]


async def test_an_official_code_is_kept_and_shown(client: httpx.AsyncClient, auth: Auth) -> None:
    created = await create_unit(client, auth, "X-OFFICIAL", official_code="18196")
    assert created["official_code"] == "18196"
    listed = await client.get(
        "/v1/org-units", params={"parent": "HT-HSO", "at": "2024-06-30", "limit": 500}, headers=auth("viewer")
    )
    assert {"code": "X-OFFICIAL", "official_code": "18196"}.items() <= next(
        item for item in listed.json()["items"] if item["code"] == "X-OFFICIAL"
    ).items()
    for bad in ("1819", "181960", "18a96", "1"):
        body = {
            "code": "X-BAD",
            "name": "Xã",
            "type": "commune",
            "valid_from": "2021-01-01",
            "official_code": bad,
        }
        response = await client.post("/v1/org-units", json=body, headers=auth("admin"))
        assert_problem(response, 422, "validation-error")


async def test_a_split(client: httpx.AsyncClient, auth: Auth) -> None:
    await create_unit(client, auth, "C1")
    await create_unit(client, auth, "C1-A", valid_from="2024-01-01")
    await create_unit(client, auth, "C1-B", valid_from="2024-01-01")
    response = await restructure(
        client,
        auth,
        kind="split",
        effective_date="2024-01-01",
        predecessors=["C1"],
        successors=["C1-A", "C1-B"],
    )
    assert response.status_code == 201, response.text
    assert (response.json()["ended"], response.json()["moved_children"]) == (["C1"], [])
    ended = (await get_unit(client, auth, "C1")).json()
    assert ended["valid_to"] == "2023-12-31"
    assert [(s["successor"], s["kind"]) for s in ended["successors"]] == [
        ("C1-A", "split"),
        ("C1-B", "split"),
    ]
    for code in ("C1-A", "C1-B"):
        assert [s["predecessor"] for s in (await get_unit(client, auth, code)).json()["predecessors"]] == [
            "C1"
        ]


async def test_a_rename_hands_the_children_to_the_successor(client: httpx.AsyncClient, auth: Auth) -> None:
    await create_unit(client, auth, "C1")
    await create_unit(client, auth, "C1-V", parent="C1", type="other")
    await create_unit(client, auth, "C1-NEW", valid_from="2024-01-01", type="ward")
    response = await restructure(
        client, auth, kind="rename", effective_date="2024-01-01", predecessors=["C1"], successors=["C1-NEW"]
    )
    assert response.status_code == 201, response.text
    assert (response.json()["ended"], response.json()["moved_children"]) == (["C1"], ["C1-V"])
    assert await list_codes(client, auth, at="2024-01-01", parent="C1-NEW") == ["C1-V"]


async def test_a_dissolution_without_successors(client: httpx.AsyncClient, auth: Auth) -> None:
    await create_unit(client, auth, "C1")
    response = await restructure(
        client, auth, kind="dissolution", effective_date="2024-01-01", predecessors=["C1"]
    )
    assert response.status_code == 201, response.text
    assert (response.json()["successors"], response.json()["ended"]) == ([], ["C1"])
    ended = (await get_unit(client, auth, "C1")).json()
    assert (ended["valid_to"], ended["successors"], ended["predecessors"]) == ("2023-12-31", [], [])
    assert "C1" not in await list_codes(client, auth, at="2024-01-01", parent="HT-HSO")


async def test_invalid_restructurings_are_refused(client: httpx.AsyncClient, auth: Auth) -> None:
    for code in ("C1", "C2", "C3"):
        await create_unit(client, auth, code)
    await create_unit(client, auth, "C-LATE", valid_from="2024-01-01")
    await create_unit(client, auth, "C-LATER", valid_from="2024-06-01")
    await create_unit(client, auth, "C-GONE", valid_to="2022-12-31")
    cases: list[tuple[dict[str, Any], int, str]] = [
        (
            {"kind": "merge", "predecessors": ["C1", "C2"], "successors": ["C2", "C3"]},
            422,
            "validation-error",
        ),
        ({"kind": "merge", "predecessors": ["C1", "C2"]}, 422, "validation-error"),
        ({"kind": "split", "predecessors": ["C1"]}, 422, "validation-error"),
        ({"kind": "rename", "predecessors": [], "successors": ["C1"]}, 422, "validation-error"),
        ({"kind": "merge", "predecessors": ["C1", "C1"], "successors": ["C3"]}, 422, "validation-error"),
        ({"kind": "split", "predecessors": ["C1"], "successors": ["C2", "C2"]}, 422, "validation-error"),
        # C-LATE begins on the effective date: it did not exist the day before.
        (
            {"kind": "merge", "predecessors": ["C1", "C-LATE"], "successors": ["C3"]},
            422,
            "invalid-hierarchy-change",
        ),
        # C-GONE ended a year before; it cannot end again, nor continue anything.
        (
            {"kind": "merge", "predecessors": ["C1", "C-GONE"], "successors": ["C3"]},
            422,
            "invalid-hierarchy-change",
        ),
        (
            {"kind": "merge", "predecessors": ["C1", "C2"], "successors": ["C-GONE"]},
            422,
            "invalid-hierarchy-change",
        ),
        # A successor must exist when the change takes effect.
        (
            {"kind": "rename", "predecessors": ["C1"], "successors": ["C-LATER"]},
            422,
            "invalid-hierarchy-change",
        ),
        (
            {"kind": "merge", "predecessors": ["C1", "C-NOPE"], "successors": ["C3"]},
            404,
            "org-unit-not-found",
        ),
        ({"kind": "merge", "predecessors": ["C1"], "successors": ["C-NOPE"]}, 404, "org-unit-not-found"),
    ]
    for body, status, slug in cases:
        response = await restructure(client, auth, effective_date="2024-01-01", **body)
        assert_problem(response, status, slug)
    # Nothing was applied.
    for code in ("C1", "C2", "C3"):
        unit = (await get_unit(client, auth, code)).json()
        assert (unit["valid_to"], unit["predecessors"], unit["successors"]) == (None, [], [])


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
async def test_only_admins_restructure(client: httpx.AsyncClient, auth: Auth, role: str) -> None:
    body = {
        "kind": "dissolution",
        "effective_date": "2024-01-01",
        "predecessors": ["HT-HSO"],
        "legal_source": "x",
    }
    response = await client.post("/v1/org-units/restructurings", json=body, headers=auth(role))
    assert_problem(response, 403, "missing-role")


async def test_a_dissolution_must_say_where_the_units_below_go(client: httpx.AsyncClient, auth: Auth) -> None:
    await create_unit(client, auth, "X-DISTRICT", parent="HT", type="district")
    await create_unit(client, auth, "X-DISSOLVE-1", parent="X-DISTRICT")
    # A dissolution a year before the real one (which the seed records for 2025-07-01).
    dissolution = {
        "kind": "dissolution",
        "effective_date": "2024-07-01",
        "predecessors": ["X-DISTRICT"],
        "legal_source": "Chính quyền địa phương hai cấp",
    }
    refused = await client.post("/v1/org-units/restructurings", json=dissolution, headers=auth("admin"))
    assert refused.status_code == 422
    assert refused.json()["stranded"] == ["X-DISSOLVE-1"]

    done = await client.post(
        "/v1/org-units/restructurings", json={**dissolution, "move_children_to": "HT"}, headers=auth("admin")
    )
    assert done.status_code == 201, done.text
    assert done.json()["moved_children"] == ["X-DISSOLVE-1"]
    after = await client.get(
        "/v1/org-units/X-DISSOLVE-1", params={"at": "2024-07-01"}, headers=auth("viewer")
    )
    assert after.json()["parent"] == "HT"
    assert after.json()["level"] == 2
    before = await client.get(
        "/v1/org-units/X-DISSOLVE-1", params={"at": "2024-06-30"}, headers=auth("viewer")
    )
    assert before.json()["parent"] == "X-DISTRICT"


async def test_ending_a_unit_with_units_below_it_must_go_through_a_restructuring(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    await create_unit(client, auth, "X-DISTRICT", parent="HT", type="district")
    await create_unit(client, auth, "X-END-1", parent="X-DISTRICT")
    district = await client.get("/v1/org-units/X-DISTRICT", headers=auth("admin"))
    refused = await client.patch(
        "/v1/org-units/X-DISTRICT",
        json={"valid_to": "2023-12-31"},
        headers={**auth("admin"), "If-Match": district.headers["etag"]},
    )
    assert refused.status_code == 422
    assert refused.json()["stranded"] == ["X-END-1"]


async def test_reopening_a_unit_reopens_its_place_in_the_hierarchy(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    commune = {
        "code": "X-REOPEN",
        "name": "Xã thử",
        "type": "commune",
        "valid_from": "2021-01-01",
        "parent": "HT-HSO",
    }
    created = await client.post("/v1/org-units", json=commune, headers=auth("admin"))
    ended = await client.patch(
        "/v1/org-units/X-REOPEN",
        json={"valid_to": "2022-12-31"},
        headers={**auth("admin"), "If-Match": created.headers["etag"]},
    )
    assert ended.status_code == 200, ended.text
    reopened = await client.patch(
        "/v1/org-units/X-REOPEN",
        json={"valid_to": "2025-06-30"},
        headers={**auth("admin"), "If-Match": ended.headers["etag"]},
    )
    assert reopened.status_code == 200, reopened.text
    later = await client.get("/v1/org-units/X-REOPEN", params={"at": "2024-01-01"}, headers=auth("viewer"))
    assert later.json()["parent"] == "HT-HSO"


async def test_an_act_recorded_twice_is_refused_and_a_retry_with_the_same_key_is_replayed(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    merge = {
        "kind": "merge",
        "effective_date": "2025-01-01",
        "predecessors": ["HT-LHA", "HT-THA"],
        "successors": ["HT-THA"],
        "legal_source": "Nghị quyết 1283/NQ-UBTVQH15",
    }
    again = await client.post("/v1/org-units/restructurings", json=merge, headers=auth("admin"))
    assert again.status_code == 409  # the seed recorded it
    assert again.json()["type"] == "urn:thidua:problem:restructuring-recorded"

    await create_unit(client, auth, "X-SPLIT", parent="HT", type="district")
    await create_unit(client, auth, "X-SPLIT-A", parent="HT", type="district")
    split = {
        "kind": "split",
        "effective_date": "2023-01-01",
        "predecessors": ["X-SPLIT"],
        "successors": ["X-SPLIT-A"],
        "legal_source": "Nghị quyết thử",
    }
    # Keys are per caller: the same administrator retries.
    key = {**auth("admin", subject="ops-1"), "Idempotency-Key": "split-2023-kah"}
    first = await client.post("/v1/org-units/restructurings", json=split, headers=key)
    retry = await client.post("/v1/org-units/restructurings", json=split, headers=key)
    assert first.status_code == retry.status_code == 201, first.text
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()
    detail = await client.get("/v1/org-units/X-SPLIT", params={"at": "2022-06-30"}, headers=auth("viewer"))
    assert len(detail.json()["successors"]) == 1
