"""``GET /internal/v1/reporting-obligations``: who owes a result for a period, for the reminders of the
notifications service; a sibling service's token only (each test rolled back)."""

from typing import Any

import httpx
import pytest

from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth

URL = "/internal/v1/reporting-obligations"
MONTHLY = "ECO_EXPORTS_MONTHLY"


def service(auth: Auth) -> dict[str, str]:
    return auth("service", org_unit=None, subject="service-account-notifications")


async def arrange_monthly_targets(client: httpx.AsyncClient, auth: Auth) -> None:
    """A monthly indicator with targets in a 2026 plan for two wards and a district (the tier ended on
    1/7/2025), and for a commune in a plan of 2030 only."""
    editor = auth("secretariat")
    indicator = {
        "code": MONTHLY,
        "name": "Kim ngạch xuất khẩu hằng tháng",
        "area": "economy",
        "unit": "triệu USD",
        "value_type": "number",
        "aggregation": "sum",
        "period_type": "Monthly",
    }
    assert (await client.post("/v1/indicators", json=indicator, headers=editor)).status_code == 201
    for code, start, end in (
        ("HT-2026", "2026-01-01", "2026-12-31"),
        ("HT-2030", "2030-01-01", "2030-12-31"),
    ):
        plan = {
            "code": code,
            "name": f"Kế hoạch {code}",
            "start_date": start,
            "end_date": end,
            "source": "test",
        }
        assert (await client.post("/v1/plans", json=plan, headers=editor)).status_code == 201
    for plan_code, unit in (
        ("HT-2026", "HT-18073"),
        ("HT-2026", "HT-18100"),
        ("HT-2026", "HT-HSO"),
        ("HT-2030", "HT-18196"),
    ):
        target = {
            "plan": plan_code,
            "indicator": MONTHLY,
            "org_unit": unit,
            "kind": "annual",
            "comparator": "gte",
            "value": 10,
            "source_text": "xuất khẩu đạt 10 triệu USD",
        }
        response = await client.post("/v1/targets", json=target, headers=editor)
        assert response.status_code == 201, response.text


async def obligations(client: httpx.AsyncClient, auth: Auth, **params: Any) -> list[tuple[str, str, bool]]:
    response = await client.get(URL, params=params, headers=service(auth))
    assert response.status_code == 200, response.text
    return [(o["indicator"], o["org_unit"], o["reported"]) for o in response.json()["items"]]


async def test_units_with_a_target_in_a_plan_in_force_owe_each_period_until_a_result_comes(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    await arrange_monthly_targets(client, auth)
    assert await obligations(client, auth, period="202601") == [
        (MONTHLY, "HT-18073", False),
        (MONTHLY, "HT-18100", False),
    ]
    posted = await client.post(
        "/v1/data-value-sets",
        json={
            "dataValues": [{"dataElement": MONTHLY, "period": "202601", "orgUnit": "HT-18073", "value": "12"}]
        },
        headers=auth("reporter", org_unit="HT-18073", subject="hso-system"),
    )
    assert posted.status_code == 200, posted.text
    assert posted.json()["importCount"]["imported"] == 1
    assert await obligations(client, auth, period="202601") == [
        (MONTHLY, "HT-18073", True),
        (MONTHLY, "HT-18100", False),
    ]
    assert await obligations(client, auth, period="202601", reported="false") == [
        (MONTHLY, "HT-18100", False)
    ]
    # The next month is owed again; a quarter is another period type, which no monthly indicator owes.
    assert await obligations(client, auth, period="202602", reported="false") == [
        (MONTHLY, "HT-18073", False),
        (MONTHLY, "HT-18100", False),
    ]
    assert MONTHLY not in {indicator for indicator, _, _ in await obligations(client, auth, period="2026Q1")}


async def test_yearly_targets_of_the_seeded_plan_are_owed_for_its_years_only(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    in_force = await obligations(client, auth, period="2025", limit=500)
    assert in_force
    assert {unit for _, unit, _ in in_force} == {"HT"}
    assert await obligations(client, auth, period="2027") == []


async def test_pages_by_indicator_and_unit(client: httpx.AsyncClient, auth: Auth) -> None:
    everything = await obligations(client, auth, period="2025", limit=500)
    seen: list[tuple[str, str, bool]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"period": "2025", "limit": 7, **({"cursor": cursor} if cursor else {})}
        response = await client.get(URL, params=params, headers=service(auth))
        assert response.status_code == 200, response.text
        seen += [(o["indicator"], o["org_unit"], o["reported"]) for o in response.json()["items"]]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == everything
    assert len(everything) > 7


@pytest.mark.parametrize("role", ["admin", "secretariat", "reporter", "unit_officer", "viewer"])
async def test_a_persons_token_is_refused(client: httpx.AsyncClient, auth: Auth, role: str) -> None:
    response = await client.get(URL, params={"period": "2025"}, headers=auth(role, org_unit="HT"))
    assert_problem(response, 403, "missing-role")


async def test_no_token_is_401_and_a_bad_period_400(client: httpx.AsyncClient, auth: Auth) -> None:
    assert (await client.get(URL, params={"period": "2025"})).status_code == 401
    response = await client.get(URL, params={"period": "2025Q7"}, headers=service(auth))
    assert_problem(response, 400, "reporting-period-invalid")
