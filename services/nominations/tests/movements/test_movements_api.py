"""Movements: the plan's section III seeded, their targets read from the targets service, the reviews that
open movement_review rounds, and the units that register and report."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth

# Every movement and campaign named in quotes in section III of the plan (Nội dung thi đua), as it names them.
SECTION_THREE = [
    "Phát huy sáng kiến, cải tiến kỹ thuật, nâng cao chất lượng, hiệu quả sản xuất",
    "Người Việt Nam ưu tiên dùng hàng Việt Nam",
    "Doanh nghiệp Hà Tĩnh hội nhập và phát triển",
    "Toàn tỉnh chung sức xây dựng nông thôn mới, đô thị văn minh, giai đoạn 2021 - 2025",
    "rác thải nhựa",
    "Tết trồng cây",
    "Dạy tốt, học tốt",
    "Xây dựng trường học thân thiện, học sinh tích cực",
    "Hà Tĩnh chung tay vì người nghèo - không để ai bị bỏ lại phía sau, giai đoạn 2021 - 2025",
    "Toàn dân đoàn kết xây dựng đời sống văn hoá, giai đoạn 2021 - 2025",
    "Khỏe để xây dựng và bảo vệ Tổ quốc",
    "Toàn dân tham gia rèn luyện thể thao theo gương Bác Hồ",
    "Cán bộ, công chức, viên chức Hà Tĩnh thi đua thực hiện văn hóa công sở",
    "Dân vận khéo",
    "Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Thi đua quyết thắng",
    "Vì an ninh Tổ quốc",
    "Toàn dân bảo vệ an ninh Tổ quốc",
    "Sống, làm việc theo Hiến pháp và pháp luật",
]
ROUND_DAYS = {
    "submission_working_days": 10,
    "screening_working_days": 5,
    "council_working_days": 5,
    "decision_working_days": 10,
}


def running_movement(code: str = "PT-THU-2026", **overrides: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": "Thi đua chuyển đổi số năm 2026",
        "theme": "Chuyển đổi số trong cơ quan nhà nước",
        "launched_by": "UBND tỉnh Hà Tĩnh",
        "plan_code": "HT-2021-2025",
        "plan_section": "III.4",
        "area": "administrative_reform",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "source_text": "Thi đua thực hiện Kế hoạch hành động ... phát triển chính quyền số",
        "milestones": [
            {"kind": "final", "name": "Tổng kết", "review_on": "2026-12-15", "source": "Kế hoạch phát động"}
        ],
    } | overrides


async def all_movements(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> list[Any]:
    found: list[Any] = []
    cursor: str | None = None
    while True:
        params = {"limit": 7} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/movements", params=params, headers=headers or {})).json()
        found.extend(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return found


async def plan_target_ids(client: httpx.AsyncClient, auth: Auth) -> dict[str, int]:
    """The ids of the plan's provincial targets, as the targets service (in-process) numbers them."""
    app = client._transport.app  # type: ignore[attr-defined]
    ids = await app.state.targets.plan_targets(
        "HT-2021-2025", auth("viewer")["Authorization"].removeprefix("Bearer ")
    )
    return {indicator: target_id for (indicator, unit), target_id in ids.items() if unit == "HT"}


async def test_every_movement_of_section_three_is_seeded_and_public(client: httpx.AsyncClient) -> None:
    movements = await all_movements(client)
    text = " | ".join(f"{movement['name']} {movement['source_text']}" for movement in movements).lower()
    assert [name for name in SECTION_THREE if name.lower() not in text] == []
    assert len(movements) == 19
    by_code = {movement["code"]: movement for movement in movements}
    business = by_code["PT-DOANH-NGHIEP"]
    assert business["launched_by"].startswith("UBND tỉnh Hà Tĩnh")
    assert (business["starts_on"], business["ends_on"], business["area"]) == (
        "2021-01-01",
        "2025-12-31",
        "economy",
    )
    assert {m["kind"]: m["review_on"] for m in business["milestones"]} == {
        "mid_term": "2023-06-11",
        "final": "2025-10-13",
    }
    assert {t["indicator"] for t in business["targets"]} >= {"ECO_NEW_ENTERPRISES", "ECO_EXPORTS"}
    # Whatever could not be checked says so, in the record itself.
    assert all(m["launch_source"] or "cần đối chiếu" in (m["verification"] or "") for m in movements)


