"""HTTP for the reports leaders read: commendation fairness and a round's timeliness."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from nominations.deps import NominationReader
from nominations.fairness import service
from nominations.fairness.schemas import FairnessReport
from nominations.org_scope import OutOfScope, Scope, TargetsUnavailable
from nominations.rounds import service as rounds
from nominations.timeliness.endpoints import LookaheadTooFar, timeliness_of
from nominations.timeliness.schemas import Timeliness
from shared.bounds import Day, RowId
from shared.database import SessionDep
from shared.problems import problem_responses

router = APIRouter(tags=["reports"])


@router.get(
    "/v1/reports/fairness",
    summary="Awards against nominations per priority group, by year and unit (the dossiers the caller reads)",
    responses=problem_responses(service.FairnessUnitUnknown, OutOfScope, TargetsUnavailable),
)
async def get_fairness(
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    year: Annotated[int, Query(ge=2000, le=2100)],
    org_unit: Annotated[str, Query(min_length=1, max_length=50)] = "HT",
) -> FairnessReport:
    return await service.fairness(session, scope, year=year, org_unit=org_unit)


@router.get(
    "/v1/reports/timeliness",
    summary="A round's working days from submission to decision per award type, and deadlines missed",
    responses=problem_responses(rounds.RoundNotFound, LookaheadTooFar, TargetsUnavailable),
)
async def get_timeliness(
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    round_id: Annotated[RowId, Query()],
    as_of: Annotated[Day | None, Query()] = None,
) -> Timeliness:
    return await timeliness_of(session, scope, round_id, as_of)
