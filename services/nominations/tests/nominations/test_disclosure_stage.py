"""The stage of public disclosure is the award type version's: high honours are disclosed before the council
(Nghị định 98/2023/NĐ-CP Điều 46 khoản 2; Nghị định 152/2025/NĐ-CP Điều 44 khoản 2), provincial forms after
it, and the lower titles not at all; and the office that succeeded an ended tier decides what it left."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.flows import etag, unique
from devstack.testing import dates
from devstack.testing.assertions import assert_problem
from nominations.nominations import guards
from nominations.nominations.attempt import Attempt
from nominations.nominations.models import Nomination
from nominations.org_scope import ScopeCheck
from nominations.rounds.models import Round
from services.nominations.tests.arrange import DISCLOSURE_DAYS, DISCLOSURE_UNTIL, Arrange
from shared import clock
from shared.auth import Principal, Role

OBJECTION = {"text": "Sáng kiến đã được khen thưởng ở đợt trước.", "contact": "b@example.vn"}
FORWARDING = {"to": "prime_minister", "document_number": "77/TTr-UBND", "sent_on": "2026-03-30"}


def after_disclosure() -> Any:
    return clock.pinned(dates.days_later(DISCLOSURE_DAYS + 1))


async def disclosed_before_the_council(
    arrange: Arrange, award_type: str = "CSTD_TOAN_QUOC"
) -> dict[str, Any]:
    round_ = await arrange.steps.create_round()
    screened = await arrange.steps.screened(round_["id"], "HT-THA", award_type_code=award_type)
    refused = await arrange.steps.act(
        screened["id"], "send_to_council", arrange.steps.secretariat(), if_match=etag(screened)
    )
    assert assert_problem(refused, 409, "disclosure-stage-mismatch")["allowed_actions"] == ["disclose"]
    return await arrange.steps.must(screened["id"], "disclose", arrange.steps.secretariat())


async def test_a_high_honour_is_heard_by_the_public_before_the_council(
    client: httpx.AsyncClient, arrange: Arrange
) -> None:
    steps, secretariat = arrange.steps, arrange.steps.secretariat()
    disclosed = await disclosed_before_the_council(arrange)
    nomination_id = disclosed["id"]
    assert (disclosed["status"], disclosed["council_result"]) == ("public_comment", None)
    assert (disclosed["disclosure_from"], disclosed["disclosure_until"]) == (
        dates.SUITE_TODAY.isoformat(),
        DISCLOSURE_UNTIL.isoformat(),
    )
    public = (await client.get("/v1/public/disclosures", params={"award_type": "CSTD_TOAN_QUOC"})).json()
    [listed] = [item for item in public["items"] if item["id"] == nomination_id]
    assert listed["stage"] == "before_council"

    assert_problem(await steps.act(nomination_id, "send_to_council", secretariat), 409, "disclosure-not-over")
    # Nothing is forwarded or decided before the council has voted.
    assert_problem(
        await steps.act(nomination_id, "forward", secretariat, forwarding=FORWARDING),
        409,
        "action-not-allowed",
    )
    objected = await client.post(f"/v1/public/disclosures/{nomination_id}/objections", json=OBJECTION)
    assert objected.status_code == 201, objected.text

    with after_disclosure():
        assert_problem(await steps.act(nomination_id, "send_to_council", secretariat), 409, "open-objections")
        dismissed = await client.post(
            f"/v1/nominations/{nomination_id}/objections/{objected.json()['id']}/resolution",
            json={"outcome": "dismissed", "note": "Sáng kiến khác với sáng kiến đã khen."},
            headers=secretariat,
        )
        assert dismissed.status_code == 200, dismissed.text
        early = {
            "number": f"{unique('QD')}/QĐ-TTg",
            "signed_on": clock.today().isoformat(),
            "signer": "Thủ tướng Chính phủ",
            "authority": "prime_minister",
            "nomination_ids": [nomination_id],
        }
        refused = await client.post("/v1/decisions", json=early, headers=arrange.authority("recorder-1"))
        assert (
            assert_problem(refused, 409, "action-not-allowed")["nominations"][0]["nomination_id"]
            == nomination_id
        )
        in_council = await steps.must(nomination_id, "send_to_council", secretariat)
        assert in_council["status"] == "council"
        await steps.council_passes(disclosed["round_id"], [nomination_id])
        approved = (await client.get(f"/v1/nominations/{nomination_id}", headers=secretariat)).json()
        # No second disclosure: the public had its say before the council.
        assert (approved["status"], approved["disclosure_until"]) == (
            "approved",
            DISCLOSURE_UNTIL.isoformat(),
        )
        forwarded = await steps.must(nomination_id, "forward", secretariat, forwarding=FORWARDING)
        assert forwarded["status"] == "forwarded"
        national = {
            "number": f"{unique('QD')}/QĐ-TTg",
            "signed_on": clock.today().isoformat(),
            "signer": "Thủ tướng Chính phủ",
            "authority": "prime_minister",
            "nomination_ids": [nomination_id],
        }
        decided = await client.post("/v1/decisions", json=national, headers=arrange.authority("recorder-1"))
    assert decided.status_code == 201, decided.text
    [award] = decided.json()["awards"]
    assert (award["bonus_coefficient"], award["bonus_vnd"]) == (4.5, 10_530_000)  # 4.5 × 2,340,000
    events = (await client.get(f"/v1/nominations/{nomination_id}/events", headers=secretariat)).json()
    assert [e["action"] for e in events["items"]][-6:] == [
        "objection_filed",
        "dismiss_objection",
        "send_to_council",
        "council_approve",
        "forward",
        "award",
    ]


async def test_a_form_disclosed_after_the_council_is_not_disclosed_before(arrange: Arrange) -> None:
    round_ = await arrange.steps.create_round()
    screened = await arrange.steps.screened(round_["id"], "HT-THA", award_type_code="CSTD_CAP_TINH")
    refused = await arrange.steps.act(screened["id"], "disclose", arrange.steps.secretariat())
    assert assert_problem(refused, 409, "disclosure-stage-mismatch")["disclosure_stage"] == "after_council"


def _secretariat(app: FastAPI) -> ScopeCheck:
    principal = Principal("secretariat-1", frozenset({Role.SECRETARIAT}), "HT-SNV", {})
    return ScopeCheck(principal, app.state.targets, None)


@pytest.mark.parametrize(
    ("award_type", "guard"),
    [("LDTT", guards.disclosed_after_the_council), ("CSTD_CAP_TINH", guards.not_disclosed_after_the_council)],
)
async def test_the_councils_pass_follows_the_stage(
    arrange: Arrange, db_session: AsyncSession, running_app: FastAPI, award_type: str, guard: guards.Guard
) -> None:
    """The council's count chooses the action by the stage; the guards hold it to it all the same."""
    in_council = await arrange.in_council(award_type)
    nomination = await db_session.get(Nomination, in_council["id"])
    round_ = await db_session.get(Round, in_council["round_id"])
    assert nomination is not None
    assert round_ is not None
    with pytest.raises(guards.DisclosureStageMismatch):
        await guard(Attempt(db_session, _secretariat(running_app), nomination, round_))


