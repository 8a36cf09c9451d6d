"""An emulation block's year through the API: the record, pledges by the deadline, self-scores, the leader's
cross-check, automatic criteria from the targets service, the ranking, its adoption, the flag proposal as a
nomination of the award workflow, and next year's rotation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker

from devstack.flows import AwardsFlow
from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth

MEMBERS = ["HT-STC", "HT-SXD", "HT-SCT", "HT-SKHCN"]
# The seed's plan ends in 2025; a 2026 block scores from a plan that covers 2026 (plan_of_2026 below).
PLAN = "KH-KHOI-2026-2030"
CRITERIA: list[dict[str, Any]] = [
    {"code": "1", "title": "Thực hiện nhiệm vụ chính trị được giao", "max_points": 60},
    {"code": "1.1", "parent": "1", "title": "Hoàn thành các chỉ tiêu, nhiệm vụ", "max_points": 40},
    {
        "code": "1.2",
        "parent": "1",
        "title": "Tỷ lệ hồ sơ trực tuyến toàn trình",
        "max_points": 20,
        "auto": {"plan": PLAN, "indicator": "SOC_ONLINE_DOSSIERS_L34"},
    },
    {"code": "2", "title": "Công tác thi đua, khen thưởng", "max_points": 40},
    {"code": "2.1", "parent": "2", "title": "Tổ chức phong trào thi đua", "max_points": 40},
]


@pytest.fixture(autouse=True)
async def plan_of_2026(
    targets_app: FastAPI, db_connection: AsyncConnection, auth: Auth
) -> AsyncIterator[None]:
    """A 2026-2030 plan with a provincial target for the automatic criterion's indicator, created through
    the real targets service's API inside the test's transaction (its sessions bound to the test's
    connection), so that it is gone afterwards: other tests of the worker's database judge the seed's plan."""
    database = targets_app.state.database
    original = database.sessionmaker
    database.sessionmaker = async_sessionmaker(
        bind=db_connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
    )
    try:
        transport = httpx.ASGITransport(app=targets_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://targets.test") as targets:
            plan = {"code": PLAN, "name": "Kế hoạch 2026-2030", "start_date": "2026-01-01"}
            made = await targets.post(
                "/v1/plans", json=plan | {"end_date": "2030-12-31", "source": "test"}, headers=auth("admin")
            )
            assert made.status_code == 201, made.text
            target = {
                "plan": PLAN,
                "indicator": "SOC_ONLINE_DOSSIERS_L34",
                "org_unit": "HT",
                "kind": "annual",
                "comparator": "gte",
                "value": 50,
                "source_text": "Trên 50% hồ sơ được tiếp nhận và thụ lý trực tuyến",
            }
            made = await targets.post("/v1/targets", json=target, headers=auth("admin"))
            assert made.status_code == 201, made.text
        yield
    finally:
        database.sessionmaker = original


def sheet_on(plan: str) -> list[dict[str, Any]]:
    """The sheet with its automatic criterion scored from another plan's targets."""
    return [
        *CRITERIA[:2],
        CRITERIA[2] | {"auto": {"plan": plan, "indicator": "SOC_ONLINE_DOSSIERS_L34"}},
        *CRITERIA[3:],
    ]


def block(**overrides: Any) -> dict[str, Any]:
    return {
        "code": "KHOI-KT",
        "year": 2026,
        "name": "Khối các sở, ngành kinh tế",
        "members": MEMBERS,
        "leader": "HT-STC",
        "deputy": "HT-SXD",
        "pledge_deadline": "2026-03-31",
        "criteria": CRITERIA,
        "tie_breaks": ["1"],
    } | overrides


def officer(auth: Auth, unit: str) -> dict[str, str]:
    return auth("unit_officer", org_unit=unit, subject=f"officer-{unit}")


async def created(client: httpx.AsyncClient, auth: Auth, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/v1/blocks", json=block(**overrides), headers=auth("secretariat"))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def self_scores(
    client: httpx.AsyncClient, auth: Auth, block_id: int, unit: str, one: float, two: float
) -> None:
    response = await client.post(
        f"/v1/blocks/{block_id}/scores",
        json={"scores": [{"criterion": "1.1", "points": one}, {"criterion": "2.1", "points": two}]},
        headers=officer(auth, unit),
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"leader": None}, "a block has a leader"),
        ({"leader": "HT-SYT"}, "the leader and the deputy are members"),
        ({"deputy": "HT-STC"}, "different units"),
        (
            {"criteria": [{"code": "1.1", "parent": "1", "title": "x", "max_points": 10}]},
            "not listed before it",
        ),
        (
            {"criteria": [*CRITERIA[:1], {"code": "1.1", "parent": "1", "title": "x", "max_points": 61}]},
            "worth more",
        ),
        ({"tie_breaks": ["9"]}, "tie-break 9"),
        # A plan code is one path segment of the targets service's URL, never a path of its own.
        ({"criteria": sheet_on("../org-units")}, "should match pattern"),
        ({"criteria": [{"code": "1", "title": "x", "max_points": 0}]}, "greater than 0"),
    ],
)
async def test_a_block_that_does_not_hold_together_is_refused(
    client: httpx.AsyncClient, auth: Auth, change: dict[str, Any], reason: str
) -> None:
    response = await client.post("/v1/blocks", json=block(**change), headers=auth("secretariat"))
    assert reason in response.text
    assert_problem(response, 422, "validation-error")


