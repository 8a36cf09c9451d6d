"""Nominations through their workflow: scope, states, deadlines, audit trail and outbox, all in one place."""

import datetime as dt
import socket

import httpx
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.flows import AwardsFlow
from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth
from nominations.org_scope import TargetsClient


def flow(client: httpx.AsyncClient, auth: Auth) -> AwardsFlow:
    return AwardsFlow(client, auth)


async def test_a_unit_officer_drafts_for_their_own_unit_and_sees_what_they_may_do(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    steps = flow(client, auth)
    round_ = await steps.create_round()
    nomination = await steps.nominate(round_["id"], "HT-THA")
    assert nomination["status"] == "draft"
    assert nomination["nominating_org_unit_name"] == "Huyện Thạch Hà"
    assert sorted(nomination["allowed_actions"]) == ["submit", "withdraw"]
    read = await client.get(f"/v1/nominations/{nomination['id']}", headers=steps.secretariat())
    assert read.status_code == 200
    assert read.json()["allowed_actions"] == []  # the secretariat waits for the submission
    assert read.headers["ETag"] == f'"{nomination["version"]}"'


async def test_another_units_officer_can_neither_draft_nor_see_it(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    steps = flow(client, auth)
    round_ = await steps.create_round()
    refused = await client.post(
        "/v1/nominations", json=steps.nomination_body(round_["id"], "HT-THA"), headers=steps.officer("HT-CLO")
    )
    assert_problem(refused, 403, "out-of-scope")
    nomination = await steps.nominate(round_["id"], "HT-THA")
    hidden = await client.get(f"/v1/nominations/{nomination['id']}", headers=steps.officer("HT-CLO"))
    assert_problem(hidden, 404, "nomination-not-found")
    listed = await client.get(
        "/v1/nominations", params={"round_id": round_["id"]}, headers=steps.officer("HT-CLO")
    )
    assert listed.json()["items"] == []
    # The province's officer acts for every unit below it on the round's date.
    above = await client.get(f"/v1/nominations/{nomination['id']}", headers=steps.officer("HT"))
    assert above.status_code == 200
    assert "submit" in above.json()["allowed_actions"]


async def test_the_nominee_must_belong_to_the_nominating_unit_and_fit_the_award(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    steps = flow(client, auth)
    round_ = await steps.create_round()
    outside = await client.post(
        "/v1/nominations",
        json=steps.nomination_body(round_["id"], "HT-THA", nominee={"org_unit": "HT-CLO"}),
        headers=steps.officer("HT-THA"),
    )
    assert_problem(outside, 422, "invalid-nomination")
    wrong_kind = await client.post(
        "/v1/nominations",
        json=steps.nomination_body(round_["id"], "HT-THA", nominee={"kind": "collective"}),
        headers=steps.officer("HT-THA"),
    )
    body = assert_problem(wrong_kind, 422, "invalid-nomination")
    assert body["errors"] == [
        {"name": "nominee.kind", "reason": "CSTD_CO_SO is for a individual, not a collective"}
    ]


async def test_submit_return_resubmit_with_the_audit_trail_and_outbox(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    steps = flow(client, auth)
    round_ = await steps.create_round()
    nomination = await steps.nominate(round_["id"], "HT-THA")
    officer, secretariat = steps.officer("HT-THA"), steps.secretariat()
    submitted = await steps.must(nomination["id"], "submit", officer)
    assert submitted["status"] == "submitted"
    again = await steps.act(nomination["id"], "submit", officer)
    problem = assert_problem(again, 409, "action-not-allowed")
    assert problem["allowed_actions"] == ["withdraw"]
    no_reason = await steps.act(nomination["id"], "return", secretariat)
    assert_problem(no_reason, 400, "note-required")
    returned = await steps.must(nomination["id"], "return", secretariat, note="Thiếu xác nhận sáng kiến")
    assert returned["status"] == "returned"
    not_yours = await steps.act(nomination["id"], "resubmit", secretariat)
    assert assert_problem(not_yours, 403, "action-forbidden")["allowed_actions"] == []
    resubmitted = await steps.must(nomination["id"], "resubmit", officer)
    assert resubmitted["status"] == "submitted"

    events = (await client.get(f"/v1/nominations/{nomination['id']}/events", headers=secretariat)).json()

    events = events["items"]
    assert [(e["action"], e["from_status"], e["to_status"], e["actor"]) for e in events] == [
        ("create", None, "draft", "officer-HT-THA"),
        ("submit", "draft", "submitted", "officer-HT-THA"),
        ("return", "submitted", "returned", "secretariat-1"),
        ("resubmit", "returned", "submitted", "officer-HT-THA"),
    ]
    assert events[2]["note"] == "Thiếu xác nhận sáng kiến"
    outbox = (
        await db_session.execute(
            text("SELECT event_type FROM nominations.outbox WHERE subject = :s ORDER BY occurred_at"),
            {"s": f"nomination/{nomination['id']}"},
        )
    ).scalars()
    assert list(outbox) == ["nomination.submitted", "nomination.returned", "nomination.submitted"]


async def test_a_refused_action_writes_nothing(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    steps = flow(client, auth)
    round_ = await steps.create_round()
    nomination = await steps.nominate(round_["id"], "HT-THA")
    await steps.act(nomination["id"], "screen", steps.secretariat())
    count = await db_session.scalar(
        text("SELECT count(*) FROM nominations.nomination_events WHERE nomination_id = :id"),
        {"id": nomination["id"]},
    )
    assert count == 1  # the creation only


async def test_unknown_actions_are_named(client: httpx.AsyncClient, auth: Auth) -> None:
    steps = flow(client, auth)
    round_ = await steps.create_round()
    nomination = await steps.nominate(round_["id"], "HT-THA")
    body = assert_problem(
        await steps.act(nomination["id"], "approve", steps.secretariat()), 400, "unknown-action"
    )
    assert "submit" in body["actions"]
    assert "award" not in body["actions"]


async def test_screening_failure_blocks_the_council_until_overridden_with_a_reason(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    steps = flow(client, auth)
    round_ = await steps.create_round()
    # No initiative: the CSTD_CO_SO rule "initiative" fails.
    nomination = await steps.nominate(round_["id"], "HT-THA", initiatives=[])
    secretariat = steps.secretariat()
    await steps.must(nomination["id"], "submit", steps.officer("HT-THA"))
    screened = await steps.must(nomination["id"], "screen", secretariat)
    verdicts = {v["kind"]: v["status"] for v in screened["eligibility"]["verdicts"]}
    assert verdicts["initiative"] == "failed"
    assert verdicts["no_open_discipline"] == "passed"
    blocked = assert_problem(
        await steps.act(nomination["id"], "send_to_council", secretariat), 409, "not-eligible"
    )
    assert "initiative" in blocked["failed_rules"]
    assert_problem(
        await steps.act(nomination["id"], "override", secretariat, override={"rule": "initiative"}),
        400,
        "note-required",
    )
    overridden = await steps.must(
        nomination["id"],
        "override",
        secretariat,
        override={"rule": "initiative"},
        note="Sáng kiến đã được Hội đồng sáng kiến cơ sở công nhận ngày 20/12, chờ quyết định",
    )
    assert overridden["overrides"][0]["rule"] == "initiative"
    assert overridden["overrides"][0]["by"] == "secretariat-1"
    # holds_title LDTT is unknown (no history) and quota unknown: only failures block.
    in_council = await steps.must(nomination["id"], "send_to_council", secretariat)
    assert in_council["status"] == "council"


async def test_submission_after_the_deadline_is_refused(client: httpx.AsyncClient, auth: Auth) -> None:
    steps = flow(client, auth)
    round_ = await steps.create_round(opens_on="2026-01-05", submission_working_days=5)
    refused = await client.post(
        "/v1/nominations", json=steps.nomination_body(round_["id"], "HT-THA"), headers=steps.officer("HT-THA")
    )
    body = assert_problem(refused, 409, "deadline-passed")
    # Tue 6 … Fri 9, then Saturday 10/1/2026, worked in exchange for 2/1 (Văn bản 12729/VPCP-KGVX).
    assert body["deadline"] == "2026-01-10"


async def test_the_same_idempotency_key_creates_one_nomination(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    steps = flow(client, auth)
    round_ = await steps.create_round()
    body = steps.nomination_body(round_["id"], "HT-THA")
    headers = steps.officer("HT-THA") | {"Idempotency-Key": "nom-1"}
    first = await client.post("/v1/nominations", json=body, headers=headers)
    second = await client.post("/v1/nominations", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    count = await db_session.scalar(
        text("SELECT count(*) FROM nominations.nominations WHERE round_id = :r"), {"r": round_["id"]}
    )
    assert count == 1


async def test_edits_need_the_current_etag(client: httpx.AsyncClient, auth: Auth) -> None:
    steps = flow(client, auth)
    round_ = await steps.create_round()
    nomination = await steps.nominate(round_["id"], "HT-THA")
    officer = steps.officer("HT-THA")
    url = f"/v1/nominations/{nomination['id']}"
    assert (await client.patch(url, json={"achievements": "x"}, headers=officer)).status_code == 428
    edited = await client.patch(
        url, json={"achievements": "Thành tích mới"}, headers=officer | {"If-Match": '"1"'}
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["achievements"] == "Thành tích mới"
    stale = await client.patch(url, json={"achievements": "y"}, headers=officer | {"If-Match": '"1"'})
    assert_problem(stale, 412, "version-mismatch")
    await steps.must(nomination["id"], "submit", officer)
    locked = await client.patch(
        url, json={"achievements": "z"}, headers=officer | {"If-Match": edited.headers["ETag"]}
    )
    assert locked.status_code in (409, 412)


async def test_a_new_nominee_must_fit_the_award_type_of_the_nominations_catalogue(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    steps = flow(client, auth)
    round_ = await steps.create_round()
    nomination = await steps.nominate(round_["id"], "HT-THA")
    officer = steps.officer("HT-THA") | {"If-Match": '"1"'}
    url = f"/v1/nominations/{nomination['id']}"
    nominee = {"kind": "individual", "name": "Trần Văn Bình", "key": "CB-77", "org_unit": "HT-THA"}
    moved = await client.patch(url, json={"nominee": nominee}, headers=officer)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["nominee"]["name"], moved.json()["catalogue_date"]) == (
        "Trần Văn Bình",
        "2025-07-01",
    )
    collective = nominee | {"kind": "collective"}
    refused = await client.patch(url, json={"nominee": collective}, headers=officer | {"If-Match": '"2"'})
    assert (
        "is for a individual, not a collective"
        in assert_problem(refused, 422, "invalid-nomination")["detail"]
    )


async def test_viewers_and_reporters_do_not_read_dossiers(client: httpx.AsyncClient, auth: Auth) -> None:
    for role in ("viewer", "reporter"):
        response = await client.get("/v1/nominations", headers=auth(role, org_unit="HT"))
        assert_problem(response, 403, "missing-role")


async def test_the_targets_service_down_is_a_clear_503_and_nothing_is_written(
    client: httpx.AsyncClient, auth: Auth, running_app: FastAPI, db_session: AsyncSession
) -> None:
    steps = flow(client, auth)
    round_ = await steps.create_round()
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    real = running_app.state.targets
    running_app.state.targets = TargetsClient(f"http://127.0.0.1:{port}", retries=0)
    try:
        # A unit officer of the province needs the hierarchy to act for a district.
        response = await client.post(
            "/v1/nominations", json=steps.nomination_body(round_["id"], "HT-THA"), headers=steps.officer("HT")
        )
    finally:
        await running_app.state.targets.aclose()
        running_app.state.targets = real
    body = assert_problem(response, 503, "targets-unavailable")
    assert f"127.0.0.1:{port}" in body["detail"]
    count = await db_session.scalar(
        text("SELECT count(*) FROM nominations.nominations WHERE round_id = :r"), {"r": round_["id"]}
    )
    assert count == 0


async def test_a_borrowed_key_lends_no_history_and_is_flagged(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    steps = flow(client, auth)
    round_ = await steps.create_round()
    for year in (2022, 2023, 2024):
        await db_session.execute(
            text(
                "INSERT INTO nominations.awards (source, recipient_kind, recipient_key, recipient_name,"
                " org_unit, org_unit_name, org_unit_path, award_type_code, award_name, year, occasion,"
                " decision_number, decision_date, decision_authority, search_tokens, created_by)"
                " VALUES ('import', 'individual', 'CB-SHARED', :name, 'HT-THA', 'Huyện Thạch Hà',"
                " ARRAY['HT-THA','HT'], 'CSTD_CO_SO', 'Chiến sĩ thi đua cơ sở', :year, 'annual', :number,"
                " :day, 'district_chair', ARRAY['x'], 'test')"
            ),
            {"name": "Nguyễn Văn Khác", "year": year, "number": f"{year}/QĐ", "day": dt.date(year, 12, 20)},
        )
    await db_session.execute(
        text("UPDATE nominations.awards SET achievement_key = 'ACH-SHARED' WHERE recipient_key = 'CB-SHARED'")
    )
    await db_session.commit()  # the savepoint, inside the test's rolled-back transaction
    initiative = [{"title": "Sáng kiến", "scope": "provincial", "year": 2024}]
    borrowed = await steps.nominate(
        round_["id"],
        "HT-THA",
        award_type_code="CSTD_CAP_TINH",
        nominee={"name": "Nguyễn Thị Hà", "key": "CB-SHARED"},
        initiatives=initiative,
        achievement_keys=["ACH-SHARED"],
    )
    own = await steps.nominate(
        round_["id"],
        "HT-THA",
        award_type_code="CSTD_CAP_TINH",
        nominee={"name": "nguyen van khac", "key": "CB-SHARED"},
        initiatives=initiative,
    )
    secretariat = steps.secretariat()
    judged = (await client.get(f"/v1/nominations/{borrowed['id']}/eligibility", headers=secretariat)).json()
    verdicts = {v["kind"]: v["status"] for v in judged["verdicts"]}
    assert verdicts["consecutive_titles"] == "failed"  # another person's titles are not lent
    assert verdicts["one_achievement_one_award"] == "failed"  # but what was rewarded under the key stays so
    assert "CB-SHARED" in judged["warnings"][0]
    # The same person, written without accents, is recognised.
    mine = (await client.get(f"/v1/nominations/{own['id']}/eligibility", headers=secretariat)).json()
    assert {v["kind"]: v["status"] for v in mine["verdicts"]}["consecutive_titles"] == "passed"
    assert mine["warnings"] == []


async def test_an_action_needs_the_version_it_was_decided_on(client: httpx.AsyncClient, auth: Auth) -> None:
    steps = flow(client, auth)
    round_ = await steps.create_round()
    nomination = await steps.nominate(round_["id"], "HT-THA")
    officer = steps.officer("HT-THA")
    url = f"/v1/nominations/{nomination['id']}/actions/submit"
    assert_problem(await client.post(url, headers=officer), 428, "precondition-required")
    stale = await client.post(url, headers=officer | {"If-Match": '"0"'})
    assert assert_problem(stale, 412, "version-mismatch")["current_etag"] == f'"{nomination["version"]}"'
    done = await client.post(url, headers=officer | {"If-Match": f'"{nomination["version"]}"'})
    assert done.status_code == 200, done.text
    assert done.headers["ETag"] == f'"{done.json()["version"]}"' != f'"{nomination["version"]}"'
