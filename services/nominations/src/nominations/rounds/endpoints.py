"""HTTP for award rounds."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from nominations.deps import CatalogueEditor, NominationReader
from nominations.models import idempotency_keys
from nominations.rounds import service
from nominations.rounds.schemas import RoundIn, RoundOut, RoundPatch, Timeliness
from shared import clock
from shared.auth import AnyUser
from shared.bounds import MAX_DATE, MIN_DATE, RowId
from shared.concurrency import IfMatch, VersionMismatch, check_if_match, etag
from shared.database import SessionDep
from shared.idempotency import IdempotencyKey, IdempotencyKeyReused, run_idempotent
from shared.problems import BadRequest, problem_responses

router = APIRouter(tags=["rounds"])
# Looking further ahead than the longest round says nothing more and costs a day-by-day count.
MAX_LOOKAHEAD = dt.timedelta(days=366)


@router.get("/v1/rounds", summary="Award rounds, newest first")
async def list_rounds(
    session: SessionDep,
    principal: AnyUser,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> list[RoundOut]:
    return [service.to_out(round_) for round_ in await service.list_rounds(session, year)]


@router.post(
    "/v1/rounds",
    status_code=201,
    summary="Open a round; deadlines are counted in working days (secretariat, admin)",
    response_model=RoundOut,
    responses=problem_responses(service.RoundExists, IdempotencyKeyReused),
)
async def create_round(
    request: Request,
    session: SessionDep,
    principal: CatalogueEditor,
    body: RoundIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def create() -> tuple[int, object, dict[str, str]]:
        round_ = await service.create(session, body, principal.subject)
        return (
            201,
            service.to_out(round_).model_dump(mode="json"),
            {"Location": f"/api/v1/rounds/{round_.id}", "ETag": etag(round_.version)},
        )

    return await run_idempotent(
        session,
        idempotency_keys,
        request=request,
        principal=principal.subject,
        key=idempotency_key,
        create=create,
    )


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
    responses=problem_responses(service.RoundNotFound, VersionMismatch),
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
    "/v1/rounds/{round_id}/timeliness",
    summary="Working days from submission to decision per award type, and nominations past a deadline",
    responses=problem_responses(service.RoundNotFound),
)
async def get_timeliness(
    session: SessionDep,
    principal: NominationReader,
    round_id: RowId,
    as_of: Annotated[dt.date | None, Query(ge=MIN_DATE, le=MAX_DATE)] = None,
) -> Timeliness:
    round_ = await service.get(session, round_id)
    today = clock.today()
    if as_of is not None and as_of > today + MAX_LOOKAHEAD:
        raise BadRequest(f"as_of may be at most a year after today ({today + MAX_LOOKAHEAD}).")
    return await service.timeliness(session, round_, as_of or today)
