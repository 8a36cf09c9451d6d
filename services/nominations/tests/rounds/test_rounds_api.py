"""Rounds: deadlines counted in working days, changed only with If-Match, and the round's timeliness."""

import datetime as dt
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.flows import AwardsFlow
from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth
from nominations.nominations.models import Status
from nominations.timeliness.schemas import RoundDeadlines
from nominations.timeliness.service import verdict
from shared import clock

ROUND = {
    "code": "KT-2024",
    "name": "Khen thưởng tổng kết năm 2024",
    "kind": "annual",
    "year": 2024,
    "reference_date": "2024-12-31",
    # Monday 2025-01-20: Tết Ất Tỵ (2025-01-25 .. 2025-02-02 off) falls inside the screening period.
    "opens_on": "2025-01-20",
    "submission_working_days": 3,
    "screening_working_days": 5,
    "council_working_days": 5,
    "decision_working_days": 10,
}


async def test_deadlines_skip_weekends_and_tet(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.post("/v1/rounds", json=ROUND, headers=auth("secretariat"))
    assert response.status_code == 201, response.text
    deadlines = response.json()["deadlines"]
    # Tue 21, Wed 22, Thu 23 → submission; Fri 24 and then (Tết until Sun 2 Feb) Mon 3 .. Thu 6 → screening.
    assert deadlines["submission"] == "2025-01-23"
    assert deadlines["screening"] == "2025-02-06"
    assert deadlines["council"] == "2025-02-13"
    assert deadlines["decision"] == "2025-02-27"
    assert response.headers["Location"] == f"/api/v1/rounds/{response.json()['id']}"


async def test_a_recorded_day_off_moves_new_deadlines(client: httpx.AsyncClient, auth: Auth) -> None:
    secretariat = auth("secretariat")
    day_off = {"day": "2025-01-22", "kind": "day_off", "reason": "Nghỉ theo quyết định của UBND tỉnh"}
    assert (await client.post("/v1/working-calendar", json=day_off, headers=secretariat)).status_code == 201
    again = await client.post("/v1/working-calendar", json=day_off, headers=secretariat)
    assert_problem(again, 409, "calendar-day-exists")
    response = await client.post("/v1/rounds", json=ROUND | {"code": "KT-2024-B"}, headers=secretariat)
    assert response.json()["deadlines"]["submission"] == "2025-01-24"
    days = await client.get("/v1/working-calendar", params={"from": "2025-01-20", "to": "2025-02-03"})
    listed = {day["day"]: day for day in days.json()["items"]}
    assert listed["2025-01-22"]["recorded"] is True
    assert listed["2025-01-29"]["reason"]  # Tết, from the holiday library
    assert "2025-01-20" not in listed


async def test_only_the_secretariat_opens_rounds_and_codes_are_unique(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    assert_problem(
        await client.post("/v1/rounds", json=ROUND, headers=auth("unit_officer")), 403, "missing-role"
    )
    assert (await client.post("/v1/rounds", json=ROUND, headers=auth("admin"))).status_code == 201
    assert_problem(await client.post("/v1/rounds", json=ROUND, headers=auth("admin")), 409, "round-exists")


async def test_a_movement_review_names_its_movement(client: httpx.AsyncClient, auth: Auth) -> None:
    body = ROUND | {"kind": "movement_review", "code": "SK-1"}
    response = await client.post("/v1/rounds", json=body, headers=auth("secretariat"))
    assert_problem(response, 422, "validation-error")


async def test_extending_a_deadline_needs_the_etag(client: httpx.AsyncClient, auth: Auth) -> None:
    created = (await client.post("/v1/rounds", json=ROUND, headers=auth("secretariat"))).json()
    url = f"/v1/rounds/{created['id']}"
    change = {"submission_working_days": 4}
    assert_problem(
        await client.patch(url, json=change, headers=auth("secretariat")), 428, "precondition-required"
    )
    patched = await client.patch(url, json=change, headers=auth("secretariat") | {"If-Match": '"1"'})
    assert patched.status_code == 200, patched.text
    assert patched.json()["deadlines"]["submission"] == "2025-01-24"
    assert patched.headers["ETag"] == '"2"'
    stale = await client.patch(url, json=change, headers=auth("secretariat") | {"If-Match": '"1"'})
    assert_problem(stale, 412, "version-mismatch")


async def test_timeliness_counts_working_days_and_lists_late_dossiers(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    steps = AwardsFlow(client, auth)
    round_ = await steps.create_round(submission_working_days=5, screening_working_days=2)
    late = await steps.nominate(round_["id"], "HT-THA")
    decided = await steps.nominate(round_["id"], "HT-CLO")
    await steps.must(late["id"], "submit", steps.officer("HT-THA"))
    await steps.must(decided["id"], "submit", steps.officer("HT-CLO"))
    await steps.must(decided["id"], "screen", steps.secretariat())
    await steps.must(decided["id"], "reject", steps.secretariat(), note="Không đủ tiêu chuẩn")
    # Let the decision have come seven calendar days after the submission.
    await db_session.execute(
        text(
            "UPDATE nominations.nominations SET decided_at = first_submitted_at + interval '7 days'"
            " WHERE id = :id"
        ),
        {"id": decided["id"]},
    )
    as_of = round_["deadlines"]["screening"]
    on_time = await client.get(
        f"/v1/rounds/{round_['id']}/timeliness", params={"as_of": as_of}, headers=steps.secretariat()
    )
    assert on_time.json()["late_by_stage"] == []
    assert on_time.json()["deadlines"] == round_["deadlines"]
    listed = await client.get(
        f"/v1/rounds/{round_['id']}/late-nominations", params={"as_of": as_of}, headers=steps.secretariat()
    )
    assert listed.json() == {"items": [], "next_cursor": None}
    later = clock.today() + dt.timedelta(days=365)
    report = await client.get(
        f"/v1/rounds/{round_['id']}/timeliness",
        params={"as_of": later.isoformat()},
        headers=steps.secretariat(),
    )
    body = report.json()
    [row] = body["by_award_type"]
    assert (row["award_type"], row["nominations"], row["decided"], row["late"]) == ("CSTD_CO_SO", 2, 1, 1)
    # 7 calendar days hold 4-5 working days, by the weekday the submission fell on.
    assert row["median_working_days_to_decision"] in (4, 5)
    assert row["max_working_days_to_decision"] == row["median_working_days_to_decision"]
    [stage] = body["late_by_stage"]
    assert (stage["award_type"], stage["stage"], stage["nominations"]) == ("CSTD_CO_SO", "screening", 1)
    assert stage["deadline"] == round_["deadlines"]["screening"]
    assert stage["max_working_days_late"] > 200
    late_ones = await client.get(
        f"/v1/rounds/{round_['id']}/late-nominations",
        params={"as_of": later.isoformat()},
        headers=steps.secretariat(),
    )
    [item] = late_ones.json()["items"]
    assert (item["nomination_id"], item["stage"]) == (late["id"], "screening")
    assert item["working_days_late"] == stage["max_working_days_late"]
    for other in ("submission", "council", "decision"):
        none = await client.get(
            f"/v1/rounds/{round_['id']}/late-nominations",
            params={"as_of": later.isoformat(), "stage": other},
            headers=steps.secretariat(),
        )
        assert none.json()["items"] == [], other
    too_far = await client.get(
        f"/v1/rounds/{round_['id']}/late-nominations",
        params={"as_of": (later + dt.timedelta(days=2)).isoformat()},
        headers=steps.secretariat(),
    )
    assert_problem(too_far, 400, "lookahead-too-far")


async def test_late_nominations_are_paged_and_agree_with_the_report(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    steps = AwardsFlow(client, auth)
    round_ = await steps.create_round(submission_working_days=5, screening_working_days=2)
    drafts = [await steps.nominate(round_["id"], unit) for unit in ("HT-THA", "HT-CLO", "HT-HSO")]
    sent = await steps.nominate(round_["id"], "HT-HTI")
    await steps.must(sent["id"], "submit", steps.officer("HT-HTI"))
    # Let one have been sent three days after the submission deadline: late at submission, whatever follows.
    await db_session.execute(
        text(
            "UPDATE nominations.nominations"
            " SET first_submitted_at = CAST(:day AS date) + interval '3 days 2 hours' WHERE id = :id"
        ),
        {"id": sent["id"], "day": dt.date.fromisoformat(round_["deadlines"]["submission"])},
    )
    later = (clock.today() + dt.timedelta(days=365)).isoformat()
    url = f"/v1/rounds/{round_['id']}/late-nominations"
    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = await client.get(
            url,
            params={"as_of": later, "limit": "2", **({"cursor": cursor} if cursor else {})},
            headers=steps.secretariat(),
        )
        assert page.status_code == 200, page.text
        seen.extend(page.json()["items"])
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert [item["nomination_id"] for item in seen] == sorted(n["id"] for n in [*drafts, sent])
    assert {item["stage"] for item in seen} == {"submission"}
    late_sender = next(item for item in seen if item["nomination_id"] == sent["id"])
    assert late_sender["working_days_late"] in (1, 2, 3)  # three calendar days after the deadline
    report = await client.get(
        f"/v1/rounds/{round_['id']}/timeliness", params={"as_of": later}, headers=steps.secretariat()
    )
    [stage] = report.json()["late_by_stage"]
    assert (stage["stage"], stage["nominations"]) == ("submission", 4)
    assert stage["max_working_days_late"] == max(item["working_days_late"] for item in seen)
    assert_problem(
        await client.get(url, params={"cursor": "nope"}, headers=steps.secretariat()), 400, "invalid-cursor"
    )
    assert_problem(
        await client.get(url, params={"stage": "nope"}, headers=steps.secretariat()), 422, "validation-error"
    )
    assert_problem(
        await client.get("/v1/rounds/999999/late-nominations", headers=steps.secretariat()),
        404,
        "round-not-found",
    )


async def test_timeliness_knows_what_an_approved_or_disclosed_dossier_waits_for(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    steps = AwardsFlow(client, auth)
    round_ = await steps.create_round()
    screened = await steps.screened(round_["id"], "HT-THA", award_type_code="HUAN_CHUONG_LD_3")
    await steps.must(screened["id"], "disclose", steps.secretariat())  # before the council
    approved = await steps.to_council(round_["id"], "HT-CLO")  # CSTD_CO_SO: no public period
    await steps.council_passes(round_["id"], [approved["id"]])
    later = (clock.today() + dt.timedelta(days=365)).isoformat()
    report = await client.get(
        f"/v1/rounds/{round_['id']}/timeliness", params={"as_of": later}, headers=steps.secretariat()
    )
    listed = await client.get(
        f"/v1/rounds/{round_['id']}/late-nominations", params={"as_of": later}, headers=steps.secretariat()
    )
    waiting = {item["nomination_id"]: (item["status"], item["stage"]) for item in listed.json()["items"]}
    assert waiting == {
        screened["id"]: ("public_comment", "council"),
        approved["id"]: ("approved", "decision"),
    }
    stages = {(row["award_type"], row["stage"], row["nominations"]) for row in report.json()["late_by_stage"]}
    assert stages == {("HUAN_CHUONG_LD_3", "council", 1), ("CSTD_CO_SO", "decision", 1)}


async def test_a_round_no_catalogue_judges_is_refused(client: httpx.AsyncClient, auth: Auth) -> None:
    steps = AwardsFlow(client, auth)
    body = {
        "code": "KT-2019",
        "name": "Khen thưởng năm 2019",
        "kind": "annual",
        "year": 2019,
        "reference_date": "2019-12-31",
        "opens_on": "2026-03-10",
        "submission_working_days": 15,
        "screening_working_days": 10,
        "council_working_days": 10,
        "decision_working_days": 10,
    }
    refused = await client.post("/v1/rounds", json=body, headers=steps.secretariat())
    assert "2019-12-31" in assert_problem(refused, 422, "no-catalogue-on-reference-date")["detail"]


async def test_the_late_list_is_chosen_in_sql_by_the_rule_verdict_states_in_every_state(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    """The rule is written twice, in Python (``verdict``) and as SQL (``repository.late_nominations``): for
    every status, a first submission never made, on time or late, each day around each deadline and each
    stage asked for, the list holds exactly the nominations ``verdict`` calls late."""
    steps = AwardsFlow(client, auth)
    round_ = await steps.create_round(submission_working_days=5, screening_working_days=2)
    model = await steps.nominate(round_["id"], "HT-THA")
    deadlines = RoundDeadlines.model_validate(round_["deadlines"])
    sent = {
        "never": None,
        "on_time": deadlines.submission,
        "late": deadlines.submission + dt.timedelta(days=3),
    }
    expected_rows: dict[int, tuple[str, dt.date | None]] = {model["id"]: ("draft", None)}
    for status in Status:
        for when in sent.values():
            made = await db_session.execute(
                text(
                    "INSERT INTO nominations.nominations (round_id, award_type_code, catalogue_date,"
                    " award_name, occasion, nominee_kind, nominee_name, nominee_key, nominee_org_unit,"
                    " nominating_org_unit, nominating_org_unit_name, achievements, achievement_keys,"
                    " initiatives, overrides, open_objections, nominee_groups, status, outcome,"
                    " first_submitted_at, created_by, version)"
                    " SELECT round_id, award_type_code, catalogue_date, award_name, occasion, nominee_kind,"
                    " nominee_name, nominee_key || :suffix, nominee_org_unit, nominating_org_unit,"
                    " nominating_org_unit_name, achievements, achievement_keys, initiatives, overrides,"
                    " open_objections, nominee_groups, :status, :outcome,"
                    " CAST(:day AS date) + interval '2 hours', created_by, 1"
                    " FROM nominations.nominations WHERE id = :id RETURNING id"
                ),
                {
                    "id": model["id"],
                    "suffix": f"-{status}-{when}",
                    "status": status.value,
                    "outcome": "awarded" if status is Status.DECIDED else None,
                    "day": when,
                },
            )
            expected_rows[made.scalar_one()] = (status.value, when)
    await db_session.commit()
    days = sorted({d + dt.timedelta(days=shift) for d in deadlines.model_dump().values() for shift in (0, 1)})
    for as_of in days:
        for stage in (None, "submission", "screening", "council", "decision"):
            params: dict[str, str] = {"as_of": as_of.isoformat(), "limit": "500"}
            if stage:
                params["stage"] = stage
            listed = await client.get(
                f"/v1/rounds/{round_['id']}/late-nominations", params=params, headers=steps.secretariat()
            )
            assert listed.status_code == 200, listed.text
            got = {item["nomination_id"]: item["stage"] for item in listed.json()["items"]}
            want = {}
            for nomination_id, (state, when) in expected_rows.items():
                missed = verdict(state, when, deadlines, as_of)
                if missed is not None and stage in (None, missed[0]):
                    want[nomination_id] = missed[0]
            assert got == want, (as_of, stage)


async def test_a_unit_officer_sees_the_timeliness_of_its_own_dossiers(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    steps = AwardsFlow(client, auth)
    round_ = await steps.create_round(submission_working_days=5)
    mine = await steps.nominate(round_["id"], "HT-THA")
    await steps.nominate(round_["id"], "HT-CLO")
    later = (clock.today() + dt.timedelta(days=365)).isoformat()
    url = f"/v1/rounds/{round_['id']}"
    officer = steps.officer("HT-THA")
    listed = await client.get(f"{url}/late-nominations", params={"as_of": later}, headers=officer)
    assert [(i["nomination_id"], i["nominating_org_unit"]) for i in listed.json()["items"]] == [
        (mine["id"], "HT-THA")
    ]
    report = await client.get(f"{url}/timeliness", params={"as_of": later}, headers=officer)
    assert [row["nominations"] for row in report.json()["by_award_type"]] == [1]
    everyone = await client.get(
        f"{url}/late-nominations", params={"as_of": later}, headers=steps.secretariat()
    )
    assert len(everyone.json()["items"]) == 2
