"""HTTP for the working calendar."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from nominations.calendar import service
from nominations.calendar.schemas import CalendarDayIn, DayOut
from nominations.deps import CatalogueEditor
from shared.auth import PUBLIC
from shared.bounds import Day
from shared.database import SessionDep
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import problem_responses

router = APIRouter(tags=["working calendar"])
DayQuery = Annotated[Day, Query()]


@router.get(
    "/v1/working-calendar",
    summary="Days off (holidays, weekends, decided days off) and weekend days worked, in a period; recorded "
    "days (seeded or by the secretariat) with the act that decided them",
    responses=problem_responses(service.SpanReversed, service.SpanTooLong, InvalidCursor),
    dependencies=[PUBLIC],
)
async def list_days(
    session: SessionDep,
    from_: Annotated[Day, Query(alias="from")],
    to: DayQuery,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[DayOut]:
    return await service.days_off(session, from_, to, limit=limit, cursor=cursor)


@router.post(
    "/v1/working-calendar",
    status_code=201,
    summary="Record a day off or a working day decided by the State or the province (secretariat, admin)",
    responses=problem_responses(service.DayAlreadyRecorded),
)
async def add_day(session: SessionDep, principal: CatalogueEditor, body: CalendarDayIn) -> DayOut:
    row = await service.add_exception(session, body, principal.subject)
    return DayOut(
        day=row.day, working=row.kind == "working_day", reason=row.reason, recorded=True, source=row.source
    )