async def test_a_district_form_of_2024_is_decided_in_2026_by_the_province(
    client: httpx.AsyncClient, arrange: Arrange
) -> None:
    """The district tier ended on 30/6/2025: its office is refused, and the province's signs in its place
    (the catalogue's authority succession, Nghị định 152/2025/NĐ-CP Điều 60 khoản 3 and 5)."""
    # Sent to the district, and passed by its council, before the district tier ended.
    with clock.pinned(dt.datetime(2025, 3, 10, 3, tzinfo=dt.UTC)):
        passed = await arrange.passed("GIAY_KHEN_CT_HUYEN")
    assert (passed["status"], passed["catalogue_date"]) == ("approved", "2024-12-31")  # no public period
    body = {
        "number": f"{unique('QD')}/QĐ-UBND",
        "signed_on": dates.SUITE_TODAY.isoformat(),
        "signer": "Chủ tịch UBND tỉnh",
        "nomination_ids": [passed["id"]],
    }
    district = arrange.auth("authority", org_unit="HT-THA", subject="district-chair")
    gone = await client.post("/v1/decisions", json=body | {"authority": "district_chair"}, headers=district)
    assert "was not an office on 2026-03-10" in assert_problem(gone, 403, "not-your-authority")["detail"]
    decided = await client.post(
        "/v1/decisions", json=body | {"authority": "provincial_chair"}, headers=arrange.authority()
    )
    assert decided.status_code == 201, decided.text
    [award] = decided.json()["awards"]
    # 0.3 × 2,340,000 = 702,000, rounded up to 710,000.
    assert (award["award_type_code"], award["bonus_vnd"]) == ("GIAY_KHEN_CT_HUYEN", 710_000)


