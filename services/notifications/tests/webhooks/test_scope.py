"""Who manages which unit's webhook endpoints, as one table: role × the token's org unit × action.

Admins manage every unit's; a reporter (a district system) and a unit officer only their token's own unit's;
every other role is refused by role (missing-role) before the unit is even looked at.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from devstack.testing.plugin import AuthHeaders
from notifications.webhooks.permissions import manages
from shared.auth import Principal, Role

UNIT = "HT-THA"
PATH = "/v1/webhook-endpoints"


@dataclass(frozen=True)
class Caller:
    label: str
    role: str
    org_unit: str | None


CALLERS = [
    Caller("admin", "admin", "HT"),
    Caller("reporter of the unit", "reporter", UNIT),
    Caller("reporter of another district", "reporter", "HT-CLO"),
    Caller("reporter of the province above", "reporter", "HT"),
    Caller("reporter without a unit", "reporter", None),
    Caller("officer of the unit", "unit_officer", UNIT),
    Caller("officer of another district", "unit_officer", "HT-CLO"),
    Caller("secretariat", "secretariat", "HT"),
    Caller("viewer of the unit", "viewer", UNIT),
    Caller("authority of the unit", "authority", UNIT),
]
MANAGERS = {"admin", "reporter of the unit", "officer of the unit"}
NO_ROLE = {"secretariat", "viewer of the unit", "authority of the unit"}


def expected(caller: Caller, done: int) -> tuple[int, str | None]:
    if caller.label in MANAGERS:
        return done, None
    return 403, "missing-role" if caller.label in NO_ROLE else "out-of-scope"


ACTIONS = ["create", "list", "read", "change", "rotate", "delete"]


async def act(
    client: httpx.AsyncClient, action: str, endpoint_id: str, headers: dict[str, str]
) -> httpx.Response:
    one = f"{PATH}/{endpoint_id}"
    body = {"org_unit": UNIT, "url": "https://qlvb.thachha.hatinh.gov.vn/hooks"}
    if action == "create":
        return await client.post(PATH, json=body, headers=headers)
    if action == "list":
        return await client.get(PATH, params={"org_unit": UNIT}, headers=headers)
    if action == "read":
        return await client.get(one, headers=headers)
    if action == "change":
        return await client.patch(one, json={"description": "mới"}, headers=headers | {"If-Match": '"1"'})
    if action == "rotate":
        return await client.post(f"{one}/actions/rotate-secret", headers=headers)
    return await client.delete(one, headers=headers)


DONE = {"create": 201, "list": 200, "read": 200, "change": 200, "rotate": 200, "delete": 204}


@pytest.mark.parametrize("caller", CALLERS, ids=lambda caller: caller.label)
@pytest.mark.parametrize("action", ACTIONS)
async def test_who_manages_a_units_webhook_endpoints(
    client: httpx.AsyncClient, auth: AuthHeaders, caller: Caller, action: str
) -> None:
    made = await client.post(
        PATH,
        json={"org_unit": UNIT, "url": "https://qlvb.thachha.hatinh.gov.vn/hooks"},
        headers=auth("admin"),
    )
    headers = auth(caller.role, org_unit=caller.org_unit)
    response = await act(client, action, made.json()["id"], headers)
    status, slug = expected(caller, DONE[action])
    assert response.status_code == status, response.text
    if slug:
        assert response.json()["type"] == f"urn:thidua:problem:{slug}"


@pytest.mark.parametrize(
    ("caller", "shown"),
    [
        (Caller("admin", "admin", "HT"), 2),
        (Caller("reporter of the unit", "reporter", UNIT), 1),
        (Caller("officer of another district", "unit_officer", "HT-CLO"), 1),
    ],
    ids=lambda value: value.label if isinstance(value, Caller) else str(value),
)
async def test_a_list_without_org_unit_shows_the_callers_own_or_every_unit_to_admins(
    client: httpx.AsyncClient, auth: AuthHeaders, caller: Caller, shown: int
) -> None:
    for unit in (UNIT, "HT-CLO"):
        await client.post(
            PATH, json={"org_unit": unit, "url": "https://hooks.hatinh.gov.vn/x"}, headers=auth("admin")
        )
    page = await client.get(PATH, headers=auth(caller.role, org_unit=caller.org_unit))
    assert page.status_code == 200
    assert len(page.json()["items"]) == shown
    if caller.role != "admin":
        assert {item["org_unit"] for item in page.json()["items"]} == {caller.org_unit}


def test_the_rule_itself() -> None:
    def principal(*roles: Role, org_unit: str | None) -> Principal:
        return Principal("x", frozenset(roles), org_unit, {})

    assert manages(principal(Role.ADMIN, org_unit=None), None)
    assert manages(principal(Role.REPORTER, org_unit=UNIT), UNIT)
    assert not manages(principal(Role.REPORTER, org_unit=UNIT), None)
    assert not manages(principal(Role.REPORTER, org_unit=None), None)
    assert not manages(principal(Role.UNIT_OFFICER, org_unit="HT"), UNIT)
    assert not manages(principal(Role.SECRETARIAT, Role.VIEWER, org_unit=UNIT), UNIT)
