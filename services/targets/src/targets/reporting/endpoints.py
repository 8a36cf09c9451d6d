"""HTTP for reporting obligations (internal: not routed by the gateway; a sibling service's token only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shared.database import SessionDep
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import problem_responses
from targets.deps import Catalogue, ServiceCaller
from targets.reporting import service
from targets.reporting.schemas import ObligationOut

router = APIRouter(tags=["reporting obligations"])


@router.get(
    "/internal/v1/reporting-obligations",
    summary="Who owes a result for a period, and whether it came (the notifications service's reminders)",
    responses=problem_responses(service.ReportingPeriodInvalid, InvalidCursor),
)
async def list_obligations(
    session: SessionDep,
    principal: ServiceCaller,
    catalogue: Catalogue,
    period: Annotated[str, Query(max_length=50, examples=["2026Q4"])],
    reported: Annotated[bool | None, Query(description="Only those reported (true) or not (false)")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ObligationOut]:
    return await service.obligations(
        session, catalogue, period, reported=reported, limit=limit, cursor=cursor
    )
