"""A whole annual award round through the real gateway, the real services and PostgreSQL.

History imported, a round opened, nominations from two districts (one returned and resubmitted, one failing
a rule at screening), a council session with secret ballots, public disclosure with an objection that is
heard, the clock moved past the disclosure period, a decision with its bonuses, the public registry, and the
audit trail of every step.
"""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from devstack.stack import Stack
from devstack.testing import dates
from devstack.testing.awards import AwardsFlow, unique

pytestmark = pytest.mark.e2e

HEADER = (
    "recipient_kind,recipient_key,recipient_name,org_unit,award_type_code,year,occasion,"
    "decision_number,decision_date,decision_authority"
)
A = "individual,E2E-A,Trần Thị Hương Giang,HT-THA"
HISTORY = "\n".join(
    [
        HEADER,
        f"{A},CSTD_CO_SO,2022,annual,120/QĐ-UBND,2022-12-20,district_chair",
        f"{A},CSTD_CO_SO,2023,annual,98/QĐ-UBND,2023-12-18,district_chair",
        f"{A},CSTD_CO_SO,2024,annual,131/QĐ-UBND,2024-12-19,district_chair",
        f"{A},LDTT,2024,annual,130/QĐ-UBND,2024-12-19,district_chair",
    ]
)


@pytest.fixture
async def gateway_async(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as client:
        yield client


def bearer(stack: Stack, role: str, org_unit: str | None, subject: str) -> dict[str, str]:
    assert stack.keys is not None
    return {"Authorization": f"Bearer {stack.keys.mint(roles=[role], org_unit=org_unit, subject=subject)}"}


async def set_clock(stack: Stack, days: int) -> str:
    """The nominations service's clock, ``days`` after the suite's (``/internal/`` only on its own port)."""
    async with httpx.AsyncClient(base_url=stack.service_url("nominations"), timeout=10) as direct:
        response = await direct.post(
            "/internal/v1/clock",
            json={"at": dates.days_later(days).isoformat()},
            headers=bearer(stack, "admin", "HT", "e2e-admin"),
        )
    assert response.status_code == 200, response.text
    today: str = response.json()["today"]
    return today


async def test_a_whole_annual_round(stack: Stack, gateway_async: httpx.AsyncClient) -> None:
    client = gateway_async

    def auth(*roles: str, org_unit: str | None = "HT", subject: str | None = None) -> dict[str, str]:
        return bearer(stack, roles[0], org_unit, subject or f"{roles[0]}-{org_unit}")

    steps = AwardsFlow(client, auth, prefix="/api")
    secretariat = steps.secretariat()
    tha, clo = steps.officer("HT-THA"), steps.officer("HT-CLO")

    # 1. The award history of the years before the platform.
    imported = await client.post(
        "/api/v1/awards/import",
        content=HISTORY.encode(),
        headers=secretariat | {"Content-Type": "text/csv; charset=utf-8"},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json() == {"imported": 4, "ignored": 0}

    # 2. The round, its deadlines in working days.
    round_ = await steps.create_round(code=unique("E2E-KT-2024"))

    # 3. Nominations from two districts.
    giang = await steps.nominate(
        round_["id"],
        "HT-THA",
        award_type_code="CSTD_CAP_TINH",
        nominee={"name": "Trần Thị Hương Giang", "key": "E2E-A"},
        initiatives=[{"title": "Phần mềm quản lý hồ sơ đất đai", "scope": "provincial", "year": 2023}],
    )
    binh = await steps.nominate(
        round_["id"],
        "HT-CLO",
        award_type_code="BANG_KHEN_CT_TINH",
        nominee={"name": "Lê Văn Bình", "key": "E2E-B"},
        achievement_keys=["CLO-2024-cuu-ho-bao-so-4"],
    )
    cuong = await steps.nominate(
        round_["id"],
        "HT-CLO",
        award_type_code="CSTD_CAP_TINH",
        nominee={"name": "Phạm Quốc Cường"},
        initiatives=[{"title": "Mô hình tổ liên gia an toàn", "scope": "provincial", "year": 2024}],
    )
    for nomination, officer in ((giang, tha), (binh, clo), (cuong, clo)):
        await steps.must(nomination["id"], "submit", officer)

    # 4. One returned, corrected and resubmitted.
    await steps.must(binh["id"], "return", secretariat, note="Bổ sung xác nhận của UBND xã")
    current = await client.get(f"/api/v1/nominations/{binh['id']}", headers=clo)
    edited = await client.patch(
        f"/api/v1/nominations/{binh['id']}",
        json={"achievements": "Cứu hộ 42 hộ dân trong bão số 4; có xác nhận của UBND xã Thiên Lộc."},
        headers=clo | {"If-Match": current.headers["ETag"]},
    )
    assert edited.status_code == 200, edited.text
    await steps.must(binh["id"], "resubmit", clo)

    # 5. Screening: Cường lacks three consecutive grassroots titles.
    for nomination in (giang, binh, cuong):
        await steps.must(nomination["id"], "screen", secretariat)
    verdicts = await client.get(f"/api/v1/nominations/{cuong['id']}/eligibility", headers=secretariat)
    failed = [v["kind"] for v in verdicts.json()["verdicts"] if v["status"] == "failed"]
    assert failed == ["consecutive_titles"]
    blocked = await steps.act(cuong["id"], "send_to_council", secretariat)
    assert blocked.status_code == 409
    assert blocked.json()["failed_rules"] == ["consecutive_titles"]
    rejected = await steps.must(cuong["id"], "reject", secretariat, note="Chưa đủ 3 lần CSTĐ cơ sở liên tục")
    assert (rejected["status"], rejected["outcome"]) == ("decided", "rejected")
    giang_rules = await client.get(f"/api/v1/nominations/{giang['id']}/eligibility", headers=secretariat)
    assert giang_rules.json()["overall"] == "passed", giang_rules.text
    for nomination in (giang, binh):
        await steps.must(nomination["id"], "send_to_council", secretariat)

    # 6. The council: five members, secret ballots.
    members = [f"e2e-member-{n}" for n in range(1, 6)]
    created = await client.post(
        "/api/v1/council-sessions",
        json={
            "round_id": round_["id"],
            "name": "Phiên họp Hội đồng Thi đua - Khen thưởng tỉnh",
            "held_on": round_["opens_on"],
            "members": [{"subject": m, "name": f"Ủy viên {n}"} for n, m in enumerate(members, 1)],
            "nomination_ids": [giang["id"], binh["id"]],
        },
        headers=secretariat,
    )
    assert created.status_code == 201, created.text
    council = created.json()
    outsider = await client.post(
        f"/api/v1/council-sessions/{council['id']}/ballots",
        json={"choices": {str(giang["id"]): "approve", str(binh["id"]): "approve"}},
        headers=auth("council_member", subject="e2e-not-a-member"),
    )
    assert outsider.status_code == 403
    for index, member in enumerate(members):
        ballot = await client.post(
            f"/api/v1/council-sessions/{council['id']}/ballots",
            json={
                "choices": {
                    str(giang["id"]): "approve",
                    str(binh["id"]): "reject" if index == 0 else "approve",
                }
            },
            headers=auth("council_member", subject=member),
        )
        assert ballot.status_code == 201, ballot.text
        assert set(ballot.json()) == {"session_id", "recorded"}
    twice = await client.post(
        f"/api/v1/council-sessions/{council['id']}/ballots",
        json={"choices": {str(giang["id"]): "reject", str(binh["id"]): "reject"}},
        headers=auth("council_member", subject=members[0]),
    )
    assert twice.status_code == 409
    session_url = f"/api/v1/council-sessions/{council['id']}"
    read = await client.get(session_url, headers=secretariat)
    closed = await client.post(
        f"{session_url}/actions/close", headers=secretariat | {"If-Match": read.headers["ETag"]}
    )
    assert closed.status_code == 200, closed.text
    tallies = {item["nomination_id"]: item["tally"] for item in closed.json()["agenda"]}
    assert (tallies[giang["id"]]["approve"], tallies[giang["id"]]["passed"]) == (5, True)  # ≥ 90 % of all
    assert (tallies[binh["id"]]["approve"], tallies[binh["id"]]["passed"]) == (4, True)  # ≥ 70 % of all

    # 7. Public disclosure, and an objection from anyone.
    disclosed = await client.get("/api/v1/public/disclosures", params={"round_id": round_["id"]})
    assert disclosed.status_code == 200, disclosed.text
    listed = {item["id"]: item for item in disclosed.json()["items"]}
    assert set(listed) == {giang["id"], binh["id"]}
    assert "nominee_key" not in listed[giang["id"]]
    objection = await client.post(
        f"/api/v1/public/disclosures/{binh['id']}/objections",
        json={"text": "Đề nghị làm rõ số hộ dân được cứu hộ trong bão số 4.", "contact": "0912 000 111"},
    )
    assert objection.status_code == 201, objection.text
    assert "contact" not in objection.json()

    try:
        # 8. The disclosure period (10 working days) passes.
        today = await set_clock(stack, 30)
        decision_body: dict[str, Any] = {
            "number": unique("E2E") + "/QĐ-UBND",
            "signed_on": today,
            "signer": "Võ Trọng Hải",
            "signer_title": "Chủ tịch UBND tỉnh",
            "authority": "provincial_chair",
            "nomination_ids": [giang["id"], binh["id"]],
        }
        authority = auth("authority", subject="e2e-authority")
        too_early = await client.post("/api/v1/decisions", json=decision_body, headers=authority)
        assert too_early.status_code == 409, too_early.text
        assert too_early.json()["type"].endswith("open-objections")
        heard = await client.get(f"/api/v1/nominations/{binh['id']}/objections", headers=secretariat)
        assert heard.json()["items"][0]["contact"] == "0912 000 111"
        resolved = await client.post(
            f"/api/v1/nominations/{binh['id']}/objections/{objection.json()['id']}/resolution",
            json={"outcome": "dismissed", "note": "UBND xã Thiên Lộc xác nhận số liệu."},
            headers=secretariat,
        )
        assert resolved.status_code == 200, resolved.text

        # 9. The decision and its bonuses: coefficient × the base salary in force (2,340,000 VND). The
        # 2024 dossiers were sent in 2026, so Nghị định 152/2025/NĐ-CP judges them (Điều 60 khoản 3):
        # Bằng khen of the provincial chair 1.5 (Điều 54 khoản 1 điểm b).
        decided = await client.post(
            "/api/v1/decisions", json=decision_body, headers=authority | {"Idempotency-Key": unique("d")}
        )
        assert decided.status_code == 201, decided.text
        decision = await client.get(f"/api/v1/decisions/{decided.json()['id']}", headers=authority)
        bonuses = {a["nomination_id"]: a["bonus_vnd"] for a in decision.json()["awards"]}
        assert bonuses == {giang["id"]: 7_020_000, binh["id"]: 3_510_000}
    finally:
        await set_clock(stack, 0)

    # 10. The public registry, searched without accents.
    found = await client.get("/api/v1/public/awards", params={"q": "tran thi huong giang", "year": 2024})
    assert found.status_code == 200, found.text
    awards = {item["award_type_code"]: item for item in found.json()["items"]}
    assert set(awards) == {"CSTD_CAP_TINH", "CSTD_CO_SO", "LDTT"}
    assert awards["CSTD_CAP_TINH"]["decision_number"] == decision_body["number"]
    assert "recipient_key" not in awards["CSTD_CAP_TINH"]
    assert "bonus_vnd" not in awards["CSTD_CAP_TINH"]

    # 11. The audit trail of every step.
    trail = await client.get(f"/api/v1/nominations/{binh['id']}/events", headers=secretariat)
    assert [(e["action"], e["to_status"]) for e in trail.json()["items"]] == [
        ("create", "draft"),
        ("submit", "submitted"),
        ("return", "returned"),
        ("edit", "returned"),
        ("resubmit", "submitted"),
        ("screen", "screening"),
        ("send_to_council", "council"),
        ("council_pass", "disclosure"),
        ("objection_filed", "disclosure"),
        ("dismiss_objection", "disclosure"),
        ("award", "decided"),
    ]
    assert trail.json()["items"][2]["actor"] == "secretariat-1"
    assert trail.json()["items"][-1]["actor"] == "e2e-authority"
    final = await client.get(f"/api/v1/nominations/{giang['id']}", headers=tha)
    assert (final.json()["status"], final.json()["outcome"]) == ("decided", "awarded")
    # /internal/ is never routed by the gateway.
    assert (
        await client.post("/api/internal/v1/clock", json={"at": dates.SUITE_NOW.isoformat()})
    ).status_code == 404
    assert (
        await client.post("/internal/v1/clock", json={"at": dates.SUITE_NOW.isoformat()})
    ).status_code == 404


async def test_objections_are_size_limited_and_rate_limited_by_the_gateway(
    stack: Stack, gateway_async: httpx.AsyncClient
) -> None:
    url = "/api/v1/public/disclosures/2000000000/objections"
    too_big = await gateway_async.post(url, json={"text": "x" * 40_000})
    assert too_big.status_code == 413
    assert too_big.headers["content-type"] == "application/problem+json"
    statuses = [
        (await gateway_async.post(url, json={"text": "Ý kiến về hồ sơ khen thưởng này."})).status_code
        for _ in range(6)
    ]
    # 6 a minute per address with a burst of 3: the service answers the first (no such disclosure), the
    # gateway refuses the rest before they reach it.
    assert statuses[0] == 404
    assert 429 in statuses
    assert set(statuses) <= {404, 429}
