"""Reminders with the real processes: a unit with a monthly target that has not reported gets ``report.due``
in its reporter's inbox, through the gateway, its due date moved past Tết by nominations' real calendar.

The pass is the one the workers run daily (``python -m notifications remind``), run here for a chosen day
against the stack's database and services; the stack's notifications worker fans it out to the inbox.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid

import httpx
from sqlalchemy import text

from devstack.stack import SERVICES, Stack
from shared.database import Database

# Wednesday 3/2/2027, the eve of Tết Đinh Mùi (Thursday 4/2 to Wednesday 10/2/2027 off): January's report,
# due on the 10th of February, is due on Thursday 11/2, the next working day, which is 1 working day away.
DAY = "2027-02-03"


def bearer(stack: Stack, roles: list[str], org_unit: str | None, subject: str) -> dict[str, str]:
    assert stack.keys is not None
    return {"Authorization": f"Bearer {stack.keys.mint(roles=roles, org_unit=org_unit, subject=subject)}"}


def remind(stack: Stack, day: str) -> str:
    notifications = next(spec for spec in SERVICES if spec.name == "notifications")
    done = subprocess.run(
        [sys.executable, "-m", "notifications", "remind", "--on", day],
        env=stack.service_env(notifications),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def recorded(stack: Stack, subject: str) -> int:
    """How many ``report.due`` events the notifications service holds about this subject (read-only)."""

    async def count() -> int:
        database = Database(stack.database_url, application_name="e2e-reminders-check")
        try:
            async with database.session() as session:
                found = await session.scalar(
                    text(
                        "SELECT count(*) FROM notifications.events WHERE type = 'report.due' AND subject = :s"
                    ),
                    {"s": subject},
                )
                return int(found or 0)
        finally:
            await database.dispose()

    return asyncio.run(count())


def test_a_report_due_reaches_the_reporters_inbox_once(stack: Stack, gateway: httpx.Client) -> None:
    suffix = uuid.uuid4().hex[:6].upper()
    indicator, plan, unit = f"E2E_EXPORTS_{suffix}", f"E2E-2027-{suffix}", "HT-18073"
    admin = bearer(stack, ["admin"], "HT", "e2e-admin")
    created = [
        gateway.post(
            "/api/v1/indicators",
            json={
                "code": indicator,
                "name": "Kim ngạch xuất khẩu hằng tháng",
                "area": "economy",
                "unit": "triệu USD",
                "value_type": "number",
                "aggregation": "sum",
                "period_type": "Monthly",
            },
            headers=admin,
        ),
        gateway.post(
            "/api/v1/plans",
            json={
                "code": plan,
                "name": "Kế hoạch năm 2027",
                "start_date": "2027-01-01",
                "end_date": "2027-12-31",
                "source": "e2e",
            },
            headers=admin,
        ),
        gateway.post(
            "/api/v1/targets",
            json={
                "plan": plan,
                "indicator": indicator,
                "org_unit": unit,
                "kind": "annual",
                "comparator": "gte",
                "value": 10,
                "source_text": "xuất khẩu đạt 10 triệu USD mỗi tháng",
            },
            headers=admin,
        ),
    ]
    assert [response.status_code for response in created] == [201] * 3, [r.text for r in created]
    reporter = f"reporter-{unit}-{suffix.lower()}"
    person = gateway.post(
        "/api/v1/recipients",
        json={
            "sub": reporter,
            "display_name": "Hệ thống báo cáo phường Thành Sen",
            "org_unit": unit,
            "roles": ["reporter"],
        },
        headers=admin,
    )
    assert person.status_code == 201, person.text

    # The pass's counts are the whole stack's, and other tests sharing it create reporting obligations of
    # their own, so "records once" is judged on this reminder's own events, not on a count of "0 new".
    subject = f"report/{unit}/{indicator}/202701"
    first = remind(stack, DAY)
    assert first.startswith(f"{DAY}: "), first
    assert recorded(stack, subject) == 1, first
    assert remind(stack, DAY).startswith(f"{DAY}: ")
    assert recorded(stack, subject) == 1  # a second pass of the same day records nothing again

    mine = bearer(stack, ["reporter"], unit, reporter)
    deadline = time.monotonic() + 30
    items: list[dict[str, object]] = []
    while time.monotonic() < deadline:
        response = gateway.get("/api/v1/inbox", headers=mine)
        assert response.status_code == 200, response.text
        items = [item for item in response.json()["items"] if item["event_type"] == "report.due"]
        if items:
            break
        time.sleep(0.3)
    assert len(items) == 1, items
    item = items[0]
    assert item["subject"] == subject
    body = str(item["body"])
    assert "11/02/2027" in body, body
    assert "còn 1 ngày làm việc" in body, body
    # The next day is Tết: no pass then; on the due day the reminder is not sent twice either.
    assert remind(stack, "2027-02-04").endswith(": 0 reminders due, 0 new")
    assert remind(stack, "2027-02-11").startswith("2027-02-11: ")
    assert recorded(stack, subject) == 1
    time.sleep(1.0)
    again = gateway.get("/api/v1/inbox", headers=mine).json()["items"]
    assert [i["event_type"] for i in again if i["event_type"] == "report.due"] == ["report.due"]
