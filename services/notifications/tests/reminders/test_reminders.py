"""The reminder pass: which reminders a day calls for, in working days, and each recorded once however many
passes run (siblings faked over httpx.MockTransport; the store is the suite's PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.keys import DEV_AUDIENCE, DEV_ISSUER
from notifications.config import Settings
from notifications.events.models import Event
from notifications.events.service import own_event_id
from notifications.reminders import service
from notifications.reminders.clients import open_siblings
from notifications.reminders.service import Policy, Reminder
from services.notifications.tests.reminders.fakes import TET_2027, TOKEN, FakeSiblings
from shared.database import Database
from shared.settings import Environment


@pytest.fixture(scope="module")
def sibling_settings(database_url: str, jwks_file: Path) -> Settings:
    return Settings(
        environment=Environment.TEST,
        database_url=SecretStr(database_url),
        jwks_file=jwks_file,
        jwt_issuer=DEV_ISSUER,
        jwt_audience=DEV_AUDIENCE,
        targets_url="http://targets.test",
        nominations_url="http://nominations.test",
        service_token=SecretStr(TOKEN),
        http_retries=0,
    )


async def planned(
    sibling_settings: Settings, fake: FakeSiblings, day: dt.date, policy: Policy | None = None
) -> list[Reminder]:
    async with open_siblings(sibling_settings, fake.transport()) as siblings:
        return await service.plan(siblings, day, policy or Policy.of(sibling_settings))


def summary(reminders: list[Reminder]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(r.event_type, r.subject, r.data) for r in reminders]


async def test_a_quarter_and_a_month_are_due_on_the_tenth_moved_past_the_weekend(
    sibling_settings: Settings,
) -> None:
    fake = FakeSiblings(
        unreported={"2026Q4": [("GRDP_GROWTH", "HT-18073")], "202612": [("EXPORTS", "HT-18100")]}
    )
    # Wednesday 6/1/2027: the 10th is a Sunday, so both are due Monday 11/1, 3 working days on (7, 8, 11).
    reminders = await planned(sibling_settings, fake, dt.date(2027, 1, 6))
    assert summary(reminders) == [
        (
            "report.due",
            "report/HT-18100/EXPORTS/202612",
            {
                "org_unit": "HT-18100",
                "indicator": "EXPORTS",
                "indicator_name": "Chỉ tiêu EXPORTS",
                "period": "202612",
                "due_on": "2027-01-11",
                "working_days_left": 3,
            },
        ),
        (
            "report.due",
            "report/HT-18073/GRDP_GROWTH/2026Q4",
            {
                "org_unit": "HT-18073",
                "indicator": "GRDP_GROWTH",
                "indicator_name": "Chỉ tiêu GRDP_GROWTH",
                "period": "2026Q4",
                "due_on": "2027-01-11",
                "working_days_left": 3,
            },
        ),
    ]
    # One day earlier it is 4 working days away: not yet.
    assert await planned(sibling_settings, fake, dt.date(2027, 1, 5)) == []


async def test_overdue_from_the_first_working_day_after_and_within_its_window(
    sibling_settings: Settings,
) -> None:
    fake = FakeSiblings(unreported={"2026Q3": [("GRDP_GROWTH", "HT-18073")]})
    # 2026Q3 is due Monday 12/10/2026 (the 10th is a Saturday).
    on_due_day = await planned(sibling_settings, fake, dt.date(2026, 10, 12))
    assert [(r.event_type, r.data["working_days_left"]) for r in on_due_day] == [("report.due", 0)]
    late = await planned(sibling_settings, fake, dt.date(2026, 10, 14))
    assert [(r.event_type, r.data["due_on"], r.data["working_days_late"]) for r in late] == [
        ("report.overdue", "2026-10-12", 2)
    ]
    # Ten working days late is the last day it is sent; eleven is past the window.
    assert [r.event_type for r in await planned(sibling_settings, fake, dt.date(2026, 10, 26))] == [
        "report.overdue"
    ]
    assert await planned(sibling_settings, fake, dt.date(2026, 10, 27)) == []


async def test_working_days_across_tet(sibling_settings: Settings) -> None:
    fake = FakeSiblings(unreported={"202701": [("EXPORTS", "HT-18073")]}, holidays=TET_2027)
    # January's report would be due Wednesday 10/2/2027, Mùng 5 Tết: it moves to Thursday 11/2, which on
    # Wednesday 3/2 is one working day away (Tết runs Thursday 4/2 to Wednesday 10/2).
    reminders = await planned(sibling_settings, fake, dt.date(2027, 2, 3))
    assert [(r.data["due_on"], r.data["working_days_left"]) for r in reminders] == [("2027-02-11", 1)]
    # And a week after, it is one working day late on Friday 12/2 (not six).
    assert [
        (r.event_type, r.data.get("working_days_late"))
        for r in await planned(sibling_settings, fake, dt.date(2027, 2, 12))
    ] == [("report.overdue", 1)]


async def test_no_reminders_on_a_day_off(sibling_settings: Settings) -> None:
    fake = FakeSiblings(unreported={"2026Q4": [("GRDP_GROWTH", "HT-18073")]}, holidays=TET_2027)
    assert await planned(sibling_settings, fake, dt.date(2027, 1, 9)) == []  # a Saturday
    assert await planned(sibling_settings, fake, dt.date(2027, 2, 5)) == []  # Tết


async def test_round_deadlines_within_the_lead_time(sibling_settings: Settings) -> None:
    fake = FakeSiblings(
        deadlines=[
            {
                "round_id": 7,
                "round_name": "Khen thưởng 2026",
                "deadline": "submission",
                "due_on": "2026-12-15",
            },
            {
                "round_id": 7,
                "round_name": "Khen thưởng 2026",
                "deadline": "screening",
                "due_on": "2026-12-29",
            },
        ]
    )
    # Thursday 10/12/2026: the submission deadline is 3 working days on (11, 14, 15); screening is not near.
    assert summary(await planned(sibling_settings, fake, dt.date(2026, 12, 10))) == [
        (
            "round.deadline_approaching",
            "round/7",
            {
                "round_id": 7,
                "round_name": "Khen thưởng 2026",
                "deadline": "submission",
                "due_on": "2026-12-15",
                "working_days_left": 3,
            },
        )
    ]
    assert await planned(sibling_settings, fake, dt.date(2026, 12, 9), Policy(round_deadline_lead=3)) == []


async def test_the_service_token_is_sent_and_renewed_once_refused(sibling_settings: Settings) -> None:
    fake = FakeSiblings(refuse_first_token=True)
    assert await planned(sibling_settings, fake, dt.date(2027, 1, 6)) == []
    assert fake.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert [r.url.path for r in fake.requests[:2]] == ["/v1/working-calendar"] * 2


async def test_a_sibling_that_fails_stops_the_pass(sibling_settings: Settings) -> None:
    with pytest.raises(service.SiblingUnavailable, match="503"):
        await planned(sibling_settings, FakeSiblings(fail_with=503), dt.date(2027, 1, 6))


async def test_recording_twice_stores_each_reminder_once(
    sibling_settings: Settings, db_session: AsyncSession
) -> None:
    fake = FakeSiblings(unreported={"2026Q4": [("GRDP_GROWTH", "HT-18073"), ("GRDP_GROWTH", "HT-18100")]})
    first = await planned(sibling_settings, fake, dt.date(2027, 1, 6))
    assert await service.record(db_session, first) == 2
    # A later day's pass finds the same reports due (2 working days left now): nothing new.
    again = await planned(sibling_settings, fake, dt.date(2027, 1, 7))
    assert [r.data["working_days_left"] for r in again] == [2, 2]
    assert await service.record(db_session, again) == 0
    stored = (await db_session.scalars(select(Event).where(Event.type == "report.due"))).all()
    assert sorted(e.subject for e in stored) == [
        "report/HT-18073/GRDP_GROWTH/2026Q4",
        "report/HT-18100/GRDP_GROWTH/2026Q4",
    ]
    assert {e.producer for e in stored} == {"notifications"}
    jobs = (
        await db_session.execute(
            text(
                "SELECT event_id FROM notifications.procrastinate_jobs,"
                " jsonb_array_elements_text(args->'event_ids') AS event_id WHERE task_name = 'fan_out'"
            )
        )
    ).scalars()
    assert sorted(jobs) == sorted(str(e.id) for e in stored)  # one fan-out each, none for the second pass


@pytest.fixture
async def committed(database_url: str) -> AsyncIterator[Database]:
    """A database whose passes commit (two at once need two transactions); their rows are removed after."""
    database = Database(database_url)
    yield database
    async with database.session() as session:
        ids = (
            await session.scalars(select(Event.id).where(Event.subject.like("report/HT-CONCURRENT-%")))
        ).all()
        await session.execute(
            text(
                "DELETE FROM notifications.procrastinate_jobs WHERE EXISTS (SELECT FROM"
                " jsonb_array_elements_text(args->'event_ids') AS e WHERE e = ANY(:ids))"
            ),
            {"ids": [str(i) for i in ids]},
        )
        await session.execute(delete(Event).where(Event.id.in_(ids)))
    await database.dispose()


async def test_passes_running_at_once_store_each_reminder_once(
    sibling_settings: Settings, committed: Database
) -> None:
    units = [f"HT-CONCURRENT-{n}" for n in range(20)]
    fake = FakeSiblings(unreported={"2026Q4": [("GRDP_GROWTH", unit) for unit in units]})
    results = await asyncio.gather(
        *(
            service.run_pass(
                sibling_settings, committed, today=dt.date(2027, 1, 6), transport=fake.transport()
            )
            for _ in range(4)
        )
    )
    assert [r.found for r in results] == [20] * 4
    assert sum(r.recorded for r in results) == 20
    async with committed.session() as session:
        stored = await session.scalar(
            select(func.count()).select_from(Event).where(Event.subject.like("report/HT-CONCURRENT-%"))
        )
    assert stored == 20
    async with committed.session() as session:
        one = await session.get(Event, own_event_id("report.due", units[0], "GRDP_GROWTH", "2026Q4"))
    assert one is not None
    assert one.data["org_unit"] == units[0]
