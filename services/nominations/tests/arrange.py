"""Nominations brought to the council or through it to public disclosure, by the API alone (the council's
session with every member approving, as :meth:`AwardsFlow.council_passes` holds it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from devstack.flows import AwardsFlow
from devstack.testing.dates import SUITE_TODAY
from devstack.testing.plugin import AuthHeaders as Auth

# Ten working days from the suite's Tuesday 10/3/2026: the last day of a disclosure the council opens today.
DISCLOSURE_UNTIL = dt.date(2026, 3, 24)
DISCLOSURE_DAYS = (DISCLOSURE_UNTIL - SUITE_TODAY).days


class Arrange:
    def __init__(self, client: httpx.AsyncClient, auth: Auth) -> None:
        self.steps = AwardsFlow(client, auth)
        self.client = client
        self.auth = auth

    def authority(self, subject: str = "chairman-1") -> dict[str, str]:
        return self.auth("authority", org_unit="HT", subject=subject)

    async def in_council(
        self, award_type: str = "CSTD_CAP_TINH", unit: str = "HT-THA", **overrides: Any
    ) -> dict[str, Any]:
        """Nominated, submitted, screened, every failed rule overridden, sent to the council."""
        round_ = await self.steps.create_round()
        in_council = await self.steps.to_council(
            round_["id"], unit, **{"award_type_code": award_type} | overrides
        )
        return in_council | {"round": round_}

    async def passed(
        self, award_type: str = "CSTD_CAP_TINH", unit: str = "HT-THA", **overrides: Any
    ) -> dict[str, Any]:
        """Passed by a council session today: disclosed after it for its award type's working days, or
        ``approved`` where the version has no disclosure after the council."""
        nomination = await self.in_council(award_type, unit, **overrides)
        await self.steps.council_passes(nomination["round_id"], [nomination["id"]])
        read = await self.client.get(f"/v1/nominations/{nomination['id']}", headers=self.steps.secretariat())
        assert read.json()["status"] in {"disclosure", "approved"}, read.text
        passed: dict[str, Any] = read.json() | {"round": nomination["round"]}
        return passed

    async def disclosed(
        self, award_type: str = "CSTD_CAP_TINH", unit: str = "HT-THA", **overrides: Any
    ) -> dict[str, Any]:
        """Passed by a council session today and disclosed after it (the award type's version says so)."""
        passed = await self.passed(award_type, unit, **overrides)
        assert passed["status"] == "disclosure", passed
        return passed