async def test_before_the_reform_the_province_does_not_sign_for_the_district(
    client: httpx.AsyncClient, arrange: Arrange
) -> None:
    with clock.pinned(dt.datetime(2025, 3, 10, 3, tzinfo=dt.UTC)):
        passed = await arrange.passed("GIAY_KHEN_CT_HUYEN")
        body = {
            "number": f"{unique('QD')}/QĐ-UBND",
            "signed_on": "2025-03-10",
            "signer": "Chủ tịch UBND tỉnh",
            "authority": "provincial_chair",
            "nomination_ids": [passed["id"]],
        }
        refused = await client.post("/v1/decisions", json=body, headers=arrange.authority())
        detail = assert_problem(refused, 422, "wrong-authority")["detail"]
        assert "decided by district_chair on 2025-03-10" in detail
        district = arrange.auth("authority", org_unit="HT-THA", subject="district-chair")
        signed = body | {"authority": "district_chair", "signer": "Chủ tịch UBND huyện Thạch Hà"}
        decided = await client.post("/v1/decisions", json=signed, headers=district)
    assert decided.status_code == 201, decided.text


async def test_a_list_passed_by_the_council_is_not_sent_to_it_again(arrange: Arrange) -> None:
    disclosed = await arrange.disclosed("CSTD_CAP_TINH")
    with after_disclosure():
        again = await arrange.steps.act(disclosed["id"], "send_to_council", arrange.steps.secretariat())
    assert assert_problem(again, 409, "action-not-allowed")["current_status"] == "disclosure"


async def test_the_secretariat_still_judges_a_list_under_public_comment(arrange: Arrange) -> None:
    """A rule that fails while the public comments can be overridden, or the dossier returned or rejected."""
    disclosed = await disclosed_before_the_council(arrange, "HUAN_CHUONG_LD_3")
    allowed = disclosed["allowed_actions"]
    assert {"override", "return", "reject", "send_to_council"} <= set(allowed)
    returned = await arrange.steps.must(
        disclosed["id"], "return", arrange.steps.secretariat(), note="Bổ sung xác nhận của Bộ"
    )
    assert returned["status"] == "returned"


def test_a_high_honour_never_disclosed_is_disclosed_after_the_council() -> None:
    """A high honour already before the council when its version's stage became before_council has its
    public period after the council: the public has its say before the decision either way."""
    never, already = Nomination(disclosure_from=None), Nomination(disclosure_from=dt.date(2026, 3, 10))
    assert guards.disclosed_after("before_council", never)
    assert not guards.disclosed_after("before_council", already)
    assert guards.disclosed_after("after_council", already)
    assert not guards.disclosed_after("none", never)


async def test_the_catalogue_date_is_fixed_when_the_dossier_is_first_sent(
    client: httpx.AsyncClient, arrange: Arrange
) -> None:
    """Drafted in the last days of the 2003 law's regime, sent in the first days of the 2022 law's: judged by
    the new one; returned and sent again later, it keeps the date of its first sending."""
    steps, secretariat, officer = arrange.steps, arrange.steps.secretariat(), arrange.steps.officer("HT-THA")
    with clock.pinned(dt.datetime(2023, 12, 20, 3, tzinfo=dt.UTC)):
        round_ = await steps.create_round(year=2023, reference_date="2023-12-31")
        draft = await steps.nominate(round_["id"], "HT-THA", award_type_code="CSTD_CAP_TINH")
    assert (draft["catalogue_date"], draft["award_name"]) == (
        "2023-12-31",
        "Chiến sĩ thi đua cấp bộ, ban, ngành, tỉnh",
    )
    with clock.pinned(dt.datetime(2024, 1, 3, 3, tzinfo=dt.UTC)):
        sent = await steps.must(draft["id"], "submit", officer)
        assert (sent["catalogue_date"], sent["award_name"]) == ("2024-01-01", "Chiến sĩ thi đua cấp tỉnh")
        await steps.must(draft["id"], "return", secretariat, note="Bổ sung sáng kiến")
        again = await steps.must(draft["id"], "resubmit", officer)
        assert again["catalogue_date"] == "2024-01-01"
        eligibility = (
            await client.get(f"/v1/nominations/{draft['id']}/eligibility", headers=secretariat)
        ).json()
    assert eligibility["judged_on"] == "2024-01-01"
    assert all("06/2022/QH15" in verdict["legal_source"] for verdict in eligibility["verdicts"])
    events = (await client.get(f"/v1/nominations/{draft['id']}/events", headers=secretariat)).json()["items"]
    [submit] = [event for event in events if event["action"] == "submit"]
    assert submit["details"] == {"catalogue_date": "2024-01-01", "catalogue_date_before": "2023-12-31"}