async def test_members_must_exist_on_the_blocks_date(client: httpx.AsyncClient, auth: Auth) -> None:
    # Sở Kế hoạch và Đầu tư was merged into Sở Tài chính on 1/3/2025.
    response = await client.post(
        "/v1/blocks", json=block(members=[*MEMBERS, "HT-SKHDT"]), headers=auth("secretariat")
    )
    problem = assert_problem(response, 422, "invalid-block")
    assert problem["errors"] == [{"name": "members[4]", "reason": "no such org unit on 2026-12-31"}]
    in_2024 = await client.post(
        "/v1/blocks",
        json=block(year=2024, members=[*MEMBERS, "HT-SKHDT"], criteria=sheet_on("HT-2021-2025")),
        headers=auth("secretariat"),
    )
    assert in_2024.status_code == 201, in_2024.text
    for auto, reason in [
        ({"plan": PLAN, "indicator": "NOPE"}, "no target for this indicator in the plan"),
        ({"plan": "NO-SUCH-PLAN", "indicator": "SOC_ONLINE_DOSSIERS_L34"}, "no plan NO-SUCH-PLAN"),
        (
            {"plan": "HT-2021-2025", "indicator": "SOC_ONLINE_DOSSIERS_L34"},
            "the plan HT-2021-2025 does not cover 2026",
        ),
    ]:
        sheet = [*CRITERIA[:2], CRITERIA[2] | {"auto": auto}]
        problem = assert_problem(
            await client.post("/v1/blocks", json=block(criteria=sheet), headers=auth("secretariat")),
            422,
            "invalid-block",
        )
        assert problem["errors"] == [{"name": "criteria[2].auto", "reason": reason}]
    assert_problem(
        await client.post("/v1/blocks", json=block(), headers=officer(auth, "HT-STC")), 403, "missing-role"
    )


async def test_pledges_by_the_deadline_once_per_member(client: httpx.AsyncClient, auth: Auth) -> None:
    record = await created(client, auth)
    url = f"/v1/blocks/{record['id']}/pledges"
    pledge = {"commitments": [{"text": "Thu ngân sách vượt dự toán 5%"}]}
    first = await client.post(url, json=pledge, headers=officer(auth, "HT-SCT"))
    assert first.status_code == 201, first.text
    assert first.json()["pledged_on"] == "2026-03-10"
    assert_problem(await client.post(url, json=pledge, headers=officer(auth, "HT-SCT")), 409, "pledge-exists")
    assert_problem(
        await client.post(url, json=pledge, headers=officer(auth, "HT-SYT")), 422, "not-a-block-member"
    )
    other = await client.post(url, json=pledge | {"org_unit": "HT-STC"}, headers=officer(auth, "HT-SCT"))
    assert_problem(other, 403, "out-of-scope")
    no_target = {"commitments": [{"text": "x", "target_id": 999_999, "value": 3}]}
    assert_problem(
        await client.post(url, json=no_target, headers=officer(auth, "HT-STC")), 422, "invalid-block"
    )
    value_alone = {"commitments": [{"text": "x", "value": 3}]}
    assert_problem(
        await client.post(url, json=value_alone, headers=officer(auth, "HT-STC")), 422, "validation-error"
    )
    late = await created(client, auth, code="KHOI-MUON", pledge_deadline="2026-03-09")
    problem = assert_problem(
        await client.post(f"/v1/blocks/{late['id']}/pledges", json=pledge, headers=officer(auth, "HT-SCT")),
        409,
        "pledge-deadline-passed",
    )
    assert problem["pledge_deadline"] == "2026-03-09"
    listed = await client.get(url, headers=auth("viewer"))
    assert [row["org_unit"] for row in listed.json()["items"]] == ["HT-SCT"]


