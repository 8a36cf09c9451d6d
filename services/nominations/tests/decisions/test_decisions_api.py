"""Decisions: only nominations out of disclosure with no objection open, by their own deciding authority, all
or nothing; each becomes an award in the registry with its exact cash bonus."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.flows import unique
from devstack.testing import dates
from devstack.testing.assertions import assert_problem
from nominations.decisions.service import cash_bonus
from services.nominations.tests.arrange import DISCLOSURE_DAYS, Arrange
from shared import clock

OBJECTION = {
    "text": "Thành tích sáng kiến được kê khai trùng với hồ sơ năm trước.",
    "contact": "a@example.vn",
}


def after_disclosure() -> AbstractContextManager[None]:
    return clock.pinned(dates.days_later(DISCLOSURE_DAYS + 1))


def decision(nomination_ids: list[int], **overrides: Any) -> dict[str, Any]:
    return {
        "number": f"{unique('QD')}/QĐ-UBND",
        # The day after the disclosure period the arrangement sets: a decision is signed after it.
        "signed_on": (dates.SUITE_TODAY + dt.timedelta(days=DISCLOSURE_DAYS + 1)).isoformat(),
        "signer": "Võ Trọng Hải",
        "signer_title": "Chủ tịch UBND tỉnh",
        "authority": "provincial_chair",
        "nomination_ids": nomination_ids,
    } | overrides


async def stored_decisions(db_session: AsyncSession, number: str) -> int:
    count = await db_session.scalar(
        text("SELECT count(*) FROM nominations.decisions WHERE number = :n"), {"n": number}
    )
    return int(count or 0)


def test_the_bonus_is_rounded_up_to_the_next_ten_thousand_dong() -> None:
    assert cash_bonus(Decimal("3.00"), Decimal(2_340_000)) == 7_020_000
    assert cash_bonus(Decimal("1.00"), Decimal(2_340_000)) == 2_340_000
    assert cash_bonus(Decimal("0.30"), Decimal(2_340_000)) == 710_000  # 702,000
    assert cash_bonus(Decimal("0.15"), Decimal(2_340_000)) == 360_000  # 351,000
    assert cash_bonus(Decimal("1.50"), Decimal(1_800_000)) == 2_700_000
    assert cash_bonus(Decimal("0.30"), Decimal(1_490_000)) == 450_000  # 447,000
    assert cash_bonus(Decimal("0.00"), Decimal(2_340_000)) == 0


async def test_a_provincial_decision_awards_with_exact_bonuses_into_the_registry(
    client: httpx.AsyncClient, arrange: Arrange, db_session: AsyncSession
) -> None:
    cstd = await arrange.disclosed("CSTD_CAP_TINH")
    bang_khen = await arrange.disclosed("BANG_KHEN_CT_TINH", achievement_keys=["SK-2024-07", "SK-2024-08"])
    body = decision([cstd["id"], bang_khen["id"]])
    with after_disclosure():
        response = await client.post("/v1/decisions", json=body, headers=arrange.authority())
    assert response.status_code == 201, response.text
    issued = response.json()
    assert response.headers["Location"] == f"/api/v1/decisions/{issued['id']}"
    assert (issued["number"], issued["authority"], issued["issued_by"]) == (
        body["number"],
        "provincial_chair",
        "chairman-1",
    )
    bonuses = {
        award["nomination_id"]: (award["bonus_coefficient"], award["base_salary_vnd"], award["bonus_vnd"])
        for award in issued["awards"]
    }
    # The 2024 round's dossiers were sent in 2026: judged by Nghị định 152/2025/NĐ-CP (Điều 60 khoản 3), whose
    # Bằng khen of the provincial chair is 1.5 (Điều 54 khoản 1 điểm b).
    assert bonuses == {cstd["id"]: (3.0, 2_340_000, 7_020_000), bang_khen["id"]: (1.5, 2_340_000, 3_510_000)}
    assert (issued["award_count"], issued["bonus_total_vnd"]) == (2, 10_530_000)

    rows = (
        await db_session.execute(
            text(
                "SELECT nomination_id, source, recipient_key, award_type_code, award_name, year,"
                " decision_number, decision_date, decision_authority, org_unit, org_unit_name, org_unit_path,"
                " achievement_key, search_tokens FROM nominations.awards"
                " WHERE decision_id = :d ORDER BY nomination_id"
            ),
            {"d": issued["id"]},
        )
    ).mappings()
    registry = {row["nomination_id"]: row for row in rows}
    assert set(registry) == {cstd["id"], bang_khen["id"]}
    first = registry[cstd["id"]]
    assert first["source"] == "platform"
    assert first["recipient_key"] == cstd["nominee"]["key"]
    assert (first["award_type_code"], first["award_name"], first["year"]) == (
        "CSTD_CAP_TINH",
        "Chiến sĩ thi đua cấp tỉnh",
        2024,
    )
    assert (first["decision_number"], first["decision_date"], first["decision_authority"]) == (
        body["number"],
        dt.date.fromisoformat(body["signed_on"]),
        "provincial_chair",
    )
    assert (first["org_unit"], first["org_unit_name"], first["org_unit_path"]) == (
        "HT-THA",
        "Huyện Thạch Hà",
        ["HT-THA", "HT"],
    )
    assert first["achievement_key"] is None
    assert {"nguyen", "thi", "ha", "huyen", "thach", "chien", "si", "qd", "ubnd"} <= set(
        first["search_tokens"]
    )
    assert registry[bang_khen["id"]]["achievement_key"] == "SK-2024-07"

    secretariat = arrange.steps.secretariat()
    read = (await client.get(f"/v1/nominations/{cstd['id']}", headers=secretariat)).json()
    assert (read["status"], read["outcome"], read["decision_id"]) == ("decided", "awarded", issued["id"])
    events = (await client.get(f"/v1/nominations/{cstd['id']}/events", headers=secretariat)).json()["items"]
    assert (events[-1]["action"], events[-1]["from_status"], events[-1]["actor"]) == (
        "award",
        "disclosure",
        "chairman-1",
    )
    assert events[-1]["details"] == {"decision_id": issued["id"], "decision_number": body["number"]}
    outbox = await db_session.scalar(
        text(
            "SELECT count(*) FROM nominations.outbox WHERE subject = :s AND event_type = 'nomination.decided'"
        ),
        {"s": f"nomination/{cstd['id']}"},
    )
    assert outbox == 1


async def test_rounding_matters_and_a_unit_gone_by_the_signing_keeps_its_name(
    client: httpx.AsyncClient, arrange: Arrange, db_session: AsyncSession
) -> None:
    ldtt = await arrange.passed("LDTT")
    with after_disclosure():
        # Signed today: the district tier ended on 2025-07-01, so the unit is named as on the round's date.
        body = decision([ldtt["id"]], authority="unit_head", signed_on=clock.today().isoformat())
        response = await client.post("/v1/decisions", json=body, headers=arrange.authority())
    assert response.status_code == 201, response.text
    [award] = response.json()["awards"]
    assert (award["bonus_coefficient"], award["base_salary_vnd"], award["bonus_vnd"]) == (
        0.3,
        2_340_000,
        710_000,
    )
    assert (award["org_unit_name"], award["award_name"]) == ("Huyện Thạch Hà", "Lao động tiên tiến")
    path = await db_session.scalar(
        text("SELECT org_unit_path FROM nominations.awards WHERE id = :id"), {"id": award["id"]}
    )
    assert path == ["HT-THA", "HT"]


async def test_an_open_objection_blocks_the_decision_until_dismissed(
    client: httpx.AsyncClient, arrange: Arrange, db_session: AsyncSession
) -> None:
    nomination = await arrange.disclosed()
    objection = await client.post(f"/v1/public/disclosures/{nomination['id']}/objections", json=OBJECTION)
    assert objection.status_code == 201, objection.text
    body = decision([nomination["id"]])
    with after_disclosure():
        blocked = await client.post("/v1/decisions", json=body, headers=arrange.authority())
        problem = assert_problem(blocked, 409, "open-objections")
        assert [(n["nomination_id"], n["problem"]) for n in problem["nominations"]] == [
            (nomination["id"], "open-objections")
        ]
        assert await stored_decisions(db_session, body["number"]) == 0
        dismissed = await client.post(
            f"/v1/nominations/{nomination['id']}/objections/{objection.json()['id']}/resolution",
            json={"outcome": "dismissed", "note": "Sáng kiến khác nhau, đã đối chiếu"},
            headers=arrange.steps.secretariat(),
        )
        assert dismissed.status_code == 200, dismissed.text
        decided = await client.post("/v1/decisions", json=body, headers=arrange.authority())
    assert decided.status_code == 201, decided.text


async def test_a_decision_before_the_period_ends_is_refused_and_stores_nothing(
    client: httpx.AsyncClient, arrange: Arrange, db_session: AsyncSession
) -> None:
    nomination = await arrange.disclosed()
    body = decision([nomination["id"]], signed_on=clock.today().isoformat())
    early = await client.post("/v1/decisions", json=body, headers=arrange.authority())
    problem = assert_problem(early, 409, "disclosure-not-over")
    assert problem["nominations"][0]["nomination_id"] == nomination["id"]
    assert await stored_decisions(db_session, body["number"]) == 0
    # Recorded after the period, but signed within it: still refused.
    with after_disclosure():
        backdated = await client.post("/v1/decisions", json=body, headers=arrange.authority())
    assert "within its disclosure period" in assert_problem(backdated, 409, "disclosure-not-over")["detail"]
    read = (
        await client.get(f"/v1/nominations/{nomination['id']}", headers=arrange.steps.secretariat())
    ).json()
    assert (read["status"], read["decision_id"]) == ("disclosure", None)
    future = decision([nomination["id"]], signed_on=(clock.today() + dt.timedelta(days=1)).isoformat())
    assert_problem(
        await client.post("/v1/decisions", json=future, headers=arrange.authority()), 422, "invalid-decision"
    )


async def test_the_wrong_authority_or_a_bad_id_refuses_the_whole_decision_naming_each(
    client: httpx.AsyncClient, arrange: Arrange, db_session: AsyncSession
) -> None:
    cstd = await arrange.disclosed("CSTD_CAP_TINH")
    ldtt = await arrange.passed("LDTT")
    authority = arrange.authority()
    with after_disclosure():
        wrong = decision([cstd["id"], ldtt["id"]])  # the provincial chairman does not decide LDTT
        problem = assert_problem(
            await client.post("/v1/decisions", json=wrong, headers=authority), 422, "wrong-authority"
        )
        assert [(n["nomination_id"], n["problem"]) for n in problem["nominations"]] == [
            (ldtt["id"], "wrong-authority")
        ]
        assert await stored_decisions(db_session, wrong["number"]) == 0
        mixed = decision([2_000_000_000, ldtt["id"], cstd["id"]])
        problem = assert_problem(
            await client.post("/v1/decisions", json=mixed, headers=authority),
            409,
            "nominations-not-decidable",
        )
        assert [(n["nomination_id"], n["problem"]) for n in problem["nominations"]] == [
            (2_000_000_000, "unknown-nomination"),
            (ldtt["id"], "wrong-authority"),
        ]
        read = (await client.get(f"/v1/nominations/{cstd['id']}", headers=arrange.steps.secretariat())).json()
        assert read["status"] == "disclosure"
        repeated = decision([cstd["id"], cstd["id"]])
        assert (await client.post("/v1/decisions", json=repeated, headers=authority)).status_code == 422
        for headers in (arrange.steps.secretariat(), arrange.steps.officer("HT-THA")):
            refused = await client.post("/v1/decisions", json=decision([cstd["id"]]), headers=headers)
            assert refused.status_code == 403


async def test_a_forwarded_nomination_gets_the_prime_ministers_decision_recorded(
    client: httpx.AsyncClient, arrange: Arrange
) -> None:
    nomination = await arrange.disclosed("BANG_KHEN_TTG")
    with after_disclosure():
        forwarded = await arrange.steps.must(
            nomination["id"],
            "forward",
            arrange.steps.secretariat(),
            forwarding={"to": "prime_minister", "document_number": "456/TTr-UBND", "sent_on": "2025-01-10"},
        )
        assert forwarded["status"] == "forwarded"
        provincial = decision([nomination["id"]])
        assert_problem(
            await client.post("/v1/decisions", json=provincial, headers=arrange.authority()),
            422,
            "wrong-authority",
        )
        national = decision(
            [nomination["id"]],
            number=f"{unique('QD')}/QĐ-TTg",
            authority="prime_minister",
            signer="Thủ tướng Chính phủ",
        )
        response = await client.post("/v1/decisions", json=national, headers=arrange.authority("recorder-1"))
    assert response.status_code == 201, response.text
    [award] = response.json()["awards"]
    # Bằng khen của Thủ tướng: 3.5 × 2,340,000 (as Nghị định 91/2017 Điều 73 and 152/2025 Điều 54 give).
    assert (award["award_type_code"], award["bonus_vnd"]) == ("BANG_KHEN_TTG", 8_190_000)


async def test_a_forwarded_nomination_the_prime_minister_did_not_award_is_recorded_as_declined(
    client: httpx.AsyncClient, arrange: Arrange
) -> None:
    nomination = await arrange.disclosed("BANG_KHEN_TTG")
    with after_disclosure():
        await arrange.steps.must(
            nomination["id"],
            "forward",
            arrange.steps.secretariat(),
            forwarding={"to": "prime_minister", "document_number": "457/TTr-UBND", "sent_on": "2025-01-10"},
        )
    assert_problem(
        await arrange.steps.act(nomination["id"], "decline", arrange.authority()), 400, "note-required"
    )
    officer = arrange.steps.officer("HT-THA")
    assert_problem(
        await arrange.steps.act(nomination["id"], "decline", officer, note="x"), 403, "action-forbidden"
    )
    district_office = arrange.auth("authority", org_unit="HT-THA", subject="district-chair")
    assert_problem(
        await arrange.steps.act(nomination["id"], "decline", district_office, note="x"),
        403,
        "not-the-forwarding-office",
    )
    declined = await arrange.steps.must(
        nomination["id"], "decline", arrange.authority(), note="Văn bản 88/VPCP-TĐKT: chưa đủ tiêu chuẩn"
    )
    assert (declined["status"], declined["outcome"]) == ("decided", "rejected")


async def test_the_same_idempotency_key_records_one_decision_and_numbers_are_unique(
    client: httpx.AsyncClient, arrange: Arrange, db_session: AsyncSession
) -> None:
    first_nomination = await arrange.disclosed()
    second_nomination = await arrange.disclosed()
    body = decision([first_nomination["id"]])
    headers = arrange.authority() | {"Idempotency-Key": unique("decision")}
    with after_disclosure():
        first = await client.post("/v1/decisions", json=body, headers=headers)
        second = await client.post("/v1/decisions", json=body, headers=headers)
        assert first.status_code == second.status_code == 201, second.text
        assert first.json()["id"] == second.json()["id"]
        assert second.headers["Idempotent-Replayed"] == "true"
        assert await stored_decisions(db_session, body["number"]) == 1
        taken = decision([second_nomination["id"]], number=body["number"])
        assert_problem(
            await client.post("/v1/decisions", json=taken, headers=arrange.authority()),
            409,
            "decision-number-taken",
        )


async def test_decisions_are_read_with_their_awards(client: httpx.AsyncClient, arrange: Arrange) -> None:
    nomination = await arrange.disclosed()
    with after_disclosure():
        issued = (
            await client.post("/v1/decisions", json=decision([nomination["id"]]), headers=arrange.authority())
        ).json()
    secretariat = arrange.steps.secretariat()
    one = await client.get(f"/v1/decisions/{issued['id']}", headers=secretariat)
    assert one.status_code == 200, one.text
    [award] = one.json()["awards"]
    assert (award["nomination_id"], award["recipient_name"], award["award_name"], award["bonus_vnd"]) == (
        nomination["id"],
        "Nguyễn Thị Hà",
        "Chiến sĩ thi đua cấp tỉnh",
        7_020_000,
    )
    listed = await client.get("/v1/decisions", params={"authority": "provincial_chair"}, headers=secretariat)
    assert listed.status_code == 200, listed.text
    summary = next(item for item in listed.json()["items"] if item["id"] == issued["id"])
    assert (summary["award_count"], summary["bonus_total_vnd"]) == (1, 7_020_000)
    assert "awards" not in summary
    assert_problem(
        await client.get("/v1/decisions/2000000000", headers=secretariat), 404, "decision-not-found"
    )
    assert (await client.get("/v1/decisions", headers=arrange.steps.officer("HT-THA"))).status_code == 403


async def test_an_authority_records_only_its_own_offices_decisions_for_its_units(
    client: httpx.AsyncClient, arrange: Arrange
) -> None:
    nomination = await arrange.disclosed()  # from Huyện Thạch Hà, decided by the provincial chair
    with after_disclosure():
        department = arrange.auth("authority", org_unit="HT-SNV", subject="department-director")
        refused = await client.post("/v1/decisions", json=decision([nomination["id"]]), headers=department)
        assert assert_problem(refused, 403, "not-your-authority")["allowed_authorities"] == ["unit_head"]
        # The districts ended on 2025-07-01: a district's office records nothing signed after that.
        district = arrange.auth("authority", org_unit="HT-THA", subject="district-chair")
        late = decision([nomination["id"]])
        gone = assert_problem(
            await client.post("/v1/decisions", json=late, headers=district), 403, "not-your-authority"
        )
        assert "was not an office" in gone["detail"]
        # Another office's nominations are answered as unknown ones: nothing about them is revealed.
        provincial_elsewhere = arrange.auth("authority", org_unit="HT-SNV", subject="department-director")
        unseen = decision([nomination["id"]], authority="unit_head")
        answer = await client.post("/v1/decisions", json=unseen, headers=provincial_elsewhere)
        assert assert_problem(answer, 422, "unknown-nomination")["nominations"] == [
            {
                "nomination_id": nomination["id"],
                "problem": "unknown-nomination",
                "detail": f"{nomination['id']}: no such nomination",
            }
        ]
        # An authority reads only its own units' dossiers.
        hidden = await client.get(f"/v1/nominations/{nomination['id']}", headers=department)
        assert_problem(hidden, 404, "nomination-not-found")
