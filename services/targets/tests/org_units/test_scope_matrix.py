"""Org-unit scope as a matrix: every role × every relation between the caller's unit and the target unit ×
dates on both sides of the Lộc Hà merger (2025-01-01) and of the end of the district tier (2025-07-01).

The rule lives in one place, targets.org_units.scope; the API test below checks the ingestion endpoint
applies it (E7617) rather than a rule of its own.
"""

import datetime as dt
import itertools

import httpx
import pytest

from devstack.testing.plugin import AuthHeaders
from shared.auth import Principal, Role
from targets.org_units.hierarchy import Hierarchy, ParentLink, UnitInfo
from targets.org_units.scope import scope_of

D = dt.date
END_2024, START_2025, END_TIER, AFTER_TIER = D(2024, 12, 31), D(2025, 1, 1), D(2025, 6, 30), D(2025, 7, 1)

UNITS = {
    1: ("HT", D(2021, 1, 1), None),
    2: ("HT-THA", D(2021, 1, 1), END_TIER),
    3: ("HT-LHA", D(2021, 1, 1), END_2024),
    4: ("HT-HSO", D(2021, 1, 1), END_TIER),
    5: ("X-LHA", D(2021, 1, 1), None),  # a commune of Lộc Hà, under Thạch Hà after the merger
    6: ("X-HSO", D(2021, 1, 1), None),  # a commune of Hương Sơn, under the province after the tier ends
}
LINKS = [
    ParentLink(2, 1, D(2021, 1, 1), END_TIER),
    ParentLink(3, 1, D(2021, 1, 1), END_2024),
    ParentLink(4, 1, D(2021, 1, 1), END_TIER),
    ParentLink(5, 3, D(2021, 1, 1), END_2024),
    ParentLink(5, 2, START_2025, END_TIER),
    ParentLink(5, 1, AFTER_TIER, None),
    ParentLink(6, 4, D(2021, 1, 1), END_TIER),
    ParentLink(6, 1, AFTER_TIER, None),
]
HIERARCHY = Hierarchy(
    units={
        unit_id: UnitInfo(id=unit_id, code=code, name=code, type="x", valid_from=start, valid_to=end)
        for unit_id, (code, start, end) in UNITS.items()
    },
    links=LINKS,
)
ID = {code: unit_id for unit_id, (code, _, _) in UNITS.items()}

# (caller's org unit, target unit, day) → may a scoped (non-province-wide) caller act for it?
SCOPED = {
    ("HT", "X-LHA", END_2024): True,
    ("HT", "X-HSO", AFTER_TIER): True,
    ("HT-LHA", "HT-LHA", END_2024): True,
    ("HT-LHA", "X-LHA", END_2024): True,  # its commune, before the merger
    ("HT-LHA", "X-LHA", START_2025): False,  # after the merger the commune belongs to Thạch Hà
    ("HT-THA", "X-LHA", END_2024): False,  # not yet Thạch Hà's
    ("HT-THA", "X-LHA", START_2025): True,
    ("HT-THA", "X-LHA", AFTER_TIER): False,  # the district tier has ended
    ("HT-HSO", "X-HSO", END_TIER): True,
    ("HT-HSO", "X-HSO", AFTER_TIER): False,
    ("HT-HSO", "HT-THA", END_2024): False,  # a sibling
    ("HT-HSO", "HT", END_2024): False,  # its parent
    ("X-HSO", "HT-HSO", END_2024): False,  # a child never acts for its parent
    ("X-HSO", "X-HSO", AFTER_TIER): True,
    ("NOWHERE", "X-HSO", END_2024): False,  # a token naming an unknown unit acts for nothing
    (None, "X-HSO", END_2024): False,  # a token without an org unit acts for nothing
}
ROLES = list(Role)


@pytest.mark.parametrize(("role", "case"), list(itertools.product(ROLES, SCOPED.items())), ids=str)
def test_scope_matrix(role: Role, case: tuple[tuple[str | None, str, dt.date], bool]) -> None:
    (caller_unit, target, day), scoped_answer = case
    principal = Principal(subject="s", roles=frozenset({role}), org_unit=caller_unit, claims={})
    scope = scope_of(principal, HIERARCHY)
    province_wide = role in {Role.ADMIN, Role.SECRETARIAT}
    assert scope.allows(HIERARCHY, ID[target], day) is (province_wide or scoped_answer)


POSTERS = {"reporter", "secretariat", "admin"}


@pytest.mark.parametrize("role", [role.value for role in Role])
@pytest.mark.parametrize(
    ("caller_unit", "target_unit", "period", "in_scope"),
    [
        ("HT-HSO", "HT-HSO", "2023", True),
        ("HT", "HT-HSO", "2023", True),
        ("HT-HSO", "HT-HKH", "2023", False),
        ("HT-HSO", "HT", "2023", False),
        ("HT-LHA", "HT-LHA", "2024", True),
        ("HT-THA", "HT-LHA", "2024", False),
    ],
)
async def test_ingestion_applies_the_scope_matrix(
    client: httpx.AsyncClient,
    auth: AuthHeaders,
    role: str,
    caller_unit: str,
    target_unit: str,
    period: str,
    in_scope: bool,
) -> None:
    response = await client.post(
        "/v1/data-value-sets",
        json={
            "dataValues": [
                {"dataElement": "ECO_NEW_ENTERPRISES", "period": period, "orgUnit": target_unit, "value": "7"}
            ]
        },
        headers=auth(role, org_unit=caller_unit),
        params={"dryRun": "true"},
    )
    if role not in POSTERS:
        assert response.status_code == 403
        assert response.json()["type"] == "urn:thidua:problem:missing-role"
        return
    allowed = in_scope or role in {"secretariat", "admin"}
    body = response.json()
    if allowed:
        assert response.status_code == 200, body
        assert body["importCount"]["imported"] == 1
    else:
        assert response.status_code == 409, body
        assert [conflict["errorCode"] for conflict in body["conflicts"]] == ["E7617"]