async def test_scores_are_checked_whole_before_any_is_written(client: httpx.AsyncClient, auth: Auth) -> None:
    record = await created(client, auth)
    url = f"/v1/blocks/{record['id']}/scores"
    too_many = {"scores": [{"criterion": "1.1", "points": 30}, {"criterion": "2.1", "points": 41}]}
    problem = assert_problem(
        await client.post(url, json=too_many, headers=officer(auth, "HT-SCT")), 422, "score-out-of-range"
    )
    assert problem["errors"] == [{"name": "scores[1].points", "reason": "2.1 is scored 0 to 40.00"}]
    negative = {"scores": [{"criterion": "1.1", "points": -1}]}
    assert_problem(
        await client.post(url, json=negative, headers=officer(auth, "HT-SCT")), 422, "validation-error"
    )
    by_hand = {
        "scores": [
            {"criterion": "1.2", "points": 5},
            {"criterion": "1", "points": 5},
            {"criterion": "9", "points": 1},
        ]
    }
    problem = assert_problem(
        await client.post(url, json=by_hand, headers=officer(auth, "HT-SCT")), 422, "invalid-scores"
    )
    assert [e["reason"] for e in problem["errors"]] == [
        "scored from the targets service",
        "totals its children: score them",
        "9 is not on the sheet",
    ]
    assert (await client.get(url, headers=auth("viewer"))).json()["items"] == []


