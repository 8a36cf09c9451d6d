"""The events nominations writes to its outbox, taken through the service's API: for each type, exactly the
fields of the contract (docs/events.md, validated by notifications with ``extra="forbid"``), version 1,
about the right subject; objections without the objector, council sessions without a ballot."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.flows import etag, unique
from devstack.testing import dates
from nominations.nominations.workflow import ANNOUNCEMENTS, WORKFLOW
from services.nominations.tests.arrange import DISCLOSURE_DAYS, DISCLOSURE_UNTIL, Arrange
from shared import clock

OBJECTION = {"text": "Sáng kiến đã được khen thưởng ở đợt trước.", "contact": "Lê Văn Tố, 0912 000 111"}
FORWARDING = {"to": "prime_minister", "document_number": "77/TTr-UBND", "sent_on": "2026-03-30"}
NOMINATION_FIELDS = {
    "nomination_id",
    "round_id",
    "award_type",
    "nominee_name",
    "nominating_org_unit",
    "status",
    "note",
}
OBJECTION_FIELDS = {
    "objection_id",
    "nomination_id",
    "round_id",
    "award_type",
    "nominee_name",
    "nominating_org_unit",
}
SESSION_FIELDS = {"session_id", "round_id", "name", "held_on", "members"}


@dataclass(frozen=True)
class Written:
    event_type: str
    version: int
    subject: str
    data: dict[str, Any]


async def written(db_session: AsyncSession, subject: str, event_type: str | None = None) -> list[Written]:
    """The outbox rows about ``subject`` (of one type), in the order written."""
    rows = await db_session.execute(
        text(
            "SELECT event_type, version, subject, payload FROM nominations.outbox"
            " WHERE subject = :subject AND (CAST(:type AS text) IS NULL OR event_type = :type)"
            " ORDER BY occurred_at, event_type"
        ),
        {"subject": subject, "type": event_type},
    )
    return [Written(*row) for row in rows.all()]


async def one(db_session: AsyncSession, subject: str, event_type: str) -> dict[str, Any]:
    [event] = await written(db_session, subject, event_type)
    assert (event.version, event.subject) == (1, subject)
    return event.data


def nomination_data(nomination: dict[str, Any], status: str, note: str | None = None) -> dict[str, Any]:
    return {
        "nomination_id": nomination["id"],
        "round_id": nomination["round_id"],
        "award_type": nomination["award_type_code"],
        "nominee_name": nomination["nominee"]["name"],
        "nominating_org_unit": nomination["nominating_org_unit"],
        "status": status,
        "note": note,
    }


def after_disclosure() -> AbstractContextManager[None]:
    return clock.pinned(dates.days_later(DISCLOSURE_DAYS + 1))


def decision(nomination_ids: list[int], **overrides: Any) -> dict[str, Any]:
    return {
        "number": f"{unique('QD')}/QĐ-UBND",
        "signed_on": (dates.SUITE_TODAY + dt.timedelta(days=DISCLOSURE_DAYS + 1)).isoformat(),
        "signer": "Võ Trọng Hải",
        "signer_title": "Chủ tịch UBND tỉnh",
        "authority": "provincial_chair",
        "nomination_ids": nomination_ids,
    } | overrides


def test_only_actions_of_the_workflow_are_announced_and_edits_are_not() -> None:
    assert set(ANNOUNCEMENTS) <= set(WORKFLOW)
    quiet = {action.value for action in WORKFLOW if action not in ANNOUNCEMENTS}
    assert quiet == {
        "create",
        "edit",
        "attachment_added",
        "attachment_removed",
        "evidence",
        "override",
        "council_approve",
    }


async def test_submitted_and_resubmitted(arrange: Arrange, db_session: AsyncSession) -> None:
    steps = arrange.steps
    round_ = await steps.create_round()
    nomination = await steps.nominate(round_["id"], "HT-THA")
    officer, secretariat = steps.officer("HT-THA"), steps.secretariat()
    await steps.must(nomination["id"], "submit", officer)
    await steps.must(nomination["id"], "return", secretariat, note="Thiếu xác nhận sáng kiến")
    await steps.must(nomination["id"], "resubmit", officer)
    subject = f"nomination/{nomination['id']}"
    first, again = (event.data for event in await written(db_session, subject, "nomination.submitted"))
    assert first == nomination_data(nomination, "submitted") | {"resubmitted": False}
    assert again == nomination_data(nomination, "submitted") | {"resubmitted": True}
    # An edit of the draft, and the draft itself, are not news.
    types = [event.event_type for event in await written(db_session, subject)]
    assert types == ["nomination.submitted", "nomination.returned", "nomination.submitted"]


async def test_returned_with_the_reason(arrange: Arrange, db_session: AsyncSession) -> None:
    steps = arrange.steps
    round_ = await steps.create_round()
    nomination = await steps.nominate(round_["id"], "HT-THA")
    await steps.must(nomination["id"], "submit", steps.officer("HT-THA"))
    await steps.must(nomination["id"], "return", steps.secretariat(), note="Thiếu xác nhận sáng kiến")
    data = await one(db_session, f"nomination/{nomination['id']}", "nomination.returned")
    assert data == nomination_data(nomination, "returned", "Thiếu xác nhận sáng kiến")


async def test_screened_with_the_rules_that_failed(arrange: Arrange, db_session: AsyncSession) -> None:
    steps = arrange.steps
    round_ = await steps.create_round()
    # CSTD_CO_SO needs a recognised initiative: without one, its rule fails at screening.
    failing = await steps.nominate(round_["id"], "HT-THA", initiatives=[])
    passing = await steps.nominate(round_["id"], "HT-THA")
    failed_rules = {}
    for nomination in (failing, passing):
        await steps.must(nomination["id"], "submit", steps.officer("HT-THA"))
        screened = await steps.must(nomination["id"], "screen", steps.secretariat())
        verdicts = screened["eligibility"]["verdicts"]
        data = await one(db_session, f"nomination/{nomination['id']}", "nomination.screened")
        failed_rules[nomination["id"]] = data.pop("failed_rules")
        assert failed_rules[nomination["id"]] == [v["kind"] for v in verdicts if v["status"] == "failed"]
        assert data == nomination_data(nomination, "screening")
    assert failed_rules[failing["id"]] != []
    assert failed_rules[passing["id"]] == []


async def test_sent_to_council(arrange: Arrange, db_session: AsyncSession) -> None:
    nomination = await arrange.in_council()
    data = await one(db_session, f"nomination/{nomination['id']}", "nomination.sent_to_council")
    assert data == nomination_data(nomination, "council")


async def test_withdrawn(arrange: Arrange, db_session: AsyncSession) -> None:
    steps = arrange.steps
    round_ = await steps.create_round()
    nomination = await steps.nominate(round_["id"], "HT-THA")
    await steps.must(nomination["id"], "withdraw", steps.officer("HT-THA"))
    data = await one(db_session, f"nomination/{nomination['id']}", "nomination.withdrawn")
    assert data == nomination_data(nomination, "withdrawn")


async def test_disclosure_opened_before_the_council(arrange: Arrange, db_session: AsyncSession) -> None:
    steps = arrange.steps
    round_ = await steps.create_round()
    screened = await steps.screened(round_["id"], "HT-THA", award_type_code="CSTD_TOAN_QUOC")
    await steps.must(screened["id"], "disclose", steps.secretariat(), if_match=etag(screened))
    data = await one(db_session, f"nomination/{screened['id']}", "disclosure.opened")
    assert data == nomination_data(screened, "public_comment") | {
        "stage": "before_council",
        "opens_on": dates.SUITE_TODAY.isoformat(),
        "closes_on": DISCLOSURE_UNTIL.isoformat(),
    }


async def test_disclosure_opened_after_the_council(arrange: Arrange, db_session: AsyncSession) -> None:
    nomination = await arrange.disclosed()
    data = await one(db_session, f"nomination/{nomination['id']}", "disclosure.opened")
    assert data == nomination_data(nomination, "disclosure") | {
        "stage": "after_council",
        "opens_on": dates.SUITE_TODAY.isoformat(),
        "closes_on": DISCLOSURE_UNTIL.isoformat(),
    }
    # The council's pass into disclosure is announced as the disclosure, nothing else.
    types = [event.event_type for event in await written(db_session, f"nomination/{nomination['id']}")]
    assert "nomination.council_pass" not in types
    assert types.count("disclosure.opened") == 1


async def test_forwarded_to_the_prime_minister(arrange: Arrange, db_session: AsyncSession) -> None:
    nomination = await arrange.disclosed("BANG_KHEN_TTG")
    with after_disclosure():
        await arrange.steps.must(
            nomination["id"], "forward", arrange.steps.secretariat(), forwarding=FORWARDING
        )
    data = await one(db_session, f"nomination/{nomination['id']}", "nomination.forwarded")
    assert data == nomination_data(nomination, "forwarded") | {"to_authority": "prime_minister"}


async def test_decided_by_every_deciding_action(
    client: httpx.AsyncClient, arrange: Arrange, db_session: AsyncSession
) -> None:
    steps, secretariat = arrange.steps, arrange.steps.secretariat()
    # reject, by the secretariat at screening
    round_ = await steps.create_round()
    screened = await steps.screened(round_["id"], "HT-THA")
    await steps.must(screened["id"], "reject", secretariat, note="Không đủ tiêu chuẩn")
    rejected = await one(db_session, f"nomination/{screened['id']}", "nomination.decided")
    assert rejected == nomination_data(screened, "decided", "Không đủ tiêu chuẩn") | {"outcome": "rejected"}

    # council_fail: every member rejects
    in_council = await arrange.in_council()
    opened = await client.post(
        "/v1/council-sessions",
        json={
            "round_id": in_council["round_id"],
            "name": "Phiên họp",
            "held_on": clock.today().isoformat(),
            "members": [{"subject": f"member-{i}", "name": f"Ủy viên {i}"} for i in range(3)],
            "nomination_ids": [in_council["id"]],
        },
        headers=secretariat,
    )
    assert opened.status_code == 201, opened.text
    path = f"/v1/council-sessions/{opened.json()['id']}"
    for number in range(3):
        ballot = await client.post(
            f"{path}/ballots",
            json={"choices": {str(in_council["id"]): "reject"}},
            headers=steps.member(number),
        )
        assert ballot.status_code == 201, ballot.text
    read = await client.get(path, headers=secretariat)
    closed = await client.post(
        f"{path}/actions/close", headers=secretariat | {"If-Match": read.headers["ETag"]}
    )
    assert closed.status_code == 200, closed.text
    failed = await one(db_session, f"nomination/{in_council['id']}", "nomination.decided")
    assert failed == nomination_data(in_council, "decided") | {"outcome": "rejected"}

    # award, by the provincial chair's decision
    disclosed = await arrange.disclosed()
    with after_disclosure():
        issued = await client.post(
            "/v1/decisions", json=decision([disclosed["id"]], note="Khen"), headers=arrange.authority()
        )
    assert issued.status_code == 201, issued.text
    awarded = await one(db_session, f"nomination/{disclosed['id']}", "nomination.decided")
    assert awarded == nomination_data(disclosed, "decided", "Khen") | {"outcome": "awarded"}

    # decline, by the office that forwarded it
    forwardable = await arrange.disclosed("BANG_KHEN_TTG")
    with after_disclosure():
        await steps.must(forwardable["id"], "forward", secretariat, forwarding=FORWARDING)
        await steps.must(forwardable["id"], "decline", arrange.authority(), note="Không được khen")
    declined = await one(db_session, f"nomination/{forwardable['id']}", "nomination.decided")
    assert declined == nomination_data(forwardable, "decided", "Không được khen") | {"outcome": "rejected"}


async def test_objection_filed_without_the_objector(
    client: httpx.AsyncClient, arrange: Arrange, db_session: AsyncSession
) -> None:
    nomination = await arrange.disclosed()
    before = [event.event_type for event in await written(db_session, f"nomination/{nomination['id']}")]
    filed = await client.post(f"/v1/public/disclosures/{nomination['id']}/objections", json=OBJECTION)
    assert filed.status_code == 201, filed.text
    objection_id = filed.json()["id"]
    data = await one(db_session, f"objection/{objection_id}", "objection.filed")
    assert data == {
        "objection_id": objection_id,
        "nomination_id": nomination["id"],
        "round_id": nomination["round_id"],
        "award_type": nomination["award_type_code"],
        "nominee_name": nomination["nominee"]["name"],
        "nominating_org_unit": nomination["nominating_org_unit"],
    }
    everything = await db_session.scalars(text("SELECT payload::text FROM nominations.outbox"))
    for payload in everything:
        assert OBJECTION["contact"] not in payload
        assert "Lê Văn Tố" not in payload
        assert OBJECTION["text"] not in payload
    # The nomination's own events are as they were: an objection is news about the objection.
    types = [event.event_type for event in await written(db_session, f"nomination/{nomination['id']}")]
    assert sorted(types) == sorted(before)


async def test_objection_dismissed_and_upheld(
    client: httpx.AsyncClient, arrange: Arrange, db_session: AsyncSession
) -> None:
    nomination = await arrange.disclosed()
    secretariat = arrange.steps.secretariat()
    ids = []
    for _ in range(3):
        filed = await client.post(f"/v1/public/disclosures/{nomination['id']}/objections", json=OBJECTION)
        assert filed.status_code == 201, filed.text
        ids.append(filed.json()["id"])
    findings = [
        ("dismissed", "Không có căn cứ."),
        ("upheld", "Sáng kiến trùng với hồ sơ năm trước."),
        ("upheld", "Cũng trùng."),  # against a nomination the second has rejected: uphold_objection_again
    ]
    for objection_id, (outcome, note) in zip(ids, findings, strict=True):
        resolved = await client.post(
            f"/v1/nominations/{nomination['id']}/objections/{objection_id}/resolution",
            json={"outcome": outcome, "note": note},
            headers=secretariat,
        )
        assert resolved.status_code == 200, resolved.text
        data = await one(db_session, f"objection/{objection_id}", "objection.resolved")
        assert set(data) == OBJECTION_FIELDS | {"resolution", "note"}
        assert (data["objection_id"], data["nomination_id"]) == (objection_id, nomination["id"])
        assert (data["resolution"], data["note"]) == (outcome, note)
        assert OBJECTION["contact"] not in str(data)
    decided = [
        event.data
        for event in await written(db_session, f"nomination/{nomination['id']}", "nomination.decided")
    ]
    assert decided == [
        nomination_data(nomination, "decided", findings[1][1]) | {"outcome": "rejected"},
        nomination_data(nomination, "decided", findings[2][1]) | {"outcome": "rejected"},
    ]


async def test_council_session_opened_and_closed_without_a_ballot(
    client: httpx.AsyncClient, arrange: Arrange, db_session: AsyncSession
) -> None:
    steps, secretariat = arrange.steps, arrange.steps.secretariat()
    round_ = await steps.create_round()
    approved = await steps.to_council(round_["id"], "HT-THA", award_type_code="CSTD_CAP_TINH")
    rejected = await steps.to_council(round_["id"], "HT-CLO", award_type_code="CSTD_CAP_TINH")
    members = [{"subject": f"member-{i}", "name": f"Ủy viên {i}"} for i in range(3)]
    opened = await client.post(
        "/v1/council-sessions",
        json={
            "round_id": round_["id"],
            "name": "Phiên họp Hội đồng Thi đua - Khen thưởng tỉnh",
            "held_on": "2026-03-12",
            "members": list(reversed(members)),
            "nomination_ids": [approved["id"], rejected["id"]],
        },
        headers=secretariat,
    )
    assert opened.status_code == 201, opened.text
    session_id = opened.json()["id"]
    subject = f"council_session/{session_id}"
    assert await one(db_session, subject, "council_session.opened") == {
        "session_id": session_id,
        "round_id": round_["id"],
        "name": "Phiên họp Hội đồng Thi đua - Khen thưởng tỉnh",
        "held_on": "2026-03-12",
        "members": members,
        "agenda_size": 2,
    }
    for number in range(3):
        ballot = await client.post(
            f"/v1/council-sessions/{session_id}/ballots",
            json={"choices": {str(approved["id"]): "approve", str(rejected["id"]): "reject"}},
            headers=steps.member(number),
        )
        assert ballot.status_code == 201, ballot.text
    assert [event.event_type for event in await written(db_session, subject)] == ["council_session.opened"]
    read = await client.get(f"/v1/council-sessions/{session_id}", headers=secretariat)
    closed = await client.post(
        f"/v1/council-sessions/{session_id}/actions/close",
        headers=secretariat | {"If-Match": read.headers["ETag"]},
    )
    assert closed.status_code == 200, closed.text
    assert await one(db_session, subject, "council_session.closed") == {
        "session_id": session_id,
        "round_id": round_["id"],
        "name": "Phiên họp Hội đồng Thi đua - Khen thưởng tỉnh",
        "held_on": "2026-03-12",
        "members": members,
        "ballots_cast": 3,
        "passed": 1,
        "failed": 1,
    }
    # Nothing in any event of the session or its nominations tells a choice or who made it.
    about = [subject, f"nomination/{approved['id']}", f"nomination/{rejected['id']}"]
    for event in [event for one_subject in about for event in await written(db_session, one_subject)]:
        assert not {"approve", "reject", "abstain", "choices", "tally", "threshold", "voted"} & set(
            event.data
        )
        for word in ("approve", "abstain", "choice"):
            assert word not in str(event.data)


async def test_award_granted_per_award(
    client: httpx.AsyncClient, arrange: Arrange, db_session: AsyncSession
) -> None:
    cstd = await arrange.disclosed("CSTD_CAP_TINH")
    bang_khen = await arrange.disclosed("BANG_KHEN_CT_TINH", unit="HT-CLO")
    body = decision([cstd["id"], bang_khen["id"]])
    with after_disclosure():
        response = await client.post("/v1/decisions", json=body, headers=arrange.authority())
    assert response.status_code == 201, response.text
    issued = response.json()
    for award in issued["awards"]:
        data = await one(db_session, f"award/{award['id']}", "award.granted")
        assert data == {
            "award_id": award["id"],
            "decision_id": issued["id"],
            "decision_number": body["number"],
            "decision_date": body["signed_on"],
            "award_type": award["award_type_code"],
            "recipient_name": award["recipient_name"],
            "org_unit": award["org_unit"],
            "nomination_id": award["nomination_id"],
            "bonus_vnd": award["bonus_vnd"],
        }
        assert isinstance(data["bonus_vnd"], int)
    assert {award["org_unit"] for award in issued["awards"]} == {"HT-THA", "HT-CLO"}
    assert {award["nomination_id"] for award in issued["awards"]} == {cstd["id"], bang_khen["id"]}
