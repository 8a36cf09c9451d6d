"""HTTP for award rounds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from nominations.deps import CatalogueEditor, Idempotent, ServiceCaller
from nominations.rounds import service
from nominations.rounds.schemas import RoundDeadlineOut, RoundIn, RoundOut, RoundPatch
from shared.auth import AnyUser
from shared.bounds import Day, RowId
from shared.concurrency import IfMatch, PreconditionRequired, VersionMismatch, check_if_match, etag
from shared.database import SessionDep
from shared.idempotency import Created, IdempotencyKeyReused
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import problem_responses

router = APIRouter(tags=["rounds"])


@router.get("/v1/rounds", summary="Award rounds, newest first", responses=problem_responses(InvalidCursor))
async def list_rounds(
    session: SessionDep,
    principal: AnyUser,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[RoundOut]:
    return await service.list_rounds(session, year, limit=limit, cursor=cursor)


@router.post(
    "/v1/rounds",
    status_code=201,
    summary="Open a round; deadlines are counted in working days (secretariat, admin)",
    response_model=RoundOut,
    responses=problem_responses(
        service.RoundExists, service.NoCatalogueOnReferenceDate, IdempotencyKeyReused
    ),
)
async def create_round(
    session: SessionDep, principal: CatalogueEditor, body: RoundIn, idempotent: Idempotent
) -> JSONResponse:
    async def create() -> Created:
        round_ = await service.create(session, body, principal.subject)
        return Created(service.to_out(round_), f"/api/v1/rounds/{round_.id}", etag(round_.version))

    return await idempotent(create)


@router.get(
    "/v1/rounds/{round_id}",
    summary="One round with its deadlines",
    responses=problem_responses(service.RoundNotFound),
)
async def get_round(session: SessionDep, principal: AnyUser, round_id: RowId, response: Response) -> RoundOut:
    round_ = await service.get(session, round_id)
    response.headers["ETag"] = etag(round_.version)
    return service.to_out(round_)


@router.patch(
    "/v1/rounds/{round_id}",
    summary="Change a round's name or its deadlines (secretariat, admin; If-Match required)",
    responses=problem_responses(service.RoundNotFound, PreconditionRequired, VersionMismatch),
)
async def patch_round(
    session: SessionDep,
    principal: CatalogueEditor,
    round_id: RowId,
    body: RoundPatch,
    response: Response,
    if_match: IfMatch = None,
) -> RoundOut:
    round_ = await service.get(session, round_id)
    check_if_match(if_match, round_.version)
    await service.update(session, round_, body)
    response.headers["ETag"] = etag(round_.version)
    return service.to_out(round_)


@router.get(
    "/internal/v1/round-deadlines",
    summary="Round deadlines due in a span of days, by day (the notifications service's reminders)",
    responses=problem_responses(service.DeadlineSpanInvalid, InvalidCursor),
)
async def list_deadlines(
    session: SessionDep,
    principal: ServiceCaller,
    from_: Annotated[Day, Query(alias="from")],
    to: Annotated[Day, Query()],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[RoundDeadlineOut]:
    return await service.deadlines_between(session, from_, to, limit=limit, cursor=cursor)
