"""The indicator catalogue over HTTP, against the seed (33 indicators; each test rolled back)."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth
from targets.cache.counters import read_counters

SEED_AREAS = {"economy": 13, "culture_society": 13, "environment": 5, "defence_security": 1, "other": 1}
READ_ONLY_ROLES = ["unit_officer", "council_member", "authority", "reporter", "viewer"]


def indicator(code: str, **fields: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"Chỉ tiêu {code}",
        "area": "economy",
        "unit": "%",
        "value_type": "percent",
        "aggregation": "none",
        **fields,
    }


async def create(
    client: httpx.AsyncClient, auth: Auth, body: dict[str, Any], role: str = "secretariat"
) -> Any:
    response = await client.post("/v1/indicators", json=body, headers=auth(role))
    assert response.status_code == 201, response.text
    return response.json()


async def all_codes(client: httpx.AsyncClient, auth: Auth, **params: Any) -> list[str]:
    response = await client.get("/v1/indicators", params={"limit": 500, **params}, headers=auth("viewer"))
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return [item["code"] for item in response.json()["items"]]


async def patch(
    client: httpx.AsyncClient, auth: Auth, code: str, body: dict[str, Any], etag: str | None = None
) -> httpx.Response:
    if etag is None:
        etag = (await client.get(f"/v1/indicators/{code}", headers=auth("viewer"))).headers["ETag"]
    return await client.patch(
        f"/v1/indicators/{code}", json=body, headers={**auth("secretariat"), "If-Match": etag}
    )


# ---- list and get -----------------------------------------------------------------------------------------


async def test_the_seeded_catalogue_in_code_order(client: httpx.AsyncClient, auth: Auth) -> None:
    codes = await all_codes(client, auth)
    assert len(codes) == 33
    assert codes == sorted(codes)
    assert {"POP_AVG", "ECO_INCOME_PC", "ECO_NTM_PROVINCE", "ENV_FOREST_COVER"} <= set(codes)


async def test_area_filter(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.get("/v1/indicators", params={"area": "environment"}, headers=auth("viewer"))
    items = response.json()["items"]
    assert {item["area"] for item in items} == {"environment"}
    for area, count in SEED_AREAS.items():
        assert len(await all_codes(client, auth, area=area)) == count
    assert_problem(
        await client.get("/v1/indicators", params={"area": "sport"}, headers=auth("viewer")),
        422,
        "validation-error",
    )


@pytest.mark.parametrize(("area", "limit", "pages"), [(None, 10, 4), ("economy", 5, 3), ("economy", 13, 1)])
async def test_cursor_pagination(
    client: httpx.AsyncClient, auth: Auth, area: str | None, limit: int, pages: int
) -> None:
    expected = await all_codes(client, auth, **({"area": area} if area else {}))
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(pages):
        params: dict[str, Any] = {"limit": limit, **({"area": area} if area else {})}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/indicators", params=params, headers=auth("viewer"))).json()
        seen.extend(item["code"] for item in page["items"])
        cursor = page["next_cursor"]
    assert cursor is None
    assert seen == expected


async def test_a_bad_cursor_is_a_400(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.get("/v1/indicators", params={"cursor": "not-a-cursor"}, headers=auth("viewer"))
    assert_problem(response, 400, "invalid-cursor")


async def test_get_a_weighted_indicator(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.get("/v1/indicators/ECO_INCOME_PC", headers=auth("viewer"))
    assert response.status_code == 200, response.text
    income = response.json()
    assert response.headers["ETag"] == f'"{income["version"]}"'
    assert (income["value_type"], income["aggregation"], income["weight_indicator"]) == (
        "number",
        "weighted",
        "POP_AVG",
    )
    assert (income["area"], income["period_type"], income["parent"]) == ("economy", "Yearly", None)


async def test_get_an_of_which_indicator(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.get("/v1/indicators/ECO_BUDGET_REVENUE_DOMESTIC", headers=auth("viewer"))
    assert response.json()["parent"] == "ECO_BUDGET_REVENUE"


async def test_an_unknown_indicator_is_a_404(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.get("/v1/indicators/NOPE", headers=auth("viewer"))
    assert "NOPE" in assert_problem(response, 404, "indicator-not-found")["detail"]
    assert_problem(await client.get("/v1/indicators"), 401, "missing-token")


# ---- POST -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["secretariat", "admin"])
async def test_catalogue_editors_add_indicators(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession, role: str
) -> None:
    before = (await read_counters(db_session)).catalogue
    body = indicator(
        "SOC_LIBRARIES",
        name="Số thư viện",
        name_en="Libraries",
        area="culture_society",
        unit="thư viện",
        value_type="count",
        aggregation="sum",
        direction="higher",
        decimals=0,
        period_type="Quarterly",
        description="test",
    )
    response = await client.post("/v1/indicators", json=body, headers=auth(role))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {
        **body,
        "parent": None,
        "weight_indicator": None,
        "version": created["version"],
    }
    assert response.headers["Location"] == "/api/v1/indicators/SOC_LIBRARIES"
    assert response.headers["ETag"] == f'"{created["version"]}"'
    assert (await read_counters(db_session)).catalogue != before
    assert "SOC_LIBRARIES" in await all_codes(client, auth, area="culture_society")


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
async def test_others_may_not_add_indicators(client: httpx.AsyncClient, auth: Auth, role: str) -> None:
    response = await client.post("/v1/indicators", json=indicator("X"), headers=auth(role))
    assert_problem(response, 403, "missing-role")
    assert_problem(await client.post("/v1/indicators", json=indicator("X")), 401, "missing-token")


async def test_weighted_aggregation_needs_a_weight_and_only_it_takes_one(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    refused = [
        indicator("X", aggregation="weighted"),
        indicator("X", aggregation="mean", weight_indicator="POP_AVG"),
    ]
    for body in refused:
        response = await client.post("/v1/indicators", json=body, headers=auth("secretariat"))
        assert "weight_indicator" in assert_problem(response, 422, "validation-error")["detail"]

    created = await create(client, auth, indicator("X", aggregation="weighted", weight_indicator="POP_AVG"))
    assert (created["aggregation"], created["weight_indicator"]) == ("weighted", "POP_AVG")
    response = await client.post(
        "/v1/indicators",
        json=indicator("Y", aggregation="weighted", weight_indicator="NOPE"),
        headers=auth("secretariat"),
    )
    assert "NOPE" in assert_problem(response, 404, "indicator-not-found")["detail"]


@pytest.mark.parametrize("aggregation", ["sum", "mean", "weighted"])
async def test_a_boolean_is_not_aggregated(client: httpx.AsyncClient, auth: Auth, aggregation: str) -> None:
    weight = {"weight_indicator": "POP_AVG"} if aggregation == "weighted" else {}
    body = indicator("X", value_type="boolean", aggregation=aggregation, **weight)
    response = await client.post("/v1/indicators", json=body, headers=auth("secretariat"))
    assert "aggregation 'none'" in assert_problem(response, 422, "validation-error")["detail"]


async def test_a_boolean_with_aggregation_none(client: httpx.AsyncClient, auth: Auth) -> None:
    created = await create(
        client, auth, indicator("X", value_type="boolean", aggregation="none", unit="đạt/không")
    )
    assert (created["value_type"], created["aggregation"]) == ("boolean", "none")


async def test_an_of_which_indicator_names_its_parent(client: httpx.AsyncClient, auth: Auth) -> None:
    created = await create(
        client, auth, indicator("ECO_EXPORTS_RICE", value_type="number", parent="ECO_EXPORTS")
    )
    assert created["parent"] == "ECO_EXPORTS"
    fetched = (await client.get("/v1/indicators/ECO_EXPORTS_RICE", headers=auth("viewer"))).json()
    assert fetched == created
    response = await client.post("/v1/indicators", json=indicator("Y", parent="NOPE"), headers=auth("admin"))
    assert_problem(response, 404, "indicator-not-found")


async def test_a_used_code_is_a_409(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.post("/v1/indicators", json=indicator("POP_AVG"), headers=auth("secretariat"))
    assert_problem(response, 409, "indicator-exists")
    # The failed insert did not spoil the transaction, nor change the seeded indicator.
    fetched = (await client.get("/v1/indicators/POP_AVG", headers=auth("viewer"))).json()
    assert (fetched["value_type"], fetched["aggregation"]) == ("count", "sum")


async def test_validation_errors_list_each_bad_field(client: httpx.AsyncClient, auth: Auth) -> None:
    body = indicator(
        "bad code", area="sport", decimals=7, period_type="Yearlyish", value_type="text", extra=1
    )
    problem = assert_problem(
        await client.post("/v1/indicators", json=body, headers=auth("secretariat")), 422, "validation-error"
    )
    assert {error["location"] for error in problem["errors"]} == {
        "body.code",
        "body.area",
        "body.decimals",
        "body.period_type",
        "body.value_type",
        "body.extra",
    }


async def test_idempotency_key(client: httpx.AsyncClient, auth: Auth) -> None:
    headers = {**auth("secretariat", subject="secretary-1"), "Idempotency-Key": "indicator-x-1"}
    first = await client.post("/v1/indicators", json=indicator("X"), headers=headers)
    assert first.status_code == 201, first.text
    again = await client.post("/v1/indicators", json=indicator("X"), headers=headers)
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert (await all_codes(client, auth)).count("X") == 1
    different = await client.post("/v1/indicators", json=indicator("X", name="Khác"), headers=headers)
    assert_problem(different, 422, "idempotency-key-reused")


async def test_a_new_indicator_is_in_the_catalogue_snapshot_at_once(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    # Targets are checked against the cached catalogue: it must know the indicator created a moment ago.
    await create(client, auth, indicator("X"))
    target = {
        "plan": "HT-2021-2025",
        "indicator": "X",
        "org_unit": "HT",
        "kind": "end_of_period",
        "comparator": "gte",
        "value": 50,
        "source_text": "test",
    }
    response = await client.post("/v1/targets", json=target, headers=auth("secretariat"))
    assert response.status_code == 201, response.text


# ---- PATCH ------------------------------------------------------------------------------------------------


async def test_patch_needs_if_match(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.patch("/v1/indicators/POP_AVG", json={"name": "X"}, headers=auth("secretariat"))
    assert_problem(response, 428, "precondition-required")
    # An empty one is none at all, not a tag that fails to match (412).
    blank = await client.patch(
        "/v1/indicators/POP_AVG", json={"name": "X"}, headers=auth("secretariat") | {"If-Match": " "}
    )
    assert_problem(blank, 428, "precondition-required")


async def test_a_stale_etag_is_a_412(client: httpx.AsyncClient, auth: Auth) -> None:
    current = (await client.get("/v1/indicators/POP_AVG", headers=auth("viewer"))).headers["ETag"]
    response = await patch(client, auth, "POP_AVG", {"name": "X"}, etag='"0"')
    assert_problem(response, 412, "version-mismatch")
    assert response.headers["ETag"] == current


async def test_descriptive_fields_change_with_if_match(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    before = (await read_counters(db_session)).catalogue
    first = (await client.get("/v1/indicators/ENV_FOREST_COVER", headers=auth("viewer"))).headers["ETag"]
    change = {
        "name": "Tỷ lệ che phủ rừng (mới)",
        "name_en": "Forest cover",
        "area": "other",
        "unit": "phần trăm",
        "direction": "lower",
        "decimals": 2,
        "description": None,
    }
    response = await patch(client, auth, "ENV_FOREST_COVER", change, etag=first)
    assert response.status_code == 200, response.text
    changed = response.json()
    assert {key: changed[key] for key in change} == change
    assert (changed["value_type"], changed["aggregation"]) == ("percent", "none")
    assert response.headers["ETag"] != first
    assert response.headers["ETag"] == f'"{changed["version"]}"'
    assert (await read_counters(db_session)).catalogue != before
    assert "ENV_FOREST_COVER" in await all_codes(client, auth, area="other")
    assert_problem(
        await patch(client, auth, "ENV_FOREST_COVER", {"name": "Y"}, etag=first), 412, "version-mismatch"
    )


@pytest.mark.parametrize(
    "field",
    [
        {"value_type": "number"},
        {"aggregation": "sum"},
        {"period_type": "Monthly"},
        {"weight_indicator": "POP_AVG"},
        {"parent": "ECO_EXPORTS"},
        {"code": "Y"},
    ],
)
async def test_what_values_depend_on_cannot_be_patched(
    client: httpx.AsyncClient, auth: Auth, field: dict[str, str]
) -> None:
    problem = assert_problem(await patch(client, auth, "ENV_FOREST_COVER", field), 422, "validation-error")
    assert [error["type"] for error in problem["errors"]] == ["extra_forbidden"]


@pytest.mark.parametrize("field", ["name", "area", "unit", "direction", "decimals"])
async def test_null_for_a_required_field_is_a_422(client: httpx.AsyncClient, auth: Auth, field: str) -> None:
    problem = assert_problem(
        await patch(client, auth, "ENV_FOREST_COVER", {field: None}), 422, "validation-error"
    )
    assert f"body.{field}" in {error["location"] for error in problem["errors"]}


async def test_patch_refuses_unknown_indicators_and_readers(client: httpx.AsyncClient, auth: Auth) -> None:
    assert_problem(await patch(client, auth, "NOPE", {"name": "X"}, etag='"1"'), 404, "indicator-not-found")
    response = await client.patch(
        "/v1/indicators/POP_AVG", json={"name": "X"}, headers={**auth("reporter"), "If-Match": "*"}
    )
    assert_problem(response, 403, "missing-role")
