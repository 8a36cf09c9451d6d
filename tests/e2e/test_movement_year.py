"""A year of the plan's movements through the real gateway, the real services and PostgreSQL (issue 11).

A seeded movement read by the public and by staff (its targets resolved to the targets service's ids); an
emulation block of four departments for 2026: pledges, self-scores, an automatic criterion scored from results
the departments posted as DHIS2 data value sets, the leader's cross-check, the ranking and its adoption, the
leading unit proposed for the province's Cờ thi đua in the annual round of 2026 and taken through screening,
the council, public disclosure and the decision to the public registry; next year's block led by this year's
deputy; and an exemplar of the movement detected, nurtured, summarised, replicated and nominated.

The automatic criterion reads a 2026 plan: the seeded HT-2021-2025 judges only its own years, 2021-2025, so a
2026 value never counts towards it. A year's value counts once the year is over, so the block is scored, and
its flag decided, on the nominations service's clock moved into January 2027 (and back afterwards).
"""

import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from devstack.flows import AwardsFlow, etag, unique
from devstack.stack import Stack
from devstack.testing import dates
from tests.e2e.conftest import bearer

pytestmark = pytest.mark.e2e

Auth = Callable[..., dict[str, str]]

MOVEMENT = "PT-VAN-HOA-CONG-SO"
INDICATOR = "SOC_ONLINE_DOSSIERS_L34"  # "Trên 50% hồ sơ … được tiếp nhận và thụ lý trực tuyến"
MEMBERS = ["HT-STC", "HT-SXD", "HT-SCT", "HT-SKHCN"]
LEADER, DEPUTY = "HT-STC", "HT-SXD"
# 2026 results of the two members with a target for the indicator (> 50 %): 120 % (capped at 100 %) and 80 %.
RESULTS = {"HT-SCT": 60, "HT-SKHCN": 40}
# Each member's own scores of the hand-scored leaves (1.1 of 40, 2.1 of 40).
SELF_SCORES = {"HT-STC": (36, 35), "HT-SXD": (38, 34), "HT-SCT": (30, 30), "HT-SKHCN": (39, 36)}
# The year is over: the block scores its automatic criteria and meets in January 2027 (10:00 in Vietnam).
YEAR_OVER = dt.datetime(2027, 1, 5, 3, 0, tzinfo=dt.UTC)  # a Tuesday
DISCLOSED = dt.datetime(2027, 1, 26, 3, 0, tzinfo=dt.UTC)  # 15 working days on, before Tết (6/2/2027)


