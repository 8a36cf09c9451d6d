"""HTTP for exemplars: recorded by units, brought through their four steps, nominated from any of them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from nominations.deps import ExemplarKeeper, Idempotent, NominationDrafter, NominationReader
from nominations.exemplars import service
from nominations.exemplars.models import Stage
from nominations.exemplars.schemas import (
    AdvanceIn,
    ExemplarIn,
    ExemplarOut,
    ExemplarSummary,
    NoteIn,
    ReplicationIn,
)
from nominations.movements.service import MovementNotFound
from nominations.nominations import guards
from nominations.nominations import service as nominations
from nominations.nominations.schemas import NominationIn, NominationOut
from nominations.org_scope import OutOfScope, Scope, TargetsUnavailable
from nominations.rounds.service import RoundNotFound
from shared.bounds import RowId
from shared.concurrency import IfMatch, VersionMismatch, check_if_match, etag
from shared.database import SessionDep
from shared.idempotency import Created, IdempotencyKeyReused
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import problem_responses

router = APIRouter(tags=["exemplars"])


@router.get(
    "/v1/exemplars",
    summary="Exemplars of the units the caller reads, newest first",
    responses=problem_responses(InvalidCursor, MovementNotFound),
)
async def list_exemplars(
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    stage: Stage | None = None,
    movement: Annotated[str | None, Query(max_length=50)] = None,
    org_unit: Annotated[str | None, Query(max_length=50)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ExemplarSummary]:
    return await service.list_exemplars(
        session, scope, stage=stage, movement=movement, org_unit=org_unit, limit=limit, cursor=cursor
    )


@router.post(
    "/v1/exemplars",
    status_code=201,
    summary="Record an exemplar a unit detected (its officers; the secretariat for any unit)",
    response_model=ExemplarOut,
    responses=problem_responses(
        service.ExemplarInvalid,
        service.ExemplarUnitRequired,
        OutOfScope,
        TargetsUnavailable,
        IdempotencyKeyReused,
    ),
)
async def create_exemplar(
    session: SessionDep, scope: Scope, principal: ExemplarKeeper, body: ExemplarIn, idempotent: Idempotent
) -> JSONResponse:
    async def create() -> Created:
        exemplar = await service.create(session, scope, body)
        return Created(
            await service.out(session, exemplar), f"/api/v1/exemplars/{exemplar.id}", etag(exemplar.version)
        )

    return await idempotent(create)


@router.get(
    "/v1/exemplars/{exemplar_id}",
    summary="One exemplar with its history, replications and nominations",
    responses=problem_responses(service.ExemplarNotFound),
)
async def get_exemplar(
    session: SessionDep, scope: Scope, principal: NominationReader, exemplar_id: RowId, response: Response
) -> ExemplarOut:
    exemplar = await service.get(session, scope, exemplar_id)
    response.headers["ETag"] = etag(exemplar.version)
    return await service.out(session, exemplar)


@router.post(
    "/v1/exemplars/{exemplar_id}/notes",
    summary="Add a note, with its evidence, to an exemplar's history",
    responses=problem_responses(service.ExemplarNotFound, OutOfScope),
)
async def add_note(
    session: SessionDep, scope: Scope, principal: ExemplarKeeper, exemplar_id: RowId, body: NoteIn
) -> ExemplarOut:
    exemplar = await service.get(session, scope, exemplar_id, lock=True)
    await service.add_note(session, scope, exemplar, body)
    return await service.out(session, exemplar)


@router.post(
    "/v1/exemplars/{exemplar_id}/actions/advance",
    summary="One step forward: detected → nurtured → summarised → replicated (If-Match optional)",
    responses=problem_responses(
        service.ExemplarNotFound,
        service.StageOrder,
        service.NotReplicatedAnywhere,
        VersionMismatch,
        OutOfScope,
    ),
)
async def advance(
    session: SessionDep,
    scope: Scope,
    principal: ExemplarKeeper,
    exemplar_id: RowId,
    body: AdvanceIn,
    response: Response,
    if_match: IfMatch = None,
) -> ExemplarOut:
    exemplar = await service.get(session, scope, exemplar_id, lock=True)
    if if_match is not None:
        check_if_match(if_match, exemplar.version)
    await service.advance(session, scope, exemplar, body)
    response.headers["ETag"] = etag(exemplar.version)
    return await service.out(session, exemplar)


@router.post(
    "/v1/exemplars/{exemplar_id}/replications",
    status_code=201,
    summary="Record a unit where a summarised exemplar was replicated",
    response_model=ExemplarOut,
    responses=problem_responses(
        service.ExemplarNotFound,
        service.StageOrder,
        service.ExemplarInvalid,
        service.ReplicationExists,
        OutOfScope,
        IdempotencyKeyReused,
    ),
)
async def replicate(
    session: SessionDep,
    scope: Scope,
    principal: ExemplarKeeper,
    exemplar_id: RowId,
    body: ReplicationIn,
    idempotent: Idempotent,
) -> JSONResponse:
    async def create() -> Created:
        exemplar = await service.get(session, scope, exemplar_id, lock=True)
        await service.replicate(session, scope, exemplar, body)
        return Created(await service.out(session, exemplar), f"/api/v1/exemplars/{exemplar.id}", None)

    return await idempotent(create)


@router.post(
    "/v1/exemplars/{exemplar_id}/nominations",
    status_code=201,
    summary="Draft a nomination from the exemplar, at any step (the body of POST /v1/nominations)",
    response_model=NominationOut,
    responses=problem_responses(
        service.ExemplarNotFound,
        RoundNotFound,
        nominations.InvalidNomination,
        nominations.NominatingUnitRequired,
        guards.DeadlinePassed,
        OutOfScope,
        TargetsUnavailable,
        IdempotencyKeyReused,
    ),
)
async def nominate(
    session: SessionDep,
    scope: Scope,
    principal: NominationDrafter,
    exemplar_id: RowId,
    body: NominationIn,
    idempotent: Idempotent,
) -> JSONResponse:
    async def create() -> Created:
        exemplar = await service.get(session, scope, exemplar_id, lock=True)
        nomination, round_ = await service.nominate(session, scope, exemplar, body)
        return Created(
            await nominations.out(scope, nomination, round_),
            f"/api/v1/nominations/{nomination.id}",
            etag(nomination.version),
        )

    return await idempotent(create)
