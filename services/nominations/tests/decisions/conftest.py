"""Nominations ready for a decision, without the council: the API up to ``council``, then the council's pass
recorded directly (as the council's own endpoints would) in the test's transaction, and the period let run."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.testing.awards import AwardsFlow
from devstack.testing.plugin import AuthHeaders as Auth
from nominations import clock
from nominations.dossiers.models import Nomination
from nominations.dossiers.workflow import Action, record

DISCLOSURE_DAYS = 14


class Arrange:
    def __init__(self, client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession) -> None:
        self.steps = AwardsFlow(client, auth)
        self.auth = auth
        self.db_session = db_session

    def authority(self, subject: str = "chairman-1") -> dict[str, str]:
        return self.auth("authority", org_unit="HT", subject=subject)

    async def disclosed(
        self, award_type: str = "CSTD_CAP_TINH", unit: str = "HT-THA", **overrides: Any
    ) -> dict[str, Any]:
        """Nominated, screened (failed rules overridden), through the council, disclosed from today for
        ``DISCLOSURE_DAYS`` days."""
        steps, secretariat = self.steps, self.steps.secretariat()
        round_ = await steps.create_round()
        nomination = await steps.nominate(round_["id"], unit, award_type_code=award_type, **overrides)
        await steps.must(nomination["id"], "submit", steps.officer(unit))
        screened = await steps.must(nomination["id"], "screen", secretariat)
        for verdict in screened["eligibility"]["verdicts"]:
            if verdict["status"] == "failed":
                await steps.must(
                    nomination["id"],
                    "override",
                    secretariat,
                    override={"rule": verdict["kind"]},
                    note="Hội đồng cơ sở đã xác minh",
                )
        await steps.must(nomination["id"], "send_to_council", secretariat)
        row = await self.db_session.get(Nomination, nomination["id"], populate_existing=True)
        assert row is not None
        await record(self.db_session, "secretariat-1", ["secretariat"], row, Action.COUNCIL_PASS, None)
        row.disclosure_from = clock.today()
        row.disclosure_until = clock.today() + dt.timedelta(days=DISCLOSURE_DAYS)
        await self.db_session.flush()
        return nomination | {"round": round_}


@pytest.fixture
def arrange(client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession) -> Arrange:
    return Arrange(client, auth, db_session)