async def test_the_leader_cross_checks_and_the_deputy_checks_the_leader(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    record = await created(client, auth)
    url = f"/v1/blocks/{record['id']}/scores"
    check = {
        "org_unit": "HT-SCT",
        "stage": "checked",
        "scores": [{"criterion": "1.1", "points": 35, "note": "Trừ 3 điểm"}],
    }
    assert_problem(
        await client.post(url, json=check, headers=officer(auth, "HT-SXD")), 403, "not-the-checker"
    )
    checked = await client.post(url, json=check, headers=officer(auth, "HT-STC"))
    assert checked.status_code == 200, checked.text
    leaders = check | {"org_unit": "HT-STC"}
    assert_problem(
        await client.post(url, json=leaders, headers=officer(auth, "HT-STC")), 403, "not-the-checker"
    )
    assert (await client.post(url, json=leaders, headers=officer(auth, "HT-SXD"))).status_code == 200
    assert_problem(
        await client.post(url, json=check | {"stage": "auto"}, headers=officer(auth, "HT-STC")),
        422,
        "validation-error",
    )


async def test_a_year_of_the_block_from_scores_to_the_flag_nomination(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    record = await created(client, auth)
    base = f"/v1/blocks/{record['id']}"
    for unit, one, two in [("HT-STC", 38, 35), ("HT-SXD", 40, 33), ("HT-SCT", 30, 30), ("HT-SKHCN", 39, 34)]:
        await self_scores(client, auth, record["id"], unit, one, two)
    # Automatic criteria: no department has a result for the indicator, so each scores 0, saying why.
    assert_problem(
        await client.post(f"{base}/actions/auto-score", headers=officer(auth, "HT-SXD")),
        403,
        "not-the-block-leader",
    )
    auto = await client.post(f"{base}/actions/auto-score", headers=officer(auth, "HT-STC"))
    assert auto.status_code == 200, auto.text
    assert {(row["org_unit"], row["points"]) for row in auto.json()} == {(unit, 0.0) for unit in MEMBERS}
    assert all(row["note"] for row in auto.json())
    # The leader marks Sở Xây dựng down on 1.1 on checking: 40 → 34; ties (73) broken by criterion 1.
    check = {"org_unit": "HT-SXD", "stage": "checked", "scores": [{"criterion": "1.1", "points": 34}]}
    assert (
        await client.post(f"{base}/scores", json=check, headers=officer(auth, "HT-STC"))
    ).status_code == 200
    ranking = (await client.get(f"{base}/ranking", headers=auth("viewer"))).json()
    assert ranking["adopted"] is False
    assert [(r["rank"], r["org_unit"], r["total"]) for r in ranking["items"]] == [
        (1, "HT-SKHCN", 73.0),
        (2, "HT-STC", 73.0),
        (3, "HT-SXD", 67.0),
        (4, "HT-SCT", 60.0),
    ]
    assert ranking["items"][0]["tie_break_values"] == [39.0]
    assert ranking["items"][0]["subtotals"] == {"1": 39.0, "2": 34.0}
    flow = AwardsFlow(client, auth)
    round_ = await flow.create_round(year=2026, reference_date="2026-12-31", name="Khen thưởng năm 2026")
    too_soon = await client.post(
        f"{base}/actions/propose-flag", json={"round_id": round_["id"]}, headers=officer(auth, "HT")
    )
    assert_problem(too_soon, 409, "block-not-adopted")
    adopted = await client.post(f"{base}/actions/adopt", headers=officer(auth, "HT-STC"))
    assert adopted.status_code == 200, adopted.text
    assert adopted.json()["adopted"] is True
    late = await client.post(f"{base}/scores", json=check, headers=officer(auth, "HT-STC"))
    assert_problem(late, 409, "block-adopted")
    assert (await client.get(base, headers=auth("viewer"))).json()["status"] == "adopted"
    flag = {"round_id": round_["id"]}
    # The nominations' own door: an officer of the nominating unit (the province), not the block's leader.
    by_leader = await client.post(f"{base}/actions/propose-flag", json=flag, headers=officer(auth, "HT-STC"))
    assert_problem(by_leader, 403, "out-of-scope")
    by_secretariat = await client.post(f"{base}/actions/propose-flag", json=flag, headers=auth("secretariat"))
    assert_problem(by_secretariat, 403, "missing-role")
    proposed = await client.post(f"{base}/actions/propose-flag", json=flag, headers=officer(auth, "HT"))
    assert proposed.status_code == 201, proposed.text
    [nomination] = proposed.json()
    assert (nomination["award_type_code"], nomination["status"]) == ("CO_THI_DUA_TINH", "draft")
    assert nomination["nominee"]["org_unit"] == "HT-SKHCN"
    assert nomination["nominee"]["kind"] == "collective"
    assert nomination["nominating_org_unit"] == "HT"
    assert "Khối các sở, ngành kinh tế" in nomination["achievements"]
    assert (await client.get(base, headers=auth("viewer"))).json()["flag_nomination_ids"] == [
        nomination["id"]
    ]
    again = await client.post(f"{base}/actions/propose-flag", json=flag, headers=officer(auth, "HT"))
    assert_problem(again, 409, "flag-already-proposed")
    # The nomination goes on through the workflow's door like any other.
    events = await client.get(f"/v1/nominations/{nomination['id']}/events", headers=auth("secretariat"))
    assert [event["action"] for event in events.json()["items"]] == ["create"]


async def test_adoption_needs_every_score(client: httpx.AsyncClient, auth: Auth) -> None:
    record = await created(client, auth)
    await self_scores(client, auth, record["id"], "HT-STC", 30, 30)
    response = await client.post(f"/v1/blocks/{record['id']}/actions/adopt", headers=auth("secretariat"))
    problem = assert_problem(response, 409, "scores-incomplete")
    assert problem["missing"]["HT-STC"] == ["1.2"]
    assert problem["missing"]["HT-SCT"] == ["1.1", "1.2", "2.1"]


async def test_next_year_the_deputy_leads_and_the_next_member_deputises(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    record = await created(client, auth, code="KHOI-XOAY")
    body = {"pledge_deadline": "2027-03-31"}
    following = await client.post(
        f"/v1/blocks/{record['id']}/actions/next-year", json=body, headers=auth("secretariat")
    )
    assert following.status_code == 201, following.text
    nxt = following.json()
    assert (nxt["year"], nxt["leader"], nxt["deputy"]) == (2027, "HT-SXD", "HT-SCT")
    assert [c["code"] for c in nxt["criteria"]] == ["1", "1.1", "1.2", "2", "2.1"]
    again = await client.post(
        f"/v1/blocks/{record['id']}/actions/next-year", json=body, headers=auth("secretariat")
    )
    assert_problem(again, 409, "block-exists")
    patch = await client.patch(
        f"/v1/blocks/{nxt['id']}",
        json={"deputy": "HT-SXD"},
        headers=auth("secretariat") | {"If-Match": '"1"'},
    )
    assert_problem(patch, 422, "invalid-block")
    moved = await client.patch(
        f"/v1/blocks/{nxt['id']}",
        json={"pledge_deadline": "2027-04-15"},
        headers=auth("secretariat") | {"If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text
    assert moved.headers["ETag"] == '"2"'
    listed = await client.get("/v1/blocks", params={"year": 2027}, headers=auth("viewer"))
    assert [item["id"] for item in listed.json()["items"]] == [nxt["id"]]
    # The seed's plan ends in 2025: a 2025 block scored from it has no 2026 successor on the same sheet.
    last = await created(
        client,
        auth,
        code="KHOI-2025",
        year=2025,
        pledge_deadline="2025-03-31",
        criteria=sheet_on("HT-2021-2025"),
    )
    refused = await client.post(
        f"/v1/blocks/{last['id']}/actions/next-year",
        json={"pledge_deadline": "2026-03-31"},
        headers=auth("secretariat"),
    )
    problem = assert_problem(refused, 422, "invalid-block")
    assert problem["errors"] == [
        {"name": "sheet.criteria[2].auto", "reason": "the plan HT-2021-2025 does not cover 2026"}
    ]
