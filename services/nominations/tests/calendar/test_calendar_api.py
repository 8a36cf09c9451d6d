"""The working calendar's API: seeded exceptions shown as recorded with their act, Tết's days by their lunar
date, the library's worked Saturdays, and bad input answered as RFC 9457 problems."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth
from nominations.calendar.models import CalendarDay
from nominations.calendar.seed import load_exceptions, seeded_days


async def listed(client: httpx.AsyncClient, start: str, end: str) -> dict[str, dict[str, Any]]:
    response = await client.get("/v1/working-calendar", params={"from": start, "to": end, "limit": 500})
    assert response.status_code == 200, response.text
    return {day["day"]: day for day in response.json()["items"]}


async def test_the_seeded_swap_of_new_year_2026_is_shown_as_recorded_with_its_notice(
    client: httpx.AsyncClient,
) -> None:
    days = await listed(client, "2025-12-29", "2026-01-12")
    assert days["2026-01-01"] == {
        "day": "2026-01-01",
        "working": False,
        "reason": "Tết Dương lịch",
        "recorded": False,
        "source": None,
    }
    swapped, worked = days["2026-01-02"], days["2026-01-10"]
    assert (swapped["working"], swapped["recorded"]) == (False, True)
    assert (worked["working"], worked["recorded"]) == (True, True)
    assert "12729/VPCP-KGVX ngày 25/12/2025" in swapped["source"]
    assert worked["source"] == swapped["source"]
    assert worked["reason"] == "Làm việc bù cho thứ Sáu 02/01/2026 (Tết Dương lịch)"
    assert (days["2026-01-03"]["reason"], days["2026-01-11"]["reason"]) == ("Thứ Bảy", "Chủ nhật")
    assert "2026-01-05" not in days  # an ordinary Monday


async def test_tet_days_carry_their_lunar_names_and_the_librarys_swaps_are_listed(
    client: httpx.AsyncClient,
) -> None:
    days = await listed(client, "2025-01-24", "2025-05-05")
    assert days["2025-01-27"]["reason"] == "Tết Nguyên đán (28 tháng Chạp)"
    assert days["2025-01-29"]["reason"] == "Mùng 1 Tết"
    assert days["2025-04-26"] == {
        "day": "2025-04-26",
        "working": True,
        "reason": "Ngày làm việc bù",
        "recorded": False,
        "source": None,
    }
    assert days["2025-05-02"]["working"] is False
    assert "2025-01-24" not in days


async def test_the_seed_is_loaded_once_and_leaves_recorded_days_alone(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    # The test database was seeded like a deployment: loading again adds nothing.
    assert await load_exceptions(db_session) == 0
    rows = (await db_session.execute(select(CalendarDay).where(CalendarDay.created_by == "seed"))).scalars()
    assert {(row.day, row.kind, row.source) for row in rows} == {
        (day.day, day.kind, day.source) for day in seeded_days()
    }
    body = {
        "day": "2031-01-02",
        "kind": "day_off",
        "reason": "Nghỉ hoán đổi",
        "source": "Văn bản số 1/VPCP-KGVX (ví dụ)",
    }
    created = await client.post("/v1/working-calendar", json=body, headers=auth("secretariat"))
    assert created.status_code == 201, created.text
    assert created.json() == {
        "day": "2031-01-02",
        "working": False,
        "reason": "Nghỉ hoán đổi",
        "recorded": True,
        "source": "Văn bản số 1/VPCP-KGVX (ví dụ)",
    }
    assert (await listed(client, "2031-01-02", "2031-01-02"))["2031-01-02"]["source"] == body["source"]
    again = await client.post(
        "/v1/working-calendar",
        json={"day": "2026-01-02", "kind": "working_day", "reason": "Trùng ngày đã ghi"},
        headers=auth("secretariat"),
    )
    assert_problem(again, 409, "calendar-day-exists")


async def test_the_seed_corrects_its_own_days_and_leaves_the_secretariats(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    body = {
        "day": "2032-09-03",
        "kind": "day_off",
        "reason": "Nghỉ bù Quốc khánh",
        "source": "Văn bản (ví dụ)",
    }
    assert (
        await client.post("/v1/working-calendar", json=body, headers=auth("secretariat"))
    ).status_code == 201
    # As a deployment seeded with an earlier wording, and with a day the data no longer holds.
    await db_session.execute(
        update(CalendarDay).where(CalendarDay.day == dt.date(2026, 1, 2)).values(reason="cũ", source="cũ")
    )
    db_session.add(CalendarDay(day=dt.date(2030, 1, 2), kind="day_off", reason="x", created_by="seed"))
    await db_session.flush()
    assert await load_exceptions(db_session) == 2
    rows = {row.day: row for row in (await db_session.execute(select(CalendarDay))).scalars()}
    seeded = {day.day: day for day in seeded_days()}
    assert rows[dt.date(2026, 1, 2)].source == seeded[dt.date(2026, 1, 2)].source
    assert dt.date(2030, 1, 2) not in rows
    assert rows[dt.date(2032, 9, 3)].reason == "Nghỉ bù Quốc khánh"
    assert await load_exceptions(db_session) == 0


async def test_bad_input_is_answered_with_problem_details(client: httpx.AsyncClient, auth: Auth) -> None:
    url = "/v1/working-calendar"
    invalid = [
        {"from": "2026-13-01", "to": "2026-12-31"},
        {"from": "2026-01-01"},
        {"from": "1899-12-31", "to": "1900-01-31"},
        {"from": "2026-01-01", "to": "2026-01-31", "limit": "0"},
        {"from": "0", "to": "2026-01-31"},
    ]
    for params in invalid:
        assert_problem(await client.get(url, params=params), 422, "validation-error")
    reversed_ = {"from": "2026-02-01", "to": "2026-01-01"}
    assert_problem(await client.get(url, params=reversed_), 400, "calendar-span-reversed")
    too_long = {"from": "2025-01-01", "to": "2026-12-31"}
    assert_problem(await client.get(url, params=too_long), 400, "calendar-span-too-long")
    forged = {"from": "2026-01-01", "to": "2026-01-31", "cursor": "not-a-cursor"}
    assert_problem(await client.get(url, params=forged), 400, "invalid-cursor")
    day = {"day": "2031-03-02", "kind": "day_off", "reason": "Nghỉ"}
    secretariat = auth("secretariat")
    for body in (
        day | {"kind": "holiday"},
        day | {"source": ""},
        day | {"source": "x" * 1001},
        day | {"recorded": True},
        day | {"day": "2200-01-01"},
        # 0 is not a date (pydantic's lax mode took it as 1970-01-01), nor is a number of seconds or a moment.
        day | {"day": 0},
        day | {"day": 1_900_000_000},
        day | {"day": "2031-03-02T00:00:00"},
    ):
        assert_problem(await client.post(url, json=body, headers=secretariat), 422, "validation-error")
    assert_problem(await client.post(url, json=day), 401, "missing-token")
    assert_problem(await client.post(url, json=day, headers=auth("unit_officer")), 403, "missing-role")


def test_every_seeded_day_names_its_act() -> None:
    assert seeded_days()
    for day in seeded_days():
        assert "ngày" in day.source, day  # a number and a date: "Văn bản số …/VPCP-KGVX ngày …"
        assert "/" in day.source, day
        # A swap gives a weekday off and works a weekend day.
        assert (day.day.weekday() < 5) == (day.kind == "day_off"), day