@pytest.fixture
async def gateway_async(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as client:
        yield client


async def set_clock(stack: Stack, at: dt.datetime) -> str:
    """The nominations service's clock (``/internal/`` only on its own port, never through the gateway)."""
    async with httpx.AsyncClient(base_url=stack.service_url("nominations"), timeout=10) as direct:
        response = await direct.post(
            "/internal/v1/clock",
            json={"at": at.isoformat()},
            headers=bearer(stack, "admin", "HT", "e2e-admin"),
        )
    assert response.status_code == 200, response.text
    today: str = response.json()["today"]
    return today


async def all_pages(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = await client.get(path, params=params | ({"cursor": cursor} if cursor else {}), headers=headers)
        assert page.status_code == 200, page.text
        items.extend(page.json()["items"])
        cursor = page.json().get("next_cursor")
        if not cursor:
            return items


async def post(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], status: int = 200, **body: Any
) -> Any:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == status, f"POST {path}: {response.status_code} {response.text}"
    return response.json()


# 1. The movement and its targets.


async def a_seeded_movement_and_its_targets(client: httpx.AsyncClient, auth: Auth) -> None:
    listed = await all_pages(client, "/api/v1/movements", {}, limit=7)
    assert MOVEMENT in {movement["code"] for movement in listed}
    public = await client.get(f"/api/v1/movements/{MOVEMENT}")
    assert public.status_code == 200, public.text
    links = public.json()["targets"]
    assert sorted((t["plan"], t["indicator"], t["org_unit"]) for t in links) == [
        ("HT-2021-2025", "SOC_CULTURAL_AGENCIES", "HT"),
        ("HT-2021-2025", "SOC_ONLINE_DOSSIERS_L34", "HT"),
        ("HT-2021-2025", "SOC_ONLINE_PROCEDURES_L34", "HT"),
    ]
    # The targets service, as the province's staff read it.
    by_key: dict[tuple[str, str], list[int]] = {}
    for target in await all_pages(client, "/api/v1/targets", auth("viewer"), plan="HT-2021-2025", limit=10):
        by_key.setdefault((target["indicator"], target["org_unit"]), []).append(target["id"])
    expected = sorted(single(by_key[(link["indicator"], link["org_unit"])]) for link in links)
    # The public cannot read the targets service: the ids are unknown until a staff read resolves them.
    assert public.json()["target_ids"] in ([], expected)
    staff = await client.get(f"/api/v1/movements/{MOVEMENT}", headers=auth("viewer"))
    assert staff.status_code == 200, staff.text
    assert sorted(staff.json()["target_ids"]) == expected
    for link in staff.json()["targets"]:
        assert link["id"] == single(by_key[(link["indicator"], link["org_unit"])]), link
    # Kept: the public reads the ids now too.
    public = await client.get(f"/api/v1/movements/{MOVEMENT}")
    assert sorted(public.json()["target_ids"]) == expected
    assert {link["id"] for link in public.json()["targets"]} == set(expected)


def single(ids: list[int]) -> int:
    [only] = ids
    return only


# 2. The block of 2026.


async def results_of_the_year(client: httpx.AsyncClient, auth: Auth) -> tuple[str, dict[str, int]]:
    """A plan for 2026-2030 with a target for the indicator for two members, and their 2026 results posted
    by their own systems (DHIS2 JSON): the plan's code and the targets' ids by member."""
    admin = auth("admin", subject="e2e-admin")
    plan = unique("HT-2026-2030")
    await post(
        client,
        "/api/v1/plans",
        admin,
        201,
        code=plan,
        name="Kế hoạch thi đua giai đoạn 2026 - 2030 (e2e)",
        start_date="2026-01-01",
        end_date="2030-12-31",
        source="Kế hoạch của UBND tỉnh Hà Tĩnh (e2e)",
    )
    target_ids = {}
    for unit in RESULTS:
        created = await post(
            client,
            "/api/v1/targets",
            admin,
            201,
            plan=plan,
            indicator=INDICATOR,
            org_unit=unit,
            kind="end_of_period",
            comparator="gt",
            value=50,
            source_text="Trên 50% hồ sơ thủ tục hành chính được tiếp nhận và thụ lý trực tuyến",
        )
        target_ids[unit] = created["id"]
    for unit, value in RESULTS.items():
        summary = await post(
            client,
            "/api/v1/data-value-sets",
            auth("reporter", org_unit=unit, subject=f"reporter-{unit}"),
            period="2026",
            orgUnit=unit,
            dataValues=[
                {"dataElement": INDICATOR, "value": str(value), "comment": f"Báo cáo năm 2026 của {unit}"}
            ],
        )
        assert summary["importCount"] == {"imported": 1, "updated": 0, "ignored": 0, "deleted": 0}, summary
    return plan, target_ids


def criteria(plan: str) -> list[dict[str, Any]]:
    return [
        {"code": "1", "title": "Thực hiện nhiệm vụ chính trị được giao", "max_points": 60},
        {"code": "1.1", "parent": "1", "title": "Hoàn thành các chỉ tiêu, nhiệm vụ", "max_points": 40},
        {
            "code": "1.2",
            "parent": "1",
            "title": "Tỷ lệ hồ sơ trực tuyến toàn trình",
            "max_points": 20,
            "auto": {"plan": plan, "indicator": INDICATOR},
        },
        {"code": "2", "title": "Công tác thi đua, khen thưởng", "max_points": 40},
        {"code": "2.1", "parent": "2", "title": "Tổ chức phong trào thi đua", "max_points": 40},
    ]


async def pledged_and_self_scored(
    client: httpx.AsyncClient, steps: AwardsFlow, plan: str, target_ids: dict[str, int]
) -> dict[str, Any]:
    """The block recorded, every member's pledge by the deadline and own scores (the suite's today)."""
    block: dict[str, Any] = await post(
        client,
        "/api/v1/blocks",
        steps.secretariat(),
        201,
        code=unique("KHOI-KT"),
        year=2026,
        name="Khối các sở, ngành kinh tế",
        members=MEMBERS,
        leader=LEADER,
        deputy=DEPUTY,
        pledge_deadline="2026-03-31",
        criteria=criteria(plan),
        tie_breaks=["1"],
    )
    assert [(m["org_unit"], m["role"]) for m in block["members"]] == [
        ("HT-STC", "leader"),
        ("HT-SXD", "deputy"),
        ("HT-SCT", None),
        ("HT-SKHCN", None),
    ]
    base = f"/api/v1/blocks/{block['id']}"
    for unit in MEMBERS:
        commitments: list[dict[str, Any]] = [
            {"text": "Hoàn thành 100% nhiệm vụ được UBND tỉnh giao năm 2026"}
        ]
        if unit in target_ids:
            commitments.append(
                {"text": "Trên 50% hồ sơ trực tuyến toàn trình", "target_id": target_ids[unit], "value": 55}
            )
        pledge = await post(client, f"{base}/pledges", steps.officer(unit), 201, commitments=commitments)
        assert (pledge["org_unit"], pledge["pledged_on"]) == (unit, dates.SUITE_TODAY.isoformat())
    pledges = await all_pages(client, f"{base}/pledges", steps.secretariat())
    assert sorted(p["org_unit"] for p in pledges) == sorted(MEMBERS)
    assert {
        p["org_unit"]: p["commitments"][-1].get("target_id") for p in pledges if len(p["commitments"]) > 1
    } == target_ids
    for unit, (one, two) in SELF_SCORES.items():
        scores = [{"criterion": "1.1", "points": one}, {"criterion": "2.1", "points": two}]
        written = await post(client, f"{base}/scores", steps.officer(unit), scores=scores)
        assert [(s["stage"], s["points"]) for s in written] == [("self", one), ("self", two)]
    live = await client.get(f"{base}/ranking", headers=steps.secretariat())
    assert {item["org_unit"]: item["missing"] for item in live.json()["items"]} == {
        u: ["1.2"] for u in MEMBERS
    }
    refused = await client.post(f"{base}/actions/adopt", headers=steps.officer(LEADER))
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith("scores-incomplete")
    return block


async def scored_ranked_adopted(
    client: httpx.AsyncClient, steps: AwardsFlow, block: dict[str, Any]
) -> dict[str, Any]:
    """After the year: automatic points from the targets service, the cross-checks, the adopted ranking."""
    base = f"/api/v1/blocks/{block['id']}"
    auto = await post(client, f"{base}/actions/auto-score", steps.officer(LEADER))
    points = {row["org_unit"]: row["points"] for row in auto}
    assert points == {"HT-STC": 0.0, "HT-SXD": 0.0, "HT-SCT": 20.0, "HT-SKHCN": 16.0}
    notes = {row["org_unit"]: row["note"] for row in auto}
    assert "80.0%" in notes["HT-SKHCN"], notes
    assert "2026" in notes["HT-SKHCN"], notes
    assert "Không có chỉ tiêu" in notes["HT-STC"], notes
    # The leader checks the members, the deputy checks the leader.
    checked = [{"criterion": "1.1", "points": 28, "note": "Trừ 2 điểm: chậm báo cáo quý III"}]
    await post(
        client, f"{base}/scores", steps.officer(LEADER), org_unit="HT-SCT", stage="checked", scores=checked
    )
    checked = [{"criterion": "2.1", "points": 33, "note": "Trừ 2 điểm: thiếu hồ sơ khen thưởng"}]
    await post(
        client, f"{base}/scores", steps.officer(DEPUTY), org_unit=LEADER, stage="checked", scores=checked
    )
    adopted: dict[str, Any] = await post(client, f"{base}/actions/adopt", steps.officer(LEADER))
    assert adopted["adopted"] is True
    assert [(r["rank"], r["org_unit"], r["total"]) for r in adopted["items"]] == [
        (1, "HT-SKHCN", 91.0),  # 39 + 16 + 36
        (2, "HT-SCT", 78.0),  # 28 (checked) + 20 + 30
        (3, "HT-SXD", 72.0),  # 38 + 0 + 34
        (4, "HT-STC", 69.0),  # 36 + 0 + 33 (checked)
    ]
    assert adopted["items"][0]["subtotals"] == {"1": 55.0, "2": 36.0}
    assert all(r["complete"] for r in adopted["items"])
    ranking = (await client.get(f"{base}/ranking", headers=steps.secretariat())).json()
    assert ranking == adopted
    read = (await client.get(base, headers=steps.secretariat())).json()
    assert (read["status"], read["adopted_on"]) == ("adopted", YEAR_OVER.date().isoformat())
    late = await client.post(
        f"{base}/scores",
        json={"scores": [{"criterion": "1.1", "points": 40}]},
        headers=steps.officer("HT-SCT"),
    )
    assert late.status_code == 409, late.text
    return adopted


async def flag_nominated(
    client: httpx.AsyncClient, steps: AwardsFlow, block: dict[str, Any], leading: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The annual round of 2026, and the leading unit proposed for the flag by the province's officer."""
    round_ = await steps.create_round(
        code=unique("E2E-KT-2026"),
        name="Khen thưởng tổng kết năm 2026",
        year=2026,
        reference_date="2026-12-31",
        opens_on=YEAR_OVER.date().isoformat(),
    )
    base = f"/api/v1/blocks/{block['id']}"
    [nomination] = await post(
        client, f"{base}/actions/propose-flag", steps.officer("HT"), 201, round_id=round_["id"]
    )
    assert (nomination["award_type_code"], nomination["status"]) == ("CO_THI_DUA_TINH", "draft")
    assert nomination["nominee"]["kind"] == "collective"
    assert (nomination["nominee"]["org_unit"], nomination["nominee"]["name"]) == (
        leading["org_unit"],
        leading["org_unit_name"],
    )
    assert nomination["nominating_org_unit"] == "HT"
    assert block["name"] in nomination["achievements"]
    read = (await client.get(base, headers=steps.secretariat())).json()
    assert read["flag_nomination_ids"] == [nomination["id"]]
    return round_, nomination


async def decided(
    stack: Stack,
    client: httpx.AsyncClient,
    steps: AwardsFlow,
    round_: dict[str, Any],
    nomination: dict[str, Any],
) -> dict[str, Any]:
    """Submitted, screened (any failed rule overridden in writing), passed by the council, disclosed, and
    decided by the provincial chair once the disclosure period is over: the decision."""
    secretariat, province = steps.secretariat(), steps.officer("HT")
    submitted = await steps.must(nomination["id"], "submit", province, if_match=etag(nomination))
    screened = await steps.must(nomination["id"], "screen", secretariat, if_match=etag(submitted))
    failed = [v for v in screened["eligibility"]["verdicts"] if v["status"] == "failed"]
    for verdict in failed:
        screened = await steps.must(
            nomination["id"],
            "override",
            secretariat,
            if_match=etag(screened),
            override={"rule": verdict["kind"]},
            note="Hội đồng đã xác minh kết quả chấm điểm của khối",
        )
    await steps.must(nomination["id"], "send_to_council", secretariat, if_match=etag(screened))
    session = await steps.council_passes(
        round_["id"], [nomination["id"]], held_on=YEAR_OVER.date().isoformat()
    )
    [item] = session["agenda"]
    assert (item["tally"]["approve"], item["tally"]["passed"]) == (3, True)
    disclosed = await client.get("/api/v1/public/disclosures", params={"round_id": round_["id"]})
    assert disclosed.status_code == 200, disclosed.text
    assert [item["id"] for item in disclosed.json()["items"]] == [nomination["id"]]

    today = await set_clock(stack, DISCLOSED)
    authority = bearer(stack, "authority", "HT", "e2e-authority")
    number = unique("E2E-CO") + "/QĐ-UBND"
    created = await client.post(
        "/api/v1/decisions",
        json={
            "number": number,
            "signed_on": today,
            "signer": "Võ Trọng Hải",
            "signer_title": "Chủ tịch UBND tỉnh",
            "authority": "provincial_chair",
            "nomination_ids": [nomination["id"]],
        },
        headers=authority | {"Idempotency-Key": unique("d")},
    )
    assert created.status_code == 201, created.text
    decision = (await client.get(f"/api/v1/decisions/{created.json()['id']}", headers=authority)).json()
    # Coefficient 8 × the base salary in force on the decision's date (2,530,000 VND from 1/7/2026).
    assert [(a["nomination_id"], a["bonus_vnd"]) for a in decision["awards"]] == [
        (nomination["id"], 20_240_000)
    ]
    final = (await client.get(f"/api/v1/nominations/{nomination['id']}", headers=secretariat)).json()
    assert (final["status"], final["outcome"]) == ("decided", "awarded")
    trail = await client.get(f"/api/v1/nominations/{nomination['id']}/events", headers=secretariat)
    assert [event["action"] for event in trail.json()["items"]] == [
        "create",
        "submit",
        "screen",
        *["override"] * len(failed),
        "send_to_council",
        "council_pass",
        "award",
    ]
    return {"number": number, "signed_on": today}


async def in_the_public_registry(
    client: httpx.AsyncClient, decision: dict[str, Any], leading: dict[str, Any]
) -> None:
    found = await client.get(
        "/api/v1/public/awards", params={"year": 2026, "award_type": "CO_THI_DUA_TINH", "limit": 100}
    )
    assert found.status_code == 200, found.text
    [award] = [item for item in found.json()["items"] if item["decision_number"] == decision["number"]]
    assert (award["recipient_name"], award["recipient_kind"], award["org_unit"]) == (
        leading["org_unit_name"],
        "collective",
        leading["org_unit"],
    )
    assert (award["decision_date"], award["decision_authority"], award["occasion"]) == (
        decision["signed_on"],
        "provincial_chair",
        "annual",
    )
    assert "bonus_vnd" not in award
    assert "recipient_key" not in award


# 3. The next year.


async def next_year_rotates(client: httpx.AsyncClient, steps: AwardsFlow, block: dict[str, Any]) -> None:
    following = await post(
        client,
        f"/api/v1/blocks/{block['id']}/actions/next-year",
        steps.secretariat(),
        201,
        pledge_deadline="2027-03-31",
    )
    assert block["status"] == "adopted"
    assert (following["year"], following["code"], following["status"]) == (2027, block["code"], "open")
    assert (following["leader"], following["deputy"]) == (DEPUTY, "HT-SCT")
    assert [m["org_unit"] for m in following["members"]] == MEMBERS
    assert [c["code"] for c in following["criteria"]] == ["1", "1.1", "1.2", "2", "2.1"]
    assert following["flag_nomination_ids"] == []
    listed = await all_pages(client, "/api/v1/blocks", steps.secretariat(), year=2027)
    assert following["id"] in {item["id"] for item in listed}


# 4. An exemplar of the movement.


async def exemplar_replicated_and_nominated(client: httpx.AsyncClient, steps: AwardsFlow) -> None:
    unit, officer = "HT-STC", steps.officer("HT-STC")
    exemplar = await post(
        client,
        "/api/v1/exemplars",
        officer,
        201,
        kind="model",
        name="Mô hình “Công sở một cửa không giấy tờ” của Sở Tài chính",
        description="Tiếp nhận, thụ lý và trả kết quả toàn trình trực tuyến; 100% hồ sơ số hóa.",
        movement=MOVEMENT,
        detected_on="2026-01-20",
        evidence=[{"title": "Bài Báo Hà Tĩnh", "url": "https://baohatinh.vn/cong-so-khong-giay-to"}],
    )
    assert (exemplar["stage"], exemplar["movement"], exemplar["org_unit"]) == ("detected", MOVEMENT, unit)
    url = f"/api/v1/exemplars/{exemplar['id']}"
    for stage in ("nurtured", "summarised"):
        stepped = await post(client, f"{url}/actions/advance", officer, to=stage, note=f"Đã {stage}")
        assert stepped["stage"] == stage
    replicated = await post(
        client,
        f"{url}/replications",
        officer,
        201,
        org_unit="HT-SKHCN",
        replicated_on="2026-03-02",
        note="Sở Khoa học và Công nghệ áp dụng từ tháng 3/2026",
    )
    assert [(r["org_unit"], r["replicated_on"]) for r in replicated["replications"]] == [
        ("HT-SKHCN", "2026-03-02")
    ]
    done = await post(client, f"{url}/actions/advance", officer, to="replicated", note="Đã nhân rộng")
    assert (done["stage"], done["allowed_stages"]) == ("replicated", [])

    round_ = await steps.create_round(
        code=unique("E2E-DX-2026"),
        name="Khen thưởng đột xuất năm 2026",
        kind="ad_hoc",
        year=2026,
        reference_date="2026-03-31",
        opens_on=dates.SUITE_TODAY.isoformat(),
    )
    body = steps.nomination_body(
        round_["id"],
        unit,
        award_type_code="BANG_KHEN_CT_TINH_TT",
        nominee={
            "kind": "collective",
            "name": "Văn phòng Sở Tài chính",
            "key": unique("TT"),
            "position": None,
        },
        achievements="Xây dựng và nhân rộng mô hình “Công sở một cửa không giấy tờ”.",
        initiatives=[],
    )
    nominated = await post(client, f"{url}/nominations", officer, 201, **body)
    assert (nominated["status"], nominated["award_type_code"]) == ("draft", "BANG_KHEN_CT_TINH_TT")
    read = await client.get(f"/api/v1/nominations/{nominated['id']}", headers=officer)
    assert read.status_code == 200, read.text
    assert (read.json()["round_id"], read.json()["nominee"]["name"]) == (
        round_["id"],
        "Văn phòng Sở Tài chính",
    )
    exemplar = (await client.get(url, headers=steps.secretariat())).json()
    assert exemplar["nomination_ids"] == [nominated["id"]]
    assert [(e["kind"], e["stage"]) for e in exemplar["history"]] == [
        ("detected", "detected"),
        ("advanced", "nurtured"),
        ("advanced", "summarised"),
        ("replicated", "summarised"),
        ("advanced", "replicated"),
        ("nominated", "replicated"),
    ]
    assert exemplar["history"][-1]["details"] == {
        "nomination_id": nominated["id"],
        "award_type": "BANG_KHEN_CT_TINH_TT",
    }
    of_movement = await all_pages(
        client, "/api/v1/exemplars", steps.secretariat(), movement=MOVEMENT, stage="replicated"
    )
    assert exemplar["id"] in {item["id"] for item in of_movement}


async def test_a_year_of_the_movement_and_its_blocks(stack: Stack, gateway_async: httpx.AsyncClient) -> None:
    client = gateway_async

    def auth(*roles: str, org_unit: str | None = "HT", subject: str | None = None) -> dict[str, str]:
        return bearer(stack, roles[0], org_unit, subject or f"{roles[0]}-{org_unit}")

    steps = AwardsFlow(client, auth, prefix="/api")

    await a_seeded_movement_and_its_targets(client, auth)

    plan, target_ids = await results_of_the_year(client, auth)
    block = await pledged_and_self_scored(client, steps, plan, target_ids)
    try:
        assert await set_clock(stack, YEAR_OVER) == YEAR_OVER.date().isoformat()
        adopted = await scored_ranked_adopted(client, steps, block)
        leading = adopted["items"][0]
        round_, nomination = await flag_nominated(client, steps, block, leading)
        decision = await decided(stack, client, steps, round_, nomination)
    finally:
        await set_clock(stack, dates.SUITE_NOW)
    await in_the_public_registry(client, decision, leading)

    block = (await client.get(f"/api/v1/blocks/{block['id']}", headers=steps.secretariat())).json()
    await next_year_rotates(client, steps, block)

    await exemplar_replicated_and_nominated(client, steps)
