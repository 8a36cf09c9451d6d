"""The date-sensitive flows, run with the clock pinned to the days where a date bug would show.

The days: the working day before Tết (24/1/2025, then nine days off), 30/4/2025 (a holiday, with 1/5 and the
2/5 swapped day off after it), 31/12/2024 (New Year's Day next), 29/2/2024, Saturday 26/4/2025 (worked in
exchange for 2/5), and 23:30 UTC on 30/6/2025, which is 06:30 on 1/7/2025 in Hà Tĩnh, the day the district
tier ended. Every expected date below was counted by hand on the official calendar (Vietnam's public
holidays and the swaps the Prime Minister approved), not by the code under test.

Each flow is one of the platform's rules about days: round deadlines in working days; the last day to
submit (and the next morning in Vietnam, still the day before in UTC); the public disclosure period, its last
day for objections and the first day a decision may be signed; the base salary of the signing date; and in
the targets service, the hierarchy and progress of "today" when no date is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from devstack.flows import AwardsFlow, unique
from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders
from shared import clock


@dataclass(frozen=True)
class Day:
    name: str
    moment: dt.datetime  # when the flow starts, in UTC
    today: dt.date  # the date in Vietnam at that moment
    # A round opening today with 5 working days for each of its four stages.
    deadlines: tuple[str, str, str, str]
    # A round opened the calendar day before with one working day to submit.
    one_day_deadline: str
    # A nomination the council passes today, disclosed for 10 working days.
    disclosure_until: str
    base_salary_day_after: int


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


DAYS = [
    Day(
        "working day before Tết",
        utc("2025-01-24T02:00"),
        dt.date(2025, 1, 24),
        # 27/1-2/2 off (Tết); 3/2 is the first working day after it.
        ("2025-02-07", "2025-02-14", "2025-02-21", "2025-02-28"),
        "2025-01-24",
        "2025-02-14",
        2_340_000,
    ),
    Day(
        "30/4",
        utc("2025-04-30T02:00"),
        dt.date(2025, 4, 30),
        # 30/4, 1/5 and the swapped 2/5 off, then the weekend: 5/5 is the first working day.
        ("2025-05-09", "2025-05-16", "2025-05-23", "2025-05-30"),
        "2025-05-05",
        "2025-05-16",
        2_340_000,
    ),
    Day(
        "31/12",
        utc("2024-12-31T02:00"),
        dt.date(2024, 12, 31),
        # 1/1 off; the decision stage crosses Tết 2025 (27/1-31/1).
        ("2025-01-08", "2025-01-15", "2025-01-22", "2025-02-05"),
        "2024-12-31",
        "2025-01-15",
        2_340_000,
    ),
    Day(
        "29/2/2024",
        utc("2024-02-29T02:00"),
        dt.date(2024, 2, 29),
        ("2024-03-07", "2024-03-14", "2024-03-21", "2024-03-28"),
        "2024-02-29",
        "2024-03-14",
        1_800_000,  # Nghị định 24/2023/NĐ-CP, 1/7/2023-30/6/2024
    ),
    Day(
        "Saturday worked in lieu of 2/5",
        utc("2025-04-26T02:00"),
        dt.date(2025, 4, 26),
        # The Saturday itself is a working day: opened on Friday 25/4 with one day, the deadline is today.
        ("2025-05-07", "2025-05-14", "2025-05-21", "2025-05-28"),
        "2025-04-26",
        "2025-05-14",
        2_340_000,
    ),
    Day(
        "23:30 UTC, the next day in Vietnam",
        utc("2025-06-30T23:30"),
        dt.date(2025, 7, 1),
        ("2025-07-08", "2025-07-15", "2025-07-22", "2025-07-29"),
        "2025-07-01",
        "2025-07-15",
        2_340_000,
    ),
]
BY_NAME = pytest.mark.parametrize("day", DAYS, ids=[day.name for day in DAYS])


def at_vietnam(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=clock.VIETNAM)


def annual_round(steps: AwardsFlow, day: Day, **overrides: Any) -> dict[str, Any]:
    """The annual round of the year before, opened today, five working days per stage."""
    year = day.today.year - 1
    return {
        "code": unique("KT"),
        "name": f"Khen thưởng tổng kết năm {year}",
        "kind": "annual",
        "year": year,
        "reference_date": f"{year}-12-31",
        "opens_on": day.today.isoformat(),
        "submission_working_days": 5,
        "screening_working_days": 5,
        "council_working_days": 5,
        "decision_working_days": 5,
    } | overrides


def test_the_days_are_those_named() -> None:
    for day in DAYS:
        assert clock.local_date(day.moment) == day.today


@BY_NAME
async def test_round_deadlines_are_counted_in_working_days_from_today(
    client: httpx.AsyncClient, auth: AuthHeaders, day: Day
) -> None:
    steps = AwardsFlow(client, auth)
    with clock.pinned(day.moment):
        created = await steps.create_round(**annual_round(steps, day))
    deadlines = created["deadlines"]
    assert created["opens_on"] == day.today.isoformat()
    assert (deadlines["submission"], deadlines["screening"], deadlines["council"], deadlines["decision"]) == (
        day.deadlines
    )


@BY_NAME
async def test_submission_closes_at_the_end_of_the_last_day_in_vietnam(
    client: httpx.AsyncClient, auth: AuthHeaders, day: Day
) -> None:
    steps = AwardsFlow(client, auth)
    unit = "HT-THA"
    opened = day.today - dt.timedelta(days=1)
    with clock.pinned(day.moment):
        one_day = annual_round(steps, day, opens_on=opened.isoformat(), submission_working_days=1)
        round_ = await steps.create_round(**one_day)
        assert round_["deadlines"]["submission"] == day.one_day_deadline
        on_time = await steps.nominate(round_["id"], unit)
        late = await steps.nominate(round_["id"], unit)
    deadline = dt.date.fromisoformat(day.one_day_deadline)
    with clock.pinned(at_vietnam(deadline, 23, 59)):
        submitted = await steps.must(on_time["id"], "submit", steps.officer(unit))
        assert submitted["status"] == "submitted"
    # 06:30 the next morning in Hà Tĩnh is 23:30 of the deadline's day in UTC: too late all the same.
    with clock.pinned(at_vietnam(deadline + dt.timedelta(days=1), 6, 30)):
        assert clock.now().date() == deadline
        refused = await steps.act(late["id"], "submit", steps.officer(unit))
        assert assert_problem(refused, 409, "deadline-passed")["deadline"] == day.one_day_deadline
        body = steps.nomination_body(round_["id"], unit)
        too_late = await client.post("/v1/nominations", json=body, headers=steps.officer(unit))
        assert_problem(too_late, 409, "deadline-passed")


@BY_NAME
async def test_disclosure_runs_ten_working_days_and_a_decision_is_signed_after_it(
    client: httpx.AsyncClient, auth: AuthHeaders, day: Day
) -> None:
    steps = AwardsFlow(client, auth)
    unit = "HT-THA"
    authority = auth("authority", org_unit="HT", subject="chairman-1")
    with clock.pinned(day.moment):
        round_ = await steps.create_round(**annual_round(steps, day))
        nomination = await steps.to_council(round_["id"], unit, award_type_code="CSTD_CAP_TINH")
        await steps.council_passes(round_["id"], [nomination["id"]])
        disclosed = await client.get(f"/v1/nominations/{nomination['id']}", headers=steps.secretariat())
    assert disclosed.json()["status"] == "disclosure"
    assert (disclosed.json()["disclosure_from"], disclosed.json()["disclosure_until"]) == (
        day.today.isoformat(),
        day.disclosure_until,
    )
    until = dt.date.fromisoformat(day.disclosure_until)
    objections = f"/v1/public/disclosures/{nomination['id']}/objections"
    objection = {"text": "Đề nghị làm rõ sáng kiến được công nhận.", "contact": "0912 000 111"}

    def decision(signed_on: dt.date) -> dict[str, Any]:
        return {
            "number": f"{unique('QD')}/QĐ-UBND",
            "signed_on": signed_on.isoformat(),
            "signer": "Võ Trọng Hải",
            "signer_title": "Chủ tịch UBND tỉnh",
            "authority": "provincial_chair",
            "nomination_ids": [nomination["id"]],
        }

    # The last day of the period, late in the evening in Hà Tĩnh: objections are still taken.
    with clock.pinned(at_vietnam(until, 23, 30)):
        filed = await client.post(objections, json=objection)
        assert filed.status_code == 201, filed.text
        early = await client.post("/v1/decisions", json=decision(until), headers=authority)
        assert_problem(early, 409, "disclosure-not-over")
    # 06:30 the next morning (23:30 UTC the same day): the period is over.
    next_day = until + dt.timedelta(days=1)
    with clock.pinned(at_vietnam(next_day, 6, 30)):
        assert clock.now().date() == until
        assert_problem(await client.post(objections, json=objection), 409, "disclosure-closed")
        resolved = await client.post(
            f"/v1/nominations/{nomination['id']}/objections/{filed.json()['id']}/resolution",
            json={"outcome": "dismissed", "note": "Sáng kiến đã được Hội đồng cơ sở công nhận."},
            headers=steps.secretariat(),
        )
        assert resolved.status_code == 200, resolved.text
        within = await client.post("/v1/decisions", json=decision(until), headers=authority)
        assert_problem(within, 409, "disclosure-not-over")
        after_today = decision(next_day + dt.timedelta(days=1))
        future = await client.post("/v1/decisions", json=after_today, headers=authority)
        assert_problem(future, 422, "invalid-decision")
        signed = await client.post("/v1/decisions", json=decision(next_day), headers=authority)
    assert signed.status_code == 201, signed.text
    (award,) = signed.json()["awards"]
    assert award["base_salary_vnd"] == day.base_salary_day_after
    assert award["bonus_vnd"] == 3 * day.base_salary_day_after  # Chiến sĩ thi đua cấp tỉnh: 3.0


@pytest.fixture
async def targets(targets_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The real targets app (its lifespan is running for this module), read in-process."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=targets_app), base_url="http://targets.test"
    ) as client:
        yield client


@BY_NAME
async def test_the_targets_service_answers_for_today_in_vietnam(
    targets: httpx.AsyncClient, auth: AuthHeaders, day: Day
) -> None:
    viewer = auth("viewer", org_unit="HT")
    with clock.pinned(day.moment):
        progress = await targets.get("/v1/progress", headers=viewer)
        public = await targets.get("/v1/public/progress")
        units = await targets.get("/v1/org-units", params={"limit": 500}, headers=viewer)
    assert progress.status_code == public.status_code == units.status_code == 200, progress.text
    assert progress.json()["at"] == public.json()["at"] == day.today.isoformat()
    on_the_day = await targets.get(
        "/v1/org-units", params={"limit": 500, "at": day.today.isoformat()}, headers=viewer
    )
    assert units.json() == on_the_day.json()
    districts = {unit["code"] for unit in units.json()["items"] if unit["type"] == "district"}
    # The district tier ended on 1/7/2025, and 06:30 that morning in Hà Tĩnh is already that day.
    assert (districts == set()) is (day.today >= dt.date(2025, 7, 1))
