"""``results.imported``: every import but a dry run is announced in its own transaction, with exactly the
contract's fields (docs/events.md): the import's id, its reporter, the org units and periods whose values it
changed, and its summary's counts."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.testing.plugin import AuthHeaders as Auth

URL = "/v1/data-value-sets"
COUNT = "ECO_NEW_ENTERPRISES"
PERCENT = "ECO_URBANISATION"
FIELDS = {
    "import_id",
    "reporter",
    "org_units",
    "periods",
    "status",
    "imported",
    "updated",
    "ignored",
    "deleted",
    "conflicts",
}


def dv(data_element: str, period: str, org_unit: str, value: str) -> dict[str, str]:
    return {"dataElement": data_element, "period": period, "orgUnit": org_unit, "value": value}


async def announced(db_session: AsyncSession) -> list[dict[str, Any]]:
    """Every ``results.imported`` written (in this test's transaction), oldest first, checked for its
    envelope: version 1, about ``import/<import_id>``, exactly the contract's fields."""
    rows = await db_session.execute(
        text("SELECT event_type, version, subject, payload FROM targets.outbox ORDER BY occurred_at")
    )
    events = []
    for event_type, version, subject, payload in rows.all():
        assert (event_type, version, subject) == ("results.imported", 1, f"import/{payload['import_id']}")
        assert set(payload) == FIELDS
        events.append(payload)
    return events


async def test_an_import_is_announced_with_its_summary_and_what_it_changed(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    province = auth("reporter", org_unit="HT", subject="ht-system")
    values = [
        dv(COUNT, "2024", "HT-HSO", "12"),
        dv(COUNT, "2022", "HT-HKH", "3"),
        dv(PERCENT, "2024", "HT-HSO", "31.5"),
        dv(COUNT, "2023", "HT-HKH", "4"),
    ]
    first = await client.post(URL, json={"dataValues": values}, headers=province)
    assert first.status_code == 200, first.text
    [event] = await announced(db_session)
    assert event == {
        "import_id": first.json()["importId"],
        "reporter": "ht-system",
        "org_units": ["HT-HKH", "HT-HSO"],
        "periods": ["2022", "2023", "2024"],
        "status": "SUCCESS",
        "imported": 4,
        "updated": 0,
        "ignored": 0,
        "deleted": 0,
        "conflicts": 0,
    }

    # Sent again with one value changed and one in error: only what changed is named; the rest is counted.
    again = [*values[:3], dv(COUNT, "2023", "HT-HKH", "5"), dv(COUNT, "2023", "NOWHERE", "1")]
    second = await client.post(
        URL, json={"dataValues": again}, params={"atomicMode": "NONE"}, headers=province
    )
    assert second.status_code == 200, second.text
    assert second.json()["status"] == "WARNING"
    event = (await announced(db_session))[-1]
    assert uuid.UUID(event.pop("import_id"))
    assert event == {
        "reporter": "ht-system",
        "org_units": ["HT-HKH"],
        "periods": ["2023"],
        "status": "WARNING",
        "imported": 0,
        "updated": 1,
        "ignored": 4,
        "deleted": 0,
        "conflicts": 1,
    }


async def test_a_deletion_names_the_units_and_periods_it_emptied(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    hso = auth("reporter", org_unit="HT-HSO", subject="hso-system")
    values = [dv(COUNT, "2024", "HT-HSO", "12"), dv(COUNT, "2022", "HT-HSO", "2")]
    assert (await client.post(URL, json={"dataValues": values}, headers=hso)).status_code == 200
    deleted = await client.post(
        URL, json={"dataValues": values[:1]}, params={"importStrategy": "DELETE"}, headers=hso
    )
    assert deleted.status_code == 200, deleted.text
    event = (await announced(db_session))[-1]
    assert (event["org_units"], event["periods"], event["deleted"], event["imported"]) == (
        ["HT-HSO"],
        ["2024"],
        1,
        0,
    )


async def test_a_refused_import_is_announced_as_an_error_that_changed_nothing(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    hso = auth("reporter", org_unit="HT-HSO", subject="hso-system")
    refused = await client.post(
        URL,
        json={"dataValues": [dv(COUNT, "2024", "HT-HSO", "1"), dv(COUNT, "2024", "HT-HKH", "1")]},
        headers=hso,
    )
    assert refused.status_code == 409, refused.text
    [event] = await announced(db_session)
    assert {
        key: event[key] for key in ("org_units", "periods", "status", "imported", "ignored", "conflicts")
    } == {
        "org_units": [],
        "periods": [],
        "status": "ERROR",
        "imported": 0,
        "ignored": 2,
        "conflicts": 1,
    }


async def test_an_async_job_is_announced_under_the_jobs_id(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    hso = auth("reporter", org_unit="HT-HSO", subject="hso-system")
    response = await client.post(
        "/dataValueSets",
        json={"dataValues": [dv(COUNT, "2024", "HT-HSO", "7")]},
        params={"async": "true"},
        headers=hso,
    )
    assert response.status_code == 200, response.text
    job_id = response.json()["response"]["id"]
    [event] = await announced(db_session)
    assert (event["import_id"], event["reporter"], event["org_units"], event["imported"]) == (
        job_id,
        "hso-system",
        ["HT-HSO"],
        1,
    )


async def test_a_dry_run_is_not_announced(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    hso = auth("reporter", org_unit="HT-HSO", subject="hso-system")
    for params in ({"dryRun": "true"}, {"dryRun": "true", "async": "true"}):
        response = await client.post(
            URL, json={"dataValues": [dv(COUNT, "2024", "HT-HSO", "7")]}, params=params, headers=hso
        )
        assert response.status_code == 200, response.text
    assert await announced(db_session) == []
