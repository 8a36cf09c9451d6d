"""HTTP for the indicator catalogue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from shared.auth import AnyUser
from shared.concurrency import IfMatch, PreconditionRequired, VersionMismatch, etag
from shared.database import SessionDep
from shared.idempotency import Created, IdempotencyKeyReused
from shared.pagination import Cursor, Limit, Page
from shared.problems import problem_responses
from targets.deps import CatalogueEditor, Idempotent
from targets.indicators import service
from targets.indicators.models import Area
from targets.indicators.schemas import IndicatorIn, IndicatorOut, IndicatorPatch

router = APIRouter(tags=["indicators"])


@router.get("/v1/indicators", summary="The indicator catalogue")
async def list_indicators(
    session: SessionDep,
    principal: AnyUser,
    area: Annotated[Area | None, Query()] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[IndicatorOut]:
    return await service.list_indicators(session, area.value if area else None, limit, cursor)


@router.get(
    "/v1/indicators/{code}", summary="One indicator", responses=problem_responses(service.IndicatorNotFound)
)
async def get_indicator(
    session: SessionDep, principal: AnyUser, code: str, response: Response
) -> IndicatorOut:
    indicator = await service.get_indicator(session, code)
    response.headers["ETag"] = etag(indicator.version)
    return indicator


@router.post(
    "/v1/indicators",
    status_code=201,
    summary="Add an indicator (secretariat, admin)",
    response_model=IndicatorOut,
    responses=problem_responses(service.IndicatorExists, service.IndicatorNotFound, IdempotencyKeyReused),
)
async def create_indicator(
    session: SessionDep,
    principal: CatalogueEditor,
    body: IndicatorIn,
    idempotent: Idempotent,
) -> JSONResponse:
    async def create() -> Created:
        indicator = await service.create_indicator(session, body)
        created = await service.get_indicator(session, indicator.code)
        return Created(created, f"/api/v1/indicators/{created.code}", etag(created.version))

    return await idempotent(create)


@router.patch(
    "/v1/indicators/{code}",
    summary="Change an indicator's descriptive fields (secretariat, admin)",
    responses=problem_responses(service.IndicatorNotFound, PreconditionRequired, VersionMismatch),
)
async def update_indicator(
    session: SessionDep,
    principal: CatalogueEditor,
    code: str,
    body: IndicatorPatch,
    response: Response,
    if_match: IfMatch = None,
) -> IndicatorOut:
    await service.update_indicator(session, code, body, if_match)
    indicator = await service.get_indicator(session, code)
    response.headers["ETag"] = etag(indicator.version)
    return indicator
