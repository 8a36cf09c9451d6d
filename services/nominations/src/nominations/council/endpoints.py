"""HTTP for council sessions and secret ballots."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from nominations.council import service
from nominations.council.schemas import (
    BallotIn,
    BallotOut,
    CouncilSessionIn,
    CouncilSessionOut,
    CouncilSessionSummary,
)
from nominations.deps import CouncilReader, CouncilSecretary, CouncilVoter, Idempotent
from nominations.org_scope import Scope
from nominations.rounds.service import RoundNotFound
from shared.bounds import RowId, RowIdFilter
from shared.concurrency import IfMatch, PreconditionRequired, VersionMismatch, etag
from shared.database import SessionDep
from shared.idempotency import Created, IdempotencyKeyReused
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import ProblemError, problem_responses

router = APIRouter(tags=["council"])
NOT_FOUND: tuple[type[ProblemError], ...] = (service.CouncilSessionNotFound,)


@router.post(
    "/v1/council-sessions",
    status_code=201,
    summary="Convene a council session on nominations of one round waiting for the council (secretariat)",
    response_model=CouncilSessionOut,
    responses=problem_responses(
        RoundNotFound,
        service.InvalidAgenda,
        service.NotBeforeCouncil,
        service.AlreadyOnAgenda,
        IdempotencyKeyReused,
    ),
)
async def create_council_session(
    session: SessionDep, principal: CouncilSecretary, body: CouncilSessionIn, idempotent: Idempotent
) -> JSONResponse:
    async def create() -> Created:
        council = await service.create(session, principal, body)
        out = await service.read(session, council)
        return Created(out, f"/api/v1/council-sessions/{council.id}", etag(council.version))

    return await idempotent(create)


@router.get(
    "/v1/council-sessions",
    summary="Council sessions, latest first",
    responses=problem_responses(InvalidCursor),
)
async def list_council_sessions(
    session: SessionDep,
    principal: CouncilReader,
    round_id: RowIdFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[CouncilSessionSummary]:
    return await service.list_sessions(session, round_id, limit=limit, cursor=cursor)


@router.get(
    "/v1/council-sessions/{session_id}",
    summary="A session: members and who has voted (never how), the agenda; tallies once it is closed",
    responses=problem_responses(*NOT_FOUND),
)
async def get_council_session(
    session: SessionDep, principal: CouncilReader, session_id: RowId, response: Response
) -> CouncilSessionOut:
    council = await service.get(session, session_id)
    response.headers["ETag"] = etag(council.version)
    return await service.read(session, council)


@router.post(
    "/v1/council-sessions/{session_id}/ballots",
    status_code=201,
    summary="Cast your secret ballot: a choice on every agenda item (a member of the session)",
    responses=problem_responses(
        *NOT_FOUND, service.NotAMember, service.AlreadyVoted, service.SessionClosed, service.InvalidBallot
    ),
)
async def cast_ballot(
    session: SessionDep, principal: CouncilVoter, session_id: RowId, body: BallotIn
) -> BallotOut:
    # No Idempotency-Key here on purpose: the stored key would tie the member to a hash of their choices.
    await service.cast_ballot(session, principal, session_id, body)
    return BallotOut(session_id=session_id)


@router.post(
    "/v1/council-sessions/{session_id}/actions/close",
    summary="Close the session and count (If-Match): passed nominations go to disclosure, the others fail",
    responses=problem_responses(
        *NOT_FOUND,
        service.SessionClosed,
        service.QuorumNotMet,
        service.AwardTypeNotInForce,
        service.NotBeforeCouncil,
        PreconditionRequired,
        VersionMismatch,
    ),
)
async def close_council_session(
    session: SessionDep,
    scope: Scope,
    principal: CouncilSecretary,
    session_id: RowId,
    response: Response,
    if_match: IfMatch = None,
) -> CouncilSessionOut:
    council = await service.close(session, scope, session_id, if_match)
    response.headers["ETag"] = etag(council.version)
    return await service.read(session, council)
