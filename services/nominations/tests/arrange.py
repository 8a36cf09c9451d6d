"""Nominations brought to the council or to public disclosure for tests that are not about the council: the
API up to ``council``, then the council's pass recorded directly (as closing a session would) in the test's
transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.testing.awards import AwardsFlow
from devstack.testing.plugin import AuthHeaders as Auth
from nominations.dossiers.models import Nomination
from nominations.dossiers.workflow import Action, record
from shared import clock

DISCLOSURE_DAYS = 14


class Arrange:
    def __init__(self, client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession) -> None:
        self.steps = AwardsFlow(client, auth)
        self.client = client
        self.auth = auth
        self.db_session = db_session

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

    async def disclose(self, nomination_id: int, days: int = DISCLOSURE_DAYS) -> None:
        """The council passed it; disclosed from today for ``days`` more days."""
        nomination = await self.db_session.get(Nomination, nomination_id, populate_existing=True)
        assert nomination is not None
        await record(self.db_session, "secretariat-1", ["secretariat"], nomination, Action.COUNCIL_PASS, None)
        nomination.disclosure_from = clock.today()
        nomination.disclosure_until = clock.today() + dt.timedelta(days=days)
        await self.db_session.flush()

    async def disclosed(
        self,
        award_type: str = "CSTD_CAP_TINH",
        unit: str = "HT-THA",
        days: int = DISCLOSURE_DAYS,
        **overrides: Any,
    ) -> dict[str, Any]:
        nomination = await self.in_council(award_type, unit, **overrides)
        await self.disclose(nomination["id"], days)
        return nomination
