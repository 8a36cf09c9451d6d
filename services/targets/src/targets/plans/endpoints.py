"""HTTP for plans and targets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from shared.auth import AnyUser
from shared.bounds import RowId
from shared.concurrency import IfMatch, PreconditionRequired, VersionMismatch, etag
from shared.database import SessionDep
from shared.idempotency import Created, IdempotencyKeyReused
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import NotFound, problem_responses
from targets.deps import Catalogue, CatalogueEditor, Idempotent
from targets.plans import service
from targets.plans.schemas import PlanIn, PlanOut, PlanPatch, TargetIn, TargetOut, TargetPatch

router = APIRouter(tags=["plans and targets"])


@router.get("/v1/plans", summary="Plans, by start date", responses=problem_responses(InvalidCursor))
async def list_plans(
    session: SessionDep, principal: AnyUser, limit: Limit = 50, cursor: Cursor = None
) -> Page[PlanOut]:
    return await service.list_plans(session, limit=limit, cursor=cursor)


@router.get("/v1/plans/{code}", summary="One plan", responses=problem_responses(service.PlanNotFound))
async def get_plan(session: SessionDep, principal: AnyUser, code: str, response: Response) -> PlanOut:
    plan = await service.get_plan(session, code)
    response.headers["ETag"] = etag(plan.version)
    return service.plan_out(plan)


@router.post(
    "/v1/plans",
    status_code=201,
    summary="Add a plan (secretariat, admin)",
    response_model=PlanOut,
    responses=problem_responses(service.PlanExists, IdempotencyKeyReused),
)
async def create_plan(
    session: SessionDep, principal: CatalogueEditor, body: PlanIn, idempotent: Idempotent
) -> JSONResponse:
    async def create() -> Created:
        plan = await service.create_plan(session, body)
        return Created(service.plan_out(plan), f"/api/v1/plans/{plan.code}", etag(plan.version))

    return await idempotent(create)


@router.patch(
    "/v1/plans/{code}",
    summary="Change a plan (secretariat, admin)",
    responses=problem_responses(service.PlanNotFound, PreconditionRequired, VersionMismatch),
)
async def update_plan(
    session: SessionDep,
    principal: CatalogueEditor,
    code: str,
    body: PlanPatch,
    response: Response,
    if_match: IfMatch = None,
) -> PlanOut:
    plan = await service.update_plan(session, code, body, if_match)
    response.headers["ETag"] = etag(plan.version)
    return service.plan_out(plan)


@router.get(
    "/v1/targets",
    summary="Targets, by plan, indicator or org unit",
    responses=problem_responses(service.PlanNotFound, NotFound),
)
async def list_targets(
    session: SessionDep,
    principal: AnyUser,
    catalogue: Catalogue,
    plan: Annotated[str | None, Query(max_length=50)] = None,
    indicator: Annotated[str | None, Query(max_length=50)] = None,
    org_unit: Annotated[str | None, Query(max_length=50)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[TargetOut]:
    return await service.list_targets(
        session,
        catalogue,
        plan_code=plan,
        indicator_code=indicator,
        org_unit_code=org_unit,
        limit=limit,
        cursor=cursor,
    )


@router.get(
    "/v1/targets/{target_id}", summary="One target", responses=problem_responses(service.TargetNotFound)
)
async def get_target(
    session: SessionDep, principal: AnyUser, catalogue: Catalogue, target_id: RowId, response: Response
) -> TargetOut:
    target = await service.get_target(session, target_id)
    response.headers["ETag"] = etag(target.version)
    return await service.target_out(session, catalogue, target)


@router.post(
    "/v1/targets",
    status_code=201,
    summary="Set a target (secretariat, admin)",
    response_model=TargetOut,
    responses=problem_responses(
        service.TargetExists, NotFound, service.PlanNotFound, service.InvalidTarget, IdempotencyKeyReused
    ),
)
async def create_target(
    session: SessionDep,
    principal: CatalogueEditor,
    catalogue: Catalogue,
    body: TargetIn,
    idempotent: Idempotent,
) -> JSONResponse:
    async def create() -> Created:
        target = await service.create_target(session, catalogue, body)
        created = await service.target_out(session, catalogue, target)
        return Created(created, f"/api/v1/targets/{created.id}", etag(created.version))

    return await idempotent(create)


@router.patch(
    "/v1/targets/{target_id}",
    summary="Change a target (secretariat, admin)",
    responses=problem_responses(
        service.TargetNotFound, service.InvalidTarget, PreconditionRequired, VersionMismatch
    ),
)
async def update_target(
    session: SessionDep,
    principal: CatalogueEditor,
    catalogue: Catalogue,
    target_id: RowId,
    body: TargetPatch,
    response: Response,
    if_match: IfMatch = None,
) -> TargetOut:
    target = await service.update_target(session, target_id, body, if_match)
    response.headers["ETag"] = etag(target.version)
    return await service.target_out(session, catalogue, target)
