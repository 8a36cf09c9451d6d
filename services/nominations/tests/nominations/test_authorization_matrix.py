"""Who may do what to a nomination of Huyện Thạch Hà (HT-THA): role × org unit × action, as one table.

Expected answers: 200 done; 403 a role or unit that may not act (problem names the allowed actions); 404 a
caller who may not read the dossier (not revealed to exist); `missing-role` callers never reach it.
"""

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from devstack.flows import AwardsFlow
from devstack.testing.plugin import AuthHeaders as Auth

UNIT = "HT-THA"


@dataclass(frozen=True)
class Caller:
    label: str
    role: str
    org_unit: str | None


CALLERS = [
    Caller("officer of the unit", "unit_officer", UNIT),
    Caller("officer of the province above", "unit_officer", "HT"),
    Caller("officer of another district", "unit_officer", "HT-CLO"),
    Caller("officer without a unit", "unit_officer", None),
    Caller("secretariat", "secretariat", "HT-SNV"),
    Caller("authority", "authority", "HT"),
    Caller("council member", "council_member", "HT"),
    Caller("viewer", "viewer", "HT"),
    Caller("reporter of the unit", "reporter", UNIT),
    Caller("admin", "admin", "HT"),
]
UNIT_SIDE = {"officer of the unit": 200, "officer of the province above": 200, "admin": 200}
SECRETARIAT_SIDE = {"secretariat": 200, "admin": 200}
NOT_READING = {"officer of another district": 404, "officer without a unit": 404}
NO_ROLE = {"viewer": 403, "reporter of the unit": 403}


def expected(allowed: dict[str, int]) -> dict[str, int]:
    return {caller.label: allowed.get(caller.label, NOT_READING.get(caller.label, 403)) for caller in CALLERS}


# (state the nomination is brought to, action, body, expected status per caller)
MATRIX: list[tuple[str, str, dict[str, Any], dict[str, int]]] = [
    ("draft", "submit", {}, expected(UNIT_SIDE)),
    ("draft", "withdraw", {}, expected(UNIT_SIDE)),
    ("submitted", "screen", {}, expected(SECRETARIAT_SIDE)),
    ("submitted", "return", {"note": "Bổ sung hồ sơ"}, expected(SECRETARIAT_SIDE)),
    ("returned", "resubmit", {}, expected(UNIT_SIDE)),
    ("screening", "reject", {"note": "Không đủ tiêu chuẩn"}, expected(SECRETARIAT_SIDE)),
]
CASES = [
    pytest.param(state, action, body, caller, status, id=f"{state}-{action}-{caller.label}")
    for state, action, body, statuses in MATRIX
    for caller in CALLERS
    for status in [statuses[caller.label]]
]


async def bring_to(steps: AwardsFlow, state: str) -> int:
    round_ = await steps.create_round()
    nomination_id: int = (await steps.nominate(round_["id"], UNIT))["id"]
    path = {
        "draft": [],
        "submitted": [("submit", "unit")],
        "returned": [("submit", "unit"), ("return", "secretariat")],
        "screening": [("submit", "unit"), ("screen", "secretariat")],
    }[state]
    for action, side in path:
        headers = steps.officer(UNIT) if side == "unit" else steps.secretariat()
        await steps.must(nomination_id, action, headers, note="Bước chuẩn bị")
    return nomination_id


@pytest.mark.parametrize(("state", "action", "body", "caller", "status"), CASES)
async def test_matrix(
    client: httpx.AsyncClient,
    auth: Auth,
    state: str,
    action: str,
    body: dict[str, Any],
    caller: Caller,
    status: int,
) -> None:
    steps = AwardsFlow(client, auth)
    nomination_id = await bring_to(steps, state)
    headers = auth(caller.role, org_unit=caller.org_unit, subject=f"matrix-{caller.label}")
    response = await steps.act(nomination_id, action, headers, **body)
    assert response.status_code == status, response.text
    if status == 403 and caller.label not in NO_ROLE:
        assert response.json()["type"].endswith("action-forbidden")
        assert action not in response.json()["allowed_actions"]
    if status == 200:
        events = await client.get(f"/v1/nominations/{nomination_id}/events", headers=steps.secretariat())
        assert events.json()["items"][-1]["action"] == action
        assert events.json()["items"][-1]["actor"] == f"matrix-{caller.label}"
