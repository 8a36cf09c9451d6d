"""Plans and targets over HTTP, against the seed: HT-2021-2025, 32 targets on HT (each test rolled back)."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth
from shared.pagination import encode_cursor
from targets.cache.counters import read_counters

PLAN = "HT-2021-2025"
READ_ONLY_ROLES = ["unit_officer", "council_member", "authority", "reporter", "viewer"]


def plan(code: str = "HT-2026-2030", **fields: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": "Kế hoạch 2026-2030",
        "start_date": "2026-01-01",
        "end_date": "2030-12-31",
        "source": "Nghị quyết (test)",
        **fields,
    }


def target(indicator: str = "ENV_FOREST_COVER", **fields: Any) -> dict[str, Any]:
    return {
        "plan": PLAN,
        "indicator": indicator,
        "org_unit": "HT-HSO",
        "kind": "end_of_period",
        "comparator": "gte",
        "value": 60,
        "source_text": "tỷ lệ che phủ rừng đạt trên 60%",
        **fields,
    }


async def post_target(client: httpx.AsyncClient, auth: Auth, body: dict[str, Any]) -> httpx.Response:
    return await client.post("/v1/targets", json=body, headers=auth("secretariat"))


async def created_target(client: httpx.AsyncClient, auth: Auth, body: dict[str, Any]) -> dict[str, Any]:
    response = await post_target(client, auth, body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def target_ids(client: httpx.AsyncClient, auth: Auth, **params: Any) -> list[int]:
    response = await client.get("/v1/targets", params={"limit": 500, **params}, headers=auth("viewer"))
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return [item["id"] for item in response.json()["items"]]


async def patch_target(
    client: httpx.AsyncClient, auth: Auth, target_id: int, body: dict[str, Any], etag: str | None = None
) -> httpx.Response:
    if etag is None:
        etag = (await client.get(f"/v1/targets/{target_id}", headers=auth("viewer"))).headers["ETag"]
    return await client.patch(
        f"/v1/targets/{target_id}", json=body, headers={**auth("secretariat"), "If-Match": etag}
    )


async def patch_plan(
    client: httpx.AsyncClient, auth: Auth, code: str, body: dict[str, Any], etag: str | None = None
) -> httpx.Response:
    if etag is None:
        etag = (await client.get(f"/v1/plans/{code}", headers=auth("viewer"))).headers["ETag"]
    return await client.patch(
        f"/v1/plans/{code}", json=body, headers={**auth("secretariat"), "If-Match": etag}
    )


# ---- plans ------------------------------------------------------------------------------------------------


async def test_the_seeded_plan(client: httpx.AsyncClient, auth: Auth) -> None:
    plans = (await client.get("/v1/plans", headers=auth("viewer"))).json()["items"]
    assert [item["code"] for item in plans] == [PLAN]
    response = await client.get(f"/v1/plans/{PLAN}", headers=auth("viewer"))
    seeded = response.json()
    assert response.headers["ETag"] == f'"{seeded["version"]}"'
    assert (seeded["start_date"], seeded["end_date"], seeded["at_risk_margin"]) == (
        "2021-01-01",
        "2025-12-31",
        0.1,
    )
    assert seeded == plans[0]
    assert_problem(await client.get("/v1/plans/NOPE", headers=auth("viewer")), 404, "plan-not-found")
    assert_problem(await client.get("/v1/plans"), 401, "missing-token")


@pytest.mark.parametrize("role", ["secretariat", "admin"])
async def test_catalogue_editors_add_plans(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession, role: str
) -> None:
    before = (await read_counters(db_session)).catalogue
    response = await client.post("/v1/plans", json=plan(at_risk_margin=0.25), headers=auth(role))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {**plan(), "at_risk_margin": 0.25, "version": created["version"]}
    assert response.headers["Location"] == "/api/v1/plans/HT-2026-2030"
    assert response.headers["ETag"] == f'"{created["version"]}"'
    assert (await read_counters(db_session)).catalogue != before
    # Ordered by start date.
    listed = (await client.get("/v1/plans", headers=auth("viewer"))).json()
    assert [item["code"] for item in listed["items"]] == [PLAN, "HT-2026-2030"]
    first = (await client.get("/v1/plans", params={"limit": 1}, headers=auth("viewer"))).json()
    assert [item["code"] for item in first["items"]] == [PLAN]
    rest = await client.get("/v1/plans", params={"cursor": first["next_cursor"]}, headers=auth("viewer"))
    assert [item["code"] for item in rest.json()["items"]] == ["HT-2026-2030"]


async def test_the_default_at_risk_margin(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.post("/v1/plans", json=plan(), headers=auth("secretariat"))
    assert response.json()["at_risk_margin"] == 0.1


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
async def test_others_may_not_add_plans(client: httpx.AsyncClient, auth: Auth, role: str) -> None:
    assert_problem(await client.post("/v1/plans", json=plan(), headers=auth(role)), 403, "missing-role")


@pytest.mark.parametrize(
    ("fields", "location"),
    [
        ({"end_date": "2025-12-31"}, "body"),
        ({"end_date": "2026-01-01"}, "body"),
        ({"at_risk_margin": 1.01}, "body.at_risk_margin"),
        ({"at_risk_margin": -0.01}, "body.at_risk_margin"),
        ({"code": "HT 2026"}, "body.code"),
        ({"source": ""}, "body.source"),
        ({"version": 3}, "body.version"),
    ],
)
async def test_invalid_plans_are_refused(
    client: httpx.AsyncClient, auth: Auth, fields: dict[str, Any], location: str
) -> None:
    response = await client.post("/v1/plans", json=plan(**fields), headers=auth("secretariat"))
    problem = assert_problem(response, 422, "validation-error")
    assert [error["location"] for error in problem["errors"]] == [location]


@pytest.mark.parametrize("margin", [0, 1])
async def test_the_margin_bounds_are_allowed(client: httpx.AsyncClient, auth: Auth, margin: int) -> None:
    response = await client.post("/v1/plans", json=plan(at_risk_margin=margin), headers=auth("secretariat"))
    assert response.status_code == 201, response.text
    assert response.json()["at_risk_margin"] == margin


async def test_a_used_plan_code_is_a_409(client: httpx.AsyncClient, auth: Auth) -> None:
    assert_problem(await client.post("/v1/plans", json=plan(PLAN), headers=auth("admin")), 409, "plan-exists")


async def test_plan_idempotency_key(client: httpx.AsyncClient, auth: Auth) -> None:
    headers = {**auth("secretariat", subject="secretary-2"), "Idempotency-Key": "plan-2026"}
    first = await client.post("/v1/plans", json=plan(), headers=headers)
    assert first.status_code == 201, first.text
    again = await client.post("/v1/plans", json=plan(), headers=headers)
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (201, "true")
    assert again.json() == first.json()
    assert len((await client.get("/v1/plans", headers=auth("viewer"))).json()) == 2
    assert_problem(
        await client.post("/v1/plans", json=plan(name="Khác"), headers=headers), 422, "idempotency-key-reused"
    )


async def test_patch_a_plan(client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession) -> None:
    assert_problem(
        await client.patch(f"/v1/plans/{PLAN}", json={"name": "X"}, headers=auth("secretariat")),
        428,
        "precondition-required",
    )
    first = (await client.get(f"/v1/plans/{PLAN}", headers=auth("viewer"))).headers["ETag"]
    stale = await patch_plan(client, auth, PLAN, {"name": "X"}, etag='"0"')
    assert_problem(stale, 412, "version-mismatch")
    assert stale.headers["ETag"] == first

    before = (await read_counters(db_session)).catalogue
    response = await patch_plan(
        client, auth, PLAN, {"name": "Kế hoạch (sửa)", "source": "Nguồn", "at_risk_margin": 0.05}, etag=first
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["name"], changed["source"], changed["at_risk_margin"]) == (
        "Kế hoạch (sửa)",
        "Nguồn",
        0.05,
    )
    assert response.headers["ETag"] != first
    assert response.headers["ETag"] == f'"{changed["version"]}"'
    assert (await read_counters(db_session)).catalogue != before
    assert (await client.get(f"/v1/plans/{PLAN}", headers=auth("viewer"))).json() == changed
    assert_problem(await patch_plan(client, auth, PLAN, {"name": "Y"}, etag=first), 412, "version-mismatch")


@pytest.mark.parametrize(
    "body",
    [
        {"at_risk_margin": 1.5},
        {"at_risk_margin": -0.5},
        {"end_date": "2020-01-01"},
        {"code": "X"},
        {"name": ""},
        {"name": None},
        {"source": None},
        {"at_risk_margin": None},
    ],
)
async def test_invalid_plan_patches_are_refused(
    client: httpx.AsyncClient, auth: Auth, body: dict[str, Any]
) -> None:
    assert_problem(await patch_plan(client, auth, PLAN, body), 422, "validation-error")


async def test_patch_plan_refuses_unknown_plans_and_readers(client: httpx.AsyncClient, auth: Auth) -> None:
    assert_problem(await patch_plan(client, auth, "NOPE", {"name": "X"}, etag='"1"'), 404, "plan-not-found")
    response = await client.patch(
        f"/v1/plans/{PLAN}", json={"name": "X"}, headers={**auth("viewer"), "If-Match": "*"}
    )
    assert_problem(response, 403, "missing-role")


# ---- targets: list and get --------------------------------------------------------------------------------


async def test_the_seeded_targets(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.get("/v1/targets", params={"plan": PLAN, "limit": 500}, headers=auth("viewer"))
    items = response.json()["items"]
    assert len(items) == 32
    assert {item["plan"] for item in items} == {PLAN}
    assert {item["org_unit"] for item in items} == {"HT"}
    relative = [item for item in items if item["kind"] == "relative"]
    assert len(relative) == 1
    assert (relative[0]["indicator"], relative[0]["value"]) == ("ECO_INCOME_PC", None)
    assert relative[0]["reference_indicator"] == "ECO_INCOME_PC_NORTH_CENTRAL"
    assert all(item["value"] is not None for item in items if item["kind"] != "relative")
    assert [item["id"] for item in items] == sorted(item["id"] for item in items)
    investment = next(item for item in items if item["indicator"] == "ECO_SOCIAL_INVESTMENT")
    assert (investment["kind"], investment["comparator"], investment["value"], investment["tolerance"]) == (
        "cumulative",
        "approx",
        220000,
        11000,
    )
    assert investment["projection"] == "running_sum"


async def test_target_filters(client: httpx.AsyncClient, auth: Auth) -> None:
    everything = await target_ids(client, auth)
    assert len(everything) == 32
    assert await target_ids(client, auth, org_unit="HT") == everything
    assert await target_ids(client, auth, org_unit="HT-HSO") == []
    assert len(await target_ids(client, auth, indicator="ECO_INCOME_PC")) == 2
    assert len(await target_ids(client, auth, indicator="ECO_INCOME_PC", plan=PLAN, org_unit="HT")) == 2
    assert await target_ids(client, auth, indicator="POP_AVG") == []
    mine = await created_target(client, auth, target())
    assert await target_ids(client, auth, org_unit="HT-HSO") == [mine["id"]]
    assert await target_ids(client, auth, indicator="ENV_FOREST_COVER", org_unit="HT-HSO") == [mine["id"]]
    assert len(await target_ids(client, auth, plan=PLAN)) == 33


async def test_target_pagination(client: httpx.AsyncClient, auth: Auth) -> None:
    expected = await target_ids(client, auth, plan=PLAN)
    seen: list[int] = []
    cursor: str | None = None
    for _ in range(4):
        params: dict[str, Any] = {"plan": PLAN, "limit": 10, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/targets", params=params, headers=auth("viewer"))).json()
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
    assert cursor is None
    assert seen == expected
    full = (await client.get("/v1/targets", params={"limit": 32}, headers=auth("viewer"))).json()
    assert (len(full["items"]), full["next_cursor"]) == (32, None)


async def test_bad_target_queries(client: httpx.AsyncClient, auth: Auth) -> None:
    viewer = auth("viewer")
    assert_problem(
        await client.get("/v1/targets", params={"plan": "NOPE"}, headers=viewer), 404, "plan-not-found"
    )
    assert_problem(
        await client.get("/v1/targets", params={"indicator": "NOPE"}, headers=viewer), 404, "not-found"
    )
    assert_problem(
        await client.get("/v1/targets", params={"org_unit": "NOPE"}, headers=viewer), 404, "not-found"
    )
    assert_problem(
        await client.get("/v1/targets", params={"cursor": "bm90"}, headers=viewer), 400, "invalid-cursor"
    )


@pytest.mark.parametrize("key", ["HT-HSO", {"id": 3}, [1], 1.5, True])
async def test_a_cursor_of_another_shape_is_a_400(client: httpx.AsyncClient, auth: Auth, key: object) -> None:
    # Well-formed, but not a target id: another list's cursor, or a hand-made one.
    response = await client.get("/v1/targets", params={"cursor": encode_cursor(key)}, headers=auth("viewer"))
    assert_problem(response, 400, "invalid-cursor")


async def test_get_a_target(client: httpx.AsyncClient, auth: Auth) -> None:
    [first_id] = (await target_ids(client, auth, indicator="ECO_NTM_PROVINCE"))[:1]
    response = await client.get(f"/v1/targets/{first_id}", headers=auth("viewer"))
    assert response.status_code == 200, response.text
    boolean = response.json()
    assert response.headers["ETag"] == f'"{boolean["version"]}"'
    assert (boolean["kind"], boolean["comparator"], boolean["value"], boolean["projection"]) == (
        "boolean",
        "eq",
        1,
        "latest",
    )
    assert_problem(await client.get("/v1/targets/999999", headers=auth("viewer")), 404, "target-not-found")
    assert_problem(await client.get("/v1/targets/first", headers=auth("viewer")), 422, "validation-error")


# ---- targets: POST ----------------------------------------------------------------------------------------


async def test_set_a_target(client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession) -> None:
    before = (await read_counters(db_session)).catalogue
    body = target(baseline=48.5, baseline_year=2020, notes="test", projection="compound", value=52.5)
    response = await post_target(client, auth, body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["Location"] == f"/api/v1/targets/{created['id']}"
    assert response.headers["ETag"] == f'"{created["version"]}"'
    assert created == {
        **body,
        "id": created["id"],
        "tolerance": None,
        "reference_indicator": None,
        "version": created["version"],
    }
    assert (await read_counters(db_session)).catalogue != before
    assert (await client.get(f"/v1/targets/{created['id']}", headers=auth("viewer"))).json() == created


@pytest.mark.parametrize(
    ("kind", "projection"),
    [
        ("end_of_period", "linear"),
        ("annual", "share_of_years"),
        ("period_average", "mean"),
        ("cumulative", "running_sum"),
    ],
)
async def test_the_default_projection_follows_the_kind(
    client: httpx.AsyncClient, auth: Auth, kind: str, projection: str
) -> None:
    assert (await created_target(client, auth, target(kind=kind)))["projection"] == projection


async def test_an_approximate_target_needs_a_tolerance(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await post_target(client, auth, target(comparator="approx"))
    assert "tolerance" in assert_problem(response, 422, "validation-error")["detail"]
    response = await post_target(client, auth, target(comparator="approx", tolerance=-1))
    assert_problem(response, 422, "validation-error")
    created = await created_target(client, auth, target(comparator="approx", tolerance=2.5))
    assert (created["comparator"], created["tolerance"]) == ("approx", 2.5)


async def test_a_relative_target(client: httpx.AsyncClient, auth: Auth) -> None:
    relative = target("ECO_INCOME_PC", kind="relative", comparator="gt", value=None)
    response = await post_target(client, auth, relative)
    assert "reference_indicator" in assert_problem(response, 422, "validation-error")["detail"]
    # It is judged against the reference series: a value of its own would be ignored, so it is refused.
    with_value = {**relative, "reference_indicator": "ECO_INCOME_PC_NORTH_CENTRAL", "value": 70}
    assert_problem(await post_target(client, auth, with_value), 422, "validation-error")
    unknown = {**relative, "reference_indicator": "NOPE"}
    assert "NOPE" in assert_problem(await post_target(client, auth, unknown), 404, "not-found")["detail"]

    created = await created_target(
        client, auth, {**relative, "reference_indicator": "ECO_INCOME_PC_NORTH_CENTRAL"}
    )
    assert (created["kind"], created["value"], created["projection"]) == ("relative", None, "linear")
    assert created["reference_indicator"] == "ECO_INCOME_PC_NORTH_CENTRAL"


async def test_only_a_relative_target_names_a_reference(client: httpx.AsyncClient, auth: Auth) -> None:
    body = target("ECO_INCOME_PC", reference_indicator="ECO_INCOME_PC_NORTH_CENTRAL")
    assert (
        "reference_indicator"
        in assert_problem(await post_target(client, auth, body), 422, "validation-error")["detail"]
    )


async def test_other_targets_need_a_value(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await post_target(client, auth, target(value=None))
    assert "needs a value" in assert_problem(response, 422, "validation-error")["detail"]


async def test_a_boolean_target(client: httpx.AsyncClient, auth: Auth) -> None:
    boolean = target("ECO_NTM_PROVINCE", kind="boolean", comparator="eq", value=1)
    assert_problem(await post_target(client, auth, {**boolean, "comparator": "gte"}), 422, "invalid-target")
    on_a_number = {**boolean, "indicator": "ENV_FOREST_COVER"}
    assert (
        "percent"
        in assert_problem(await post_target(client, auth, on_a_number), 422, "invalid-target")["detail"]
    )
    assert_problem(await post_target(client, auth, {**boolean, "value": 2}), 422, "validation-error")
    created = await created_target(client, auth, boolean)
    assert (created["kind"], created["comparator"], created["value"], created["projection"]) == (
        "boolean",
        "eq",
        1,
        "latest",
    )


async def test_a_target_set_twice_is_a_409(client: httpx.AsyncClient, auth: Auth) -> None:
    seeded = target("ENV_FOREST_COVER", org_unit="HT", value=52, comparator="gt")
    problem = assert_problem(await post_target(client, auth, seeded), 409, "target-exists")
    assert "ENV_FOREST_COVER" in problem["detail"]
    # Another kind for the same indicator and unit is another target.
    assert (await post_target(client, auth, {**seeded, "kind": "annual"})).status_code == 201


async def test_unknown_references_are_404s(client: httpx.AsyncClient, auth: Auth) -> None:
    assert_problem(await post_target(client, auth, target(plan="NOPE")), 404, "plan-not-found")
    assert_problem(await post_target(client, auth, target(indicator="NOPE")), 404, "not-found")
    assert_problem(await post_target(client, auth, target(org_unit="NOPE")), 404, "not-found")


async def test_target_validation_errors_list_each_bad_field(client: httpx.AsyncClient, auth: Auth) -> None:
    body = target(kind="someday", comparator="about", value="lots", baseline_year=1800, source_text="", x=1)
    problem = assert_problem(await post_target(client, auth, body), 422, "validation-error")
    assert {error["location"] for error in problem["errors"]} == {
        "body.kind",
        "body.comparator",
        "body.value",
        "body.baseline_year",
        "body.source_text",
        "body.x",
    }


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
async def test_others_may_not_set_targets(client: httpx.AsyncClient, auth: Auth, role: str) -> None:
    assert_problem(await client.post("/v1/targets", json=target(), headers=auth(role)), 403, "missing-role")


async def test_target_idempotency_key(client: httpx.AsyncClient, auth: Auth) -> None:
    headers = {**auth("admin", subject="admin-3"), "Idempotency-Key": "target-hso-forest"}
    first = await client.post("/v1/targets", json=target(), headers=headers)
    assert first.status_code == 201, first.text
    again = await client.post("/v1/targets", json=target(), headers=headers)
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (201, "true")
    assert again.json() == first.json()
    assert len(await target_ids(client, auth, org_unit="HT-HSO")) == 1
    assert_problem(
        await client.post("/v1/targets", json=target(value=70), headers=headers),
        422,
        "idempotency-key-reused",
    )


async def test_a_target_in_a_new_plan(client: httpx.AsyncClient, auth: Auth) -> None:
    # The plan was created a moment ago; the target must find it.
    assert (await client.post("/v1/plans", json=plan(), headers=auth("secretariat"))).status_code == 201
    created = await created_target(client, auth, target(plan="HT-2026-2030", org_unit="HT"))
    assert created["plan"] == "HT-2026-2030"
    assert await target_ids(client, auth, plan="HT-2026-2030") == [created["id"]]


# ---- targets: PATCH ---------------------------------------------------------------------------------------


async def test_patch_a_target(client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession) -> None:
    mine = await created_target(client, auth, target())
    url = f"/v1/targets/{mine['id']}"
    assert_problem(
        await client.patch(url, json={"value": 61}, headers=auth("secretariat")), 428, "precondition-required"
    )
    first = (await client.get(url, headers=auth("viewer"))).headers["ETag"]
    stale = await patch_target(client, auth, mine["id"], {"value": 61}, etag='"0"')
    assert_problem(stale, 412, "version-mismatch")
    assert stale.headers["ETag"] == first

    before = (await read_counters(db_session)).catalogue
    change = {
        "comparator": "approx",
        "value": 61,
        "tolerance": 1,
        "baseline": 50,
        "baseline_year": 2020,
        "projection": "compound",
        "source_text": "khoảng 61%",
        "notes": "sửa",
    }
    response = await patch_target(client, auth, mine["id"], change, etag=first)
    assert response.status_code == 200, response.text
    changed = response.json()
    assert {key: changed[key] for key in change} == change
    assert response.headers["ETag"] != first
    assert response.headers["ETag"] == f'"{changed["version"]}"'
    assert (await read_counters(db_session)).catalogue != before
    assert (await client.get(url, headers=auth("viewer"))).json() == changed
    assert_problem(
        await patch_target(client, auth, mine["id"], {"value": 1}, etag=first), 412, "version-mismatch"
    )


@pytest.mark.parametrize(
    ("body", "status", "slug"),
    [
        ({"comparator": "approx"}, 422, "invalid-target"),
        ({"value": None}, 422, "invalid-target"),
        ({"tolerance": -1}, 422, "validation-error"),
        ({"kind": "annual"}, 422, "validation-error"),
        ({"indicator": "POP_AVG"}, 422, "validation-error"),
        ({"comparator": None}, 422, "validation-error"),
        ({"projection": None}, 422, "validation-error"),
        ({"source_text": None}, 422, "validation-error"),
    ],
)
async def test_invalid_target_patches_are_refused(
    client: httpx.AsyncClient, auth: Auth, body: dict[str, Any], status: int, slug: str
) -> None:
    mine = await created_target(client, auth, target())
    assert_problem(await patch_target(client, auth, mine["id"], body), status, slug)
    assert (await client.get(f"/v1/targets/{mine['id']}", headers=auth("viewer"))).json() == mine


async def test_an_approximate_target_keeps_its_tolerance(client: httpx.AsyncClient, auth: Auth) -> None:
    mine = await created_target(client, auth, target(comparator="approx", tolerance=2))
    assert_problem(await patch_target(client, auth, mine["id"], {"tolerance": None}), 422, "invalid-target")


@pytest.mark.parametrize(("body"), [{"comparator": "gte"}, {"value": 5}])
async def test_a_boolean_target_stays_boolean(
    client: httpx.AsyncClient, auth: Auth, body: dict[str, Any]
) -> None:
    [seeded] = await target_ids(client, auth, indicator="ECO_NTM_PROVINCE")
    assert_problem(await patch_target(client, auth, seeded, body), 422, "invalid-target")


async def test_a_relative_target_takes_no_value(client: httpx.AsyncClient, auth: Auth) -> None:
    items = (
        await client.get("/v1/targets", params={"indicator": "ECO_INCOME_PC"}, headers=auth("viewer"))
    ).json()
    relative = next(item for item in items["items"] if item["kind"] == "relative")
    assert_problem(await patch_target(client, auth, relative["id"], {"value": 70}), 422, "invalid-target")
    response = await patch_target(client, auth, relative["id"], {"notes": "so với Bắc Trung Bộ"})
    assert response.status_code == 200, response.text
    assert response.json()["notes"] == "so với Bắc Trung Bộ"


async def test_patch_target_refuses_unknown_targets_and_readers(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    assert_problem(
        await patch_target(client, auth, 999999, {"value": 1}, etag='"1"'), 404, "target-not-found"
    )
    [seeded] = (await target_ids(client, auth, indicator="ENV_FOREST_COVER"))[:1]
    response = await client.patch(
        f"/v1/targets/{seeded}", json={"value": 1}, headers={**auth("reporter"), "If-Match": "*"}
    )
    assert_problem(response, 403, "missing-role")


async def test_a_goal_must_point_the_indicators_way(client: httpx.AsyncClient, auth: Auth) -> None:
    body = {
        "plan": "HT-2021-2025",
        "indicator": "ENV_FOREST_COVER",
        "org_unit": "HT-HSO",
        "kind": "end_of_period",
        "comparator": "lt",
        "value": "60",
        "source_text": "dưới 60%",
    }
    response = await client.post("/v1/targets", json=body, headers=auth("secretariat"))
    assert response.status_code == 422
    assert "better when higher" in response.json()["detail"]