async def test_a_staff_read_gives_the_seeded_links_their_target_ids(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    anonymous = (await client.get("/v1/movements/PT-TET-TRONG-CAY")).json()
    assert anonymous["target_ids"] == []
    assert anonymous["targets"][0]["id"] is None
    staff = await client.get("/v1/movements/PT-TET-TRONG-CAY", headers=auth("viewer"))
    ids = await plan_target_ids(client, auth)
    assert staff.json()["target_ids"] == [ids["ENV_FOREST_COVER"]]
    # Kept: the public reads the ids now too.
    assert (await client.get("/v1/movements/PT-TET-TRONG-CAY")).json()["target_ids"] == [
        ids["ENV_FOREST_COVER"]
    ]


async def test_the_secretariat_records_a_movement_with_targets_by_id(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    ids = await plan_target_ids(client, auth)
    body = running_movement(target_ids=[ids["SOC_ONLINE_DOSSIERS_L34"]])
    assert_problem(
        await client.post("/v1/movements", json=body, headers=auth("unit_officer")), 403, "missing-role"
    )
    unknown = await client.post(
        "/v1/movements", json=body | {"target_ids": [999_999]}, headers=auth("secretariat")
    )
    problem = assert_problem(unknown, 422, "movement-target-unknown")
    assert problem["errors"] == [{"name": "target_ids[0]", "reason": "no such target in the plan"}]
    created = await client.post("/v1/movements", json=body, headers=auth("secretariat"))
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == "/api/v1/movements/PT-THU-2026"
    assert created.json()["targets"] == [
        {
            "id": ids["SOC_ONLINE_DOSSIERS_L34"],
            "plan": "HT-2021-2025",
            "indicator": "SOC_ONLINE_DOSSIERS_L34",
            "org_unit": "HT",
        }
    ]
    again = await client.post("/v1/movements", json=body, headers=auth("secretariat"))
    assert_problem(again, 409, "movement-exists")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"starts_on": "2027-01-01"}, "starts_on is on or before ends_on"),
        ({"target_ids": [3, 3]}, "distinct"),
        (
            {
                "milestones": [
                    {"kind": "final", "name": "a", "review_on": "2026-03-01", "source": "x"},
                    {"kind": "mid_term", "name": "b", "review_on": "2026-06-01", "source": "x"},
                ]
            },
            "mid-term review comes before",
        ),
        ({"area": "sports"}, "Input should be"),
    ],
)
async def test_a_movement_that_does_not_hold_together_is_refused(
    client: httpx.AsyncClient, auth: Auth, change: dict[str, Any], reason: str
) -> None:
    response = await client.post(
        "/v1/movements", json=running_movement(**change), headers=auth("secretariat")
    )
    assert reason in response.text
    assert_problem(response, 422, "validation-error")


