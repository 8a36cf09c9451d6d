"""Council sessions and secret ballots: quorum, thresholds, what the count does, and the secret itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.flows import AwardsFlow
from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth
from nominations.calendar.service import load_calendar
from shared import clock

SESSIONS = "/v1/council-sessions"


class Council:
    """The steps of a council: nominations brought before it, a session, ballots, the count."""

    def __init__(self, client: httpx.AsyncClient, auth: Auth) -> None:
        self.client = client
        self.auth = auth
        self.steps = AwardsFlow(client, auth)

    def member(self, number: int) -> dict[str, str]:
        return self.auth("council_member", org_unit=None, subject=f"member-{number}")

    async def before_council(
        self, round_id: int, award_type: str = "CSTD_CO_SO", unit: str = "HT-THA"
    ) -> int:
        """A nomination taken through submit, screening (overriding what failed) and send_to_council."""
        in_council = await self.steps.to_council(round_id, unit, award_type_code=award_type)
        assert in_council["status"] == "council"
        nomination_id: int = in_council["id"]
        return nomination_id

    async def open_session(
        self, round_id: int, nomination_ids: list[int], size: int, **extra: Any
    ) -> httpx.Response:
        body = {
            "round_id": round_id,
            "name": "Phiên họp Hội đồng Thi đua - Khen thưởng tỉnh",
            "held_on": "2025-01-15",
            "members": [{"subject": f"member-{i}", "name": f"Ủy viên {i}"} for i in range(size)],
            "nomination_ids": nomination_ids,
        } | extra
        return await self.client.post(SESSIONS, json=body, headers=self.steps.secretariat())

    async def session(self, round_id: int, nomination_ids: list[int], members: int, **extra: Any) -> int:
        response = await self.open_session(round_id, nomination_ids, members, **extra)
        assert response.status_code == 201, response.text
        session_id: int = response.json()["id"]
        return session_id

    async def vote(self, session_id: int, number: int, choices: dict[int, str]) -> httpx.Response:
        return await self.client.post(
            f"{SESSIONS}/{session_id}/ballots",
            json={"choices": {str(k): v for k, v in choices.items()}},
            headers=self.member(number),
        )

    async def votes(self, session_id: int, ballots: list[dict[int, str]]) -> None:
        for number, choices in enumerate(ballots):
            response = await self.vote(session_id, number, choices)
            assert response.status_code == 201, response.text
            assert response.json() == {"session_id": session_id, "recorded": True}

    async def read(self, session_id: int) -> dict[str, Any]:
        response = await self.client.get(f"{SESSIONS}/{session_id}", headers=self.steps.secretariat())
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def close(self, session_id: int) -> httpx.Response:
        """Close with the session's current version, as the secretariat reads it first."""
        read = await self.client.get(f"{SESSIONS}/{session_id}", headers=self.steps.secretariat())
        return await self.client.post(
            f"{SESSIONS}/{session_id}/actions/close",
            headers=self.steps.secretariat() | {"If-Match": read.headers["ETag"]},
        )

    async def nomination(self, nomination_id: int) -> dict[str, Any]:
        response = await self.client.get(f"/v1/nominations/{nomination_id}", headers=self.steps.secretariat())
        body: dict[str, Any] = response.json()
        return body

    async def events(self, nomination_id: int) -> list[dict[str, Any]]:
        response = await self.client.get(
            f"/v1/nominations/{nomination_id}/events", headers=self.steps.secretariat()
        )
        events: list[dict[str, Any]] = response.json()["items"]
        return events


def ballots(*columns: tuple[int, list[str]]) -> list[dict[int, str]]:
    """Per member, the choice on each nomination: ``(nomination_id, [choice of member 0, member 1, ...])``."""
    count = len(columns[0][1])
    return [{nomination_id: choices[i] for nomination_id, choices in columns} for i in range(count)]


def split(approve: int, reject: int, abstain: int = 0) -> list[str]:
    return ["approve"] * approve + ["reject"] * reject + ["abstain"] * abstain


