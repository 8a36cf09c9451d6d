"""``GET /internal/v1/round-deadlines``: the deadlines of rounds due in a span of days, for the reminders of
the notifications service; a sibling service's token only."""

import httpx
import pytest

from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth

URL = "/internal/v1/round-deadlines"
ROUND = {
    "code": "KT-2024",
    "name": "Khen thưởng tổng kết năm 2024",
    "kind": "annual",
    "year": 2024,
    "reference_date": "2024-12-31",
    "opens_on": "2025-01-20",  # deadlines 23/1, 6/2 (across Tết), 13/2, 27/2 (test_rounds_api.py)
    "submission_working_days": 3,
    "screening_working_days": 5,
    "council_working_days": 5,
    "decision_working_days": 10,
}


def service(auth: Auth) -> dict[str, str]:
    return auth("service", org_unit=None, subject="service-account-notifications")


async def test_deadlines_in_the_span_by_day_and_paged(client: httpx.AsyncClient, auth: Auth) -> None:
    created = await client.post("/v1/rounds", json=ROUND, headers=auth("secretariat"))
    assert created.status_code == 201, created.text
    round_id = created.json()["id"]
    response = await client.get(URL, params={"from": "2025-01-24", "to": "2025-02-13"}, headers=service(auth))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "items": [
            {
                "round_id": round_id,
                "round_name": "Khen thưởng tổng kết năm 2024",
                "deadline": deadline,
                "due_on": due_on,
            }
            for deadline, due_on in (("screening", "2025-02-06"), ("council", "2025-02-13"))
        ],
        "next_cursor": None,
    }
    first = await client.get(
        URL, params={"from": "2025-01-01", "to": "2025-03-01", "limit": 3}, headers=service(auth)
    )
    rest = await client.get(
        URL,
        params={"from": "2025-01-01", "to": "2025-03-01", "cursor": first.json()["next_cursor"]},
        headers=service(auth),
    )
    names = [item["deadline"] for item in first.json()["items"] + rest.json()["items"]]
    assert names == ["submission", "screening", "council", "decision"]
    assert rest.json()["next_cursor"] is None


@pytest.mark.parametrize("role", ["admin", "secretariat", "unit_officer", "viewer"])
async def test_a_persons_token_is_refused(client: httpx.AsyncClient, auth: Auth, role: str) -> None:
    response = await client.get(URL, params={"from": "2025-01-01", "to": "2025-03-01"}, headers=auth(role))
    assert_problem(response, 403, "missing-role")


async def test_a_reversed_or_too_long_span_is_400(client: httpx.AsyncClient, auth: Auth) -> None:
    for span in ({"from": "2025-03-01", "to": "2025-01-01"}, {"from": "2025-01-01", "to": "2027-01-01"}):
        assert_problem(
            await client.get(URL, params=span, headers=service(auth)), 400, "deadline-span-invalid"
        )