async def test_changing_the_targets_needs_the_etag_and_moves_it(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    ids = await plan_target_ids(client, auth)
    secretariat = auth("secretariat")
    assert (
        await client.post("/v1/movements", json=running_movement(), headers=secretariat)
    ).status_code == 201
    change = {"target_ids": [ids["SOC_ONLINE_PROCEDURES_L34"]]}
    assert_problem(
        await client.patch("/v1/movements/PT-THU-2026", json=change, headers=secretariat),
        428,
        "precondition-required",
    )
    patched = await client.patch(
        "/v1/movements/PT-THU-2026", json=change, headers=secretariat | {"If-Match": '"1"'}
    )
    assert patched.status_code == 200, patched.text
    assert patched.headers["ETag"] == '"2"'
    assert patched.json()["target_ids"] == [ids["SOC_ONLINE_PROCEDURES_L34"]]
    stale = await client.patch(
        "/v1/movements/PT-THU-2026", json=change, headers=secretariat | {"If-Match": '"1"'}
    )
    assert_problem(stale, 412, "version-mismatch")


async def test_the_mid_term_review_opens_its_round_once(client: httpx.AsyncClient, auth: Auth) -> None:
    url = "/v1/movements/PT-DOANH-NGHIEP/milestones/mid_term/round"
    body = {"code": "SK-DN-2023", "opens_on": "2023-05-02"} | ROUND_DAYS
    assert_problem(await client.post(url, json=body, headers=auth("unit_officer")), 403, "missing-role")
    opened = await client.post(url, json=body, headers=auth("secretariat"))
    assert opened.status_code == 201, opened.text
    round_ = opened.json()
    assert (round_["kind"], round_["movement_code"], round_["reference_date"], round_["year"]) == (
        "movement_review",
        "PT-DOANH-NGHIEP",
        "2023-06-11",
        2023,
    )
    assert "Doanh nghiệp Hà Tĩnh hội nhập và phát triển" in round_["name"]
    movement = (await client.get("/v1/movements/PT-DOANH-NGHIEP")).json()
    assert {m["kind"]: m["round_id"] for m in movement["milestones"]} == {
        "mid_term": round_["id"],
        "final": None,
    }
    again = await client.post(url, json=body | {"code": "SK-DN-2023-B"}, headers=auth("secretariat"))
    assert_problem(again, 409, "milestone-round-exists")
    # A review that opened its round keeps its day.
    change = {
        "milestones": [{"kind": "mid_term", "name": "Sơ kết", "review_on": "2023-07-01", "source": "x"}]
    }
    headers = auth("secretariat") | {"If-Match": f'"{movement["version"]}"'}
    assert_problem(
        await client.patch("/v1/movements/PT-DOANH-NGHIEP", json=change, headers=headers),
        409,
        "milestone-round-exists",
    )
    unknown = await client.post(
        "/v1/movements/PT-DOANH-NGHIEP/milestones/yearly/round", json=body, headers=auth("secretariat")
    )
    assert_problem(unknown, 422, "validation-error")


async def test_a_movement_without_that_review_has_no_round_to_open(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    assert (
        await client.post("/v1/movements", json=running_movement(), headers=auth("secretariat"))
    ).status_code == 201
    body = {"code": "SK-X", "opens_on": "2026-05-04"} | ROUND_DAYS
    response = await client.post(
        "/v1/movements/PT-THU-2026/milestones/mid_term/round", json=body, headers=auth("secretariat")
    )
    assert_problem(response, 404, "milestone-not-found")
    assert_problem(await client.get("/v1/movements/NO-SUCH"), 404, "movement-not-found")


async def test_units_register_while_the_movement_runs_and_only_for_themselves(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    assert (
        await client.post("/v1/movements", json=running_movement(), headers=auth("secretariat"))
    ).status_code == 201
    url = "/v1/movements/PT-THU-2026/registrations"
    officer = auth("unit_officer", org_unit="HT-18073")
    registered = await client.post(url, json={"commitments": "100% hồ sơ trực tuyến"}, headers=officer)
    assert registered.status_code == 201, registered.text
    assert registered.json() | {"id": 0} == {
        "id": 0,
        "movement": "PT-THU-2026",
        "org_unit": "HT-18073",
        "org_unit_name": "Phường Thành Sen",
        "commitments": "100% hồ sơ trực tuyến",
        "registered_by": registered.json()["registered_by"],
        "registered_on": "2026-03-10",
    }
    assert_problem(
        await client.post(url, json={"commitments": "x"}, headers=officer), 409, "movement-already-registered"
    )
    other = await client.post(url, json={"commitments": "x", "org_unit": "HT-18100"}, headers=officer)
    assert_problem(other, 403, "out-of-scope")
    backdated = await client.post(
        url, json={"commitments": "x", "registered_on": "2026-01-05"}, headers=officer
    )
    assert_problem(backdated, 409, "movement-not-running")
    assert_problem(
        await client.post(url, json={"commitments": "x"}, headers=auth("unit_officer", org_unit=None)),
        400,
        "movement-unit-required",
    )
    # A seeded movement ended in 2025: a unit cannot join now; the secretariat records a 2023 registration.
    seeded = "/v1/movements/PT-VI-NGUOI-NGHEO/registrations"
    assert_problem(
        await client.post(seeded, json={"commitments": "x"}, headers=officer), 409, "movement-not-running"
    )
    recorded = await client.post(
        seeded,
        json={"commitments": "Giảm 2% hộ nghèo", "org_unit": "HT-LHA", "registered_on": "2023-02-01"},
        headers=auth("secretariat"),
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["org_unit_name"] == "Huyện Lộc Hà"  # as it stood in 2023, before its merger
    listed = await client.get(url, headers=auth("viewer"))
    assert [row["org_unit"] for row in listed.json()["items"]] == ["HT-18073"]
    assert (await client.get("/v1/movements/PT-THU-2026")).json()["registered_units"] == 1


async def test_a_registered_unit_reports_each_year_once(client: httpx.AsyncClient, auth: Auth) -> None:
    assert (
        await client.post("/v1/movements", json=running_movement(), headers=auth("secretariat"))
    ).status_code == 201
    officer = auth("unit_officer", org_unit="HT-18115")
    url = "/v1/movements/PT-THU-2026/reports"
    body = {
        "year": 2026,
        "summary": "Số hóa 90% hồ sơ",
        "figures": [{"label": "Hồ sơ trực tuyến", "value": 1234, "unit": "hồ sơ"}],
    }
    assert_problem(await client.post(url, json=body, headers=officer), 409, "movement-not-registered")
    await client.post("/v1/movements/PT-THU-2026/registrations", json={"commitments": "x"}, headers=officer)
    outside = await client.post(url, json=body | {"year": 2025}, headers=officer)
    assert_problem(outside, 422, "movement-report-year-outside")
    reported = await client.post(url, json=body, headers=officer)
    assert reported.status_code == 201, reported.text
    assert reported.json()["figures"] == [{"label": "Hồ sơ trực tuyến", "value": 1234.0, "unit": "hồ sơ"}]
    assert_problem(await client.post(url, json=body, headers=officer), 409, "movement-report-exists")
    listed = await client.get(url, params={"year": 2026}, headers=auth("viewer"))
    assert [row["summary"] for row in listed.json()["items"]] == ["Số hóa 90% hồ sơ"]
    assert (await client.get(url, params={"year": 2021}, headers=auth("viewer"))).json()["items"] == []