async def test_tallies_are_hidden_until_close_and_the_all_members_threshold_is_exact(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    council = Council(client, auth)
    round_ = await council.steps.create_round()
    seven_id = await council.before_council(round_["id"])
    six_id = await council.before_council(round_["id"])
    session_id = await council.session(round_["id"], [seven_id, six_id], members=10)
    # CSTD_CO_SO: at least 70 % of all members.
    await council.votes(session_id, ballots((seven_id, split(7, 2, 1)), (six_id, split(6, 3, 1))))

    open_ = await council.read(session_id)
    assert open_["status"] == "open"
    assert open_["ballots_cast"] == 10
    assert open_["quorum"] == 7  # ceil(2/3 × 10)
    assert all(member["voted"] for member in open_["members"])
    assert [item["tally"] for item in open_["agenda"]] == [None, None]

    closed = await council.close(session_id)
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["status"] == "closed"
    assert body["closed_by"] == "secretariat-1"
    tallies = {item["nomination_id"]: item["tally"] for item in body["agenda"]}
    assert tallies[seven_id] == {
        "approve": 7,
        "reject": 2,
        "abstain": 1,
        "base": 10,
        "threshold": 0.7,
        "comparison": "gte",
        "passed": True,
    }
    assert tallies[six_id] is not None
    assert (tallies[six_id]["approve"], tallies[six_id]["passed"]) == (6, False)
    assert (await council.read(session_id))["agenda"] == body["agenda"]

    passed, failed = await council.nomination(seven_id), await council.nomination(six_id)
    # CSTD_CO_SO has no public disclosure period: passed, it awaits its decision.
    assert (passed["status"], passed["outcome"]) == ("approved", None)
    assert (passed["disclosure_from"], passed["disclosure_until"]) == (None, None)
    assert passed["council_result"] == {
        "session_id": session_id,
        "approve": 7,
        "reject": 2,
        "abstain": 1,
        "members": 10,
        "ballots_cast": 10,
        "base": 10,
        "threshold": 0.7,
        "comparison": "gte",
        "passed": True,
        "counted_on": clock.today().isoformat(),
    }
    assert (failed["status"], failed["outcome"]) == ("decided", "rejected")
    assert failed["council_result"]["passed"] is False
    last_pass, last_fail = (await council.events(seven_id))[-1], (await council.events(six_id))[-1]
    assert (last_pass["action"], last_pass["from_status"], last_pass["to_status"], last_pass["actor"]) == (
        "council_approve",
        "council",
        "approved",
        "secretariat-1",
    )
    assert (last_fail["action"], last_fail["from_status"], last_fail["to_status"]) == (
        "council_fail",
        "council",
        "decided",
    )


async def test_more_than_half_of_those_present(client: httpx.AsyncClient, auth: Auth) -> None:
    council = Council(client, auth)
    round_ = await council.steps.create_round()
    four = await council.before_council(round_["id"], "LDTT")
    three = await council.before_council(round_["id"], "LDTT")
    session_id = await council.session(round_["id"], [four, three], members=10, quorum=6)
    # LDTT: more than 50 % of the ballots cast; 6 of 10 members vote.
    await council.votes(session_id, ballots((four, split(4, 1, 1)), (three, split(3, 3))))
    closed = await council.close(session_id)
    assert closed.status_code == 200, closed.text
    tallies = {item["nomination_id"]: item["tally"] for item in closed.json()["agenda"]}
    assert (tallies[four]["base"], tallies[four]["comparison"], tallies[four]["passed"]) == (6, "gt", True)
    assert (tallies[three]["base"], tallies[three]["passed"]) == (6, False)  # exactly half is not more
    assert (await council.nomination(four))["status"] == "approved"
    assert (await council.nomination(three))["outcome"] == "rejected"


async def test_a_passed_nomination_is_disclosed_for_working_days(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    council = Council(client, auth)
    round_ = await council.steps.create_round()
    nomination_id = await council.before_council(round_["id"], "BANG_KHEN_CT_TINH")
    session_id = await council.session(round_["id"], [nomination_id], members=3)
    await council.votes(session_id, ballots((nomination_id, split(3, 0))))
    assert (await council.close(session_id)).status_code == 200
    nomination = await council.nomination(nomination_id)
    today = clock.today()
    until = dt.date.fromisoformat(nomination["disclosure_until"])
    assert nomination["status"] == "disclosure"
    assert nomination["disclosure_from"] == today.isoformat()
    # BANG_KHEN_CT_TINH: 10 working days, not 10 calendar days.
    calendar = await load_calendar(db_session)
    assert calendar.working_days_between(today, until) == 10
    assert calendar.is_working_day(until)
    assert (until - today).days >= 14


async def test_below_quorum_nothing_changes(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    council = Council(client, auth)
    round_ = await council.steps.create_round()
    nomination_id = await council.before_council(round_["id"])
    session_id = await council.session(round_["id"], [nomination_id], members=10)
    await council.votes(session_id, ballots((nomination_id, split(6, 0))))
    before = await council.read(session_id)
    events_before = await council.events(nomination_id)

    problem = assert_problem(await council.close(session_id), 409, "quorum-not-met")
    assert (problem["ballots_cast"], problem["quorum"]) == (6, 7)
    assert "6" in problem["detail"]
    assert "7" in problem["detail"]
    assert await council.read(session_id) == before
    assert before["status"] == "open"
    assert (await council.nomination(nomination_id))["status"] == "council"
    assert await council.events(nomination_id) == events_before
    # The seventh ballot makes the quorum.
    assert (await council.vote(session_id, 6, {nomination_id: "approve"})).status_code == 201
    assert (await council.close(session_id)).status_code == 200


async def test_a_closed_session_takes_no_ballot_and_no_second_close(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    council = Council(client, auth)
    round_ = await council.steps.create_round()
    nomination_id = await council.before_council(round_["id"])
    session_id = await council.session(round_["id"], [nomination_id], members=4, quorum=3)
    await council.votes(session_id, ballots((nomination_id, split(3, 0))))
    assert (await council.close(session_id)).status_code == 200
    assert_problem(await council.close(session_id), 409, "session-closed")
    assert_problem(await council.vote(session_id, 3, {nomination_id: "approve"}), 409, "session-closed")
    assert (await council.read(session_id))["ballots_cast"] == 3


async def test_who_may_vote_and_what_a_ballot_must_hold(client: httpx.AsyncClient, auth: Auth) -> None:
    council = Council(client, auth)
    round_ = await council.steps.create_round()
    first = await council.before_council(round_["id"])
    second = await council.before_council(round_["id"])
    session_id = await council.session(round_["id"], [first, second], members=3)
    url = f"{SESSIONS}/{session_id}/ballots"
    full = {"choices": {str(first): "approve", str(second): "reject"}}

    outsider = await client.post(url, json=full, headers=council.member(99))
    assert_problem(outsider, 403, "not-a-member")
    secretary = await client.post(url, json=full, headers=council.steps.secretariat())
    assert_problem(secretary, 403, "missing-role")

    missing = assert_problem(await council.vote(session_id, 0, {first: "approve"}), 422, "invalid-ballot")
    assert (missing["missing_ids"], missing["extra_ids"]) == ([second], [])
    extra = assert_problem(
        await council.vote(session_id, 0, {first: "approve", second: "reject", 999_999: "approve"}),
        422,
        "invalid-ballot",
    )
    assert (extra["missing_ids"], extra["extra_ids"]) == ([], [999_999])
    assert (await council.read(session_id))["ballots_cast"] == 0  # refused ballots count for nothing

    counted = await client.post(url, json=full, headers=council.member(0))
    assert counted.status_code == 201
    assert counted.json() == {"session_id": session_id, "recorded": True}
    assert_problem(await client.post(url, json=full, headers=council.member(0)), 409, "already-voted")
    read = await council.read(session_id)
    assert read["ballots_cast"] == 1
    assert [m["subject"] for m in read["members"] if m["voted"]] == ["member-0"]
    # A council member reads the session (who voted, not how); a unit officer does not.
    as_member = await client.get(f"{SESSIONS}/{session_id}", headers=council.member(1))
    assert as_member.status_code == 200
    assert as_member.json()["agenda"][0]["tally"] is None
    officer = await client.get(f"{SESSIONS}/{session_id}", headers=council.steps.officer("HT-THA"))
    assert_problem(officer, 403, "missing-role")


async def test_the_agenda_takes_only_nominations_waiting_for_this_council(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    council = Council(client, auth)
    round_ = await council.steps.create_round()
    other_round = await council.steps.create_round()
    ready = await council.before_council(round_["id"])
    elsewhere = await council.before_council(other_round["id"])
    draft = (await council.steps.nominate(round_["id"], "HT-THA"))["id"]

    unknown = assert_problem(
        await council.open_session(round_["id"], [ready, 999_999], 3), 422, "invalid-agenda"
    )
    assert unknown["unknown_ids"] == [999_999]
    wrong_round = assert_problem(
        await council.open_session(round_["id"], [ready, elsewhere], 3), 422, "invalid-agenda"
    )
    assert wrong_round["other_round_ids"] == [elsewhere]
    not_ready = assert_problem(
        await council.open_session(round_["id"], [ready, draft], 3), 409, "not-before-council"
    )
    assert not_ready["nomination_ids"] == [draft]
    repeated = assert_problem(
        await council.open_session(
            round_["id"], [ready], 2, members=[{"subject": "m", "name": "A"}, {"subject": "m", "name": "B"}]
        ),
        422,
        "validation-error",
    )
    assert "m" in repeated["detail"]
    assert_problem(await council.open_session(round_["id"], [ready], 3, quorum=4), 422, "validation-error")

    session_id = await council.session(round_["id"], [ready], 3)
    taken = assert_problem(await council.open_session(round_["id"], [ready], 3), 409, "already-on-agenda")
    assert taken["nomination_ids"] == [ready]
    assert taken["sessions"] == {str(ready): session_id}
    listed = await client.get(SESSIONS, params={"round_id": round_["id"]}, headers=council.member(0))
    sessions = listed.json()["items"]
    assert [(s["id"], s["member_count"], s["agenda_size"]) for s in sessions] == [(session_id, 3, 1)]


async def test_the_same_idempotency_key_opens_one_session(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    council = Council(client, auth)
    round_ = await council.steps.create_round()
    nomination_id = await council.before_council(round_["id"])
    body = {
        "round_id": round_["id"],
        "name": "Phiên họp",
        "held_on": "2025-01-15",
        "members": [{"subject": f"member-{n}", "name": f"Ủy viên {n}"} for n in range(3)],
        "nomination_ids": [nomination_id],
    }
    headers = council.steps.secretariat() | {"Idempotency-Key": "council-1"}
    first = await client.post(SESSIONS, json=body, headers=headers)
    second = await client.post(SESSIONS, json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["quorum"] == 3  # never fewer than three ballots
    count = await db_session.scalar(
        text("SELECT count(*) FROM nominations.council_sessions WHERE round_id = :r"), {"r": round_["id"]}
    )
    assert count == 1


async def test_a_session_too_small_to_keep_a_ballot_secret_is_refused(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    council = Council(client, auth)
    round_ = await council.steps.create_round()
    nomination_id = await council.before_council(round_["id"])
    members = [{"subject": f"member-{n}", "name": f"Ủy viên {n}"} for n in range(4)]
    body = {
        "round_id": round_["id"],
        "name": "Phiên họp",
        "held_on": "2025-01-15",
        "nomination_ids": [nomination_id],
    }
    for too_small in (
        {"members": members[:2]},
        {"members": members, "quorum": 2},
        {"members": members[:3], "quorum": 2},
    ):
        response = await client.post(SESSIONS, json=body | too_small, headers=council.steps.secretariat())
        assert_problem(response, 422, "validation-error")


async def test_nothing_stored_links_a_member_to_a_choice(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    receipt_columns = await db_session.scalars(
        text(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = 'nominations' AND table_name = 'ballot_receipts'"
        )
    )
    assert set(receipt_columns) == {"session_id", "member"}
    linking = await db_session.execute(
        text(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'nominations'"
            " GROUP BY table_name"
            " HAVING bool_or(column_name ~ '(member|subject|voter|principal|actor)')"
            " AND bool_or(column_name ~ '(choice|approve|reject|abstain)')"
        )
    )
    assert linking.all() == []

    council = Council(client, auth)
    round_ = await council.steps.create_round()
    nomination_id = await council.before_council(round_["id"])
    session_id = await council.session(round_["id"], [nomination_id], members=3)
    events_before = await council.events(nomination_id)
    outbox_count = "SELECT count(*) FROM nominations.outbox"
    outbox_before = await db_session.scalar(text(outbox_count))
    await council.votes(session_id, ballots((nomination_id, ["approve", "reject", "abstain"])))
    # A ballot writes no audit record and no event.
    assert await council.events(nomination_id) == events_before
    assert await db_session.scalar(text(outbox_count)) == outbox_before

    assert (await council.close(session_id)).status_code == 200
    members = [f"member-{i}" for i in range(3)]
    trail = await db_session.execute(
        text(
            "SELECT actor, coalesce(details::text, '') || coalesce(note, '')"
            " FROM nominations.nomination_events WHERE nomination_id = :n"
        ),
        {"n": nomination_id},
    )
    for actor, written in trail.all():
        assert actor not in members
        assert not any(member in written for member in members)
        assert "choice" not in written
    outbox = await db_session.scalars(
        text("SELECT payload::text FROM nominations.outbox WHERE subject = :s"),
        {"s": f"nomination/{nomination_id}"},
    )
    for payload in outbox:
        assert not any(member in payload for member in members)
        assert "choice" not in payload
    remembered = await db_session.scalar(
        text("SELECT count(*) FROM nominations.idempotency_keys WHERE principal = ANY(:m)"), {"m": members}
    )
    assert remembered == 0


async def test_closing_needs_the_version_the_secretariat_read(client: httpx.AsyncClient, auth: Auth) -> None:
    council = Council(client, auth)
    round_ = await council.steps.create_round()
    nomination_id = await council.before_council(round_["id"])
    session_id = await council.session(round_["id"], [nomination_id], members=3)
    read = await client.get(f"{SESSIONS}/{session_id}", headers=council.steps.secretariat())
    await council.votes(session_id, ballots((nomination_id, split(3, 0))))
    url = f"{SESSIONS}/{session_id}/actions/close"
    secretariat = council.steps.secretariat()
    assert_problem(await client.post(url, headers=secretariat), 428, "precondition-required")
    # Three ballots came in since it was read: the count the secretariat saw is not the count to close.
    stale = await client.post(url, headers=secretariat | {"If-Match": read.headers["ETag"]})
    assert_problem(stale, 412, "version-mismatch")
    assert (await council.read(session_id))["status"] == "open"
    assert (await council.close(session_id)).status_code == 200
