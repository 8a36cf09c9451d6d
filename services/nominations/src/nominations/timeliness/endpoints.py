"""HTTP for a round's timeliness."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.deps import NominationReader
from nominations.org_scope import Scope, ScopeCheck, TargetsUnavailable
from nominations.rounds import service as rounds
from nominations.timeliness import service
from nominations.timeliness.schemas import LateNomination, Stage, Timeliness
from shared import clock
from shared.bounds import Day, RowId
from shared.database import SessionDep
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import BadRequest, problem_responses

router = APIRouter(tags=["rounds"])
# Looking further ahead than the longest round says nothing more and costs a day-by-day count.
MAX_LOOKAHEAD = dt.timedelta(days=366)


class LookaheadTooFar(BadRequest):
    slug = "lookahead-too-far"
    title = "The date is too far ahead"


@router.get(
    "/v1/rounds/{round_id}/timeliness",
    summary="Working days from submission to decision per award type, and nominations past a deadline",
    responses=problem_responses(rounds.RoundNotFound, LookaheadTooFar, TargetsUnavailable),
)
async def get_timeliness(
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    round_id: RowId,
    as_of: Annotated[Day | None, Query()] = None,
) -> Timeliness:
    return await timeliness_of(session, scope, round_id, as_of)


@router.get(
    "/v1/rounds/{round_id}/late-nominations",
    summary="The round's nominations past a deadline (of one stage if asked), by id",
    responses=problem_responses(rounds.RoundNotFound, LookaheadTooFar, InvalidCursor, TargetsUnavailable),
)
async def list_late_nominations(
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    round_id: RowId,
    as_of: Annotated[Day | None, Query()] = None,
    stage: Stage | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[LateNomination]:
    round_ = await rounds.get(session, round_id)
    return await service.late_nominations(
        session, scope, round_, _as_of(as_of), stage=stage, limit=limit, cursor=cursor
    )


def _as_of(as_of: dt.date | None) -> dt.date:
    """The day asked for (default today), at most a year ahead."""
    today = clock.today()
    if as_of is not None and as_of > today + MAX_LOOKAHEAD:
        raise LookaheadTooFar(f"as_of may be at most a year after today ({today + MAX_LOOKAHEAD}).")
    return as_of or today


async def timeliness_of(
    session: AsyncSession, scope: ScopeCheck, round_id: int, as_of: dt.date | None
) -> Timeliness:
    """The round's timeliness as of a day (default today), at most a year ahead."""
    round_ = await rounds.get(session, round_id)
    return await service.timeliness(session, scope, round_, _as_of(as_of))
