"""HTTP for the org-unit directory."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from shared import clock
from shared.auth import PUBLIC, AnyUser
from shared.bounds import Day
from shared.concurrency import IfMatch, PreconditionRequired, VersionMismatch, etag
from shared.database import SessionDep
from shared.idempotency import Created, IdempotencyKeyReused
from shared.pagination import Cursor, Limit, Page
from shared.problems import problem_responses
from targets.cache.service import CatalogueCache
from targets.deps import Administrator, Catalogue, Idempotent
from targets.org_units import service
from targets.org_units.models import OrgUnitType
from targets.org_units.schemas import (
    OrgUnitDetail,
    OrgUnitIn,
    OrgUnitOut,
    OrgUnitPatch,
    RestructuringIn,
    RestructuringOut,
)

router = APIRouter(tags=["org units"])

At = Annotated[
    Day | None,
    Query(description="The hierarchy as it stood on this date; default: today"),
]


class OrgUnitQuery:
    """The filters and page of a list of org units (signed in or public)."""

    def __init__(
        self,
        at: At = None,
        parent: Annotated[
            str | None, Query(max_length=50, description="Only the children of this unit")
        ] = None,
        level: Annotated[int | None, Query(ge=1, le=10)] = None,
        type: Annotated[OrgUnitType | None, Query()] = None,
        official_code: Annotated[
            str | None,
            Query(
                pattern=r"^[0-9]{2,5}$", description="Only the unit holding this official code on the date"
            ),
        ] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> None:
        self.at, self.parent, self.level, self.type = at, parent, level, type
        self.official_code, self.limit, self.cursor = official_code, limit, cursor

    async def page(self, session: AsyncSession, catalogue: CatalogueCache) -> Page[OrgUnitOut]:
        return await service.list_org_units(
            session,
            catalogue,
            day=self.at or clock.today(),
            parent=self.parent,
            level=self.level,
            unit_type=self.type.value if self.type else None,
            limit=self.limit,
            cursor=self.cursor,
            official_code=self.official_code,
        )


OrgUnitFilter = Annotated[OrgUnitQuery, Depends()]


@router.get(
    "/v1/org-units",
    summary="Org units as they stood on a date",
    responses=problem_responses(service.OrgUnitNotFound),
)
async def list_org_units(
    session: SessionDep, principal: AnyUser, catalogue: Catalogue, query: OrgUnitFilter
) -> Page[OrgUnitOut]:
    return await query.page(session, catalogue)


@router.get(
    "/v1/public/org-units",
    summary="Org units as they stood on a date, for everyone (no login): the names a public page filters by",
    dependencies=[PUBLIC],
    responses=problem_responses(service.OrgUnitNotFound),
)
async def list_public_org_units(
    session: SessionDep, catalogue: Catalogue, query: OrgUnitFilter
) -> Page[OrgUnitOut]:
    return await query.page(session, catalogue)


@router.get(
    "/v1/org-units/{code}",
    summary="One org unit with its parents over time and its predecessors and successors",
    responses=problem_responses(service.OrgUnitNotFound),
)
async def get_org_unit(
    session: SessionDep,
    principal: AnyUser,
    catalogue: Catalogue,
    code: str,
    response: Response,
    at: At = None,
) -> OrgUnitDetail:
    detail = await service.get_org_unit(session, catalogue, code, at or clock.today())
    response.headers["ETag"] = etag(detail.version)
    return detail


@router.post(
    "/v1/org-units",
    status_code=201,
    summary="Add an org unit (admin)",
    response_model=OrgUnitDetail,
    responses=problem_responses(
        service.OrgUnitExists, service.OrgUnitNotFound, service.InvalidHierarchyChange, IdempotencyKeyReused
    ),
)
async def create_org_unit(
    session: SessionDep,
    principal: Administrator,
    catalogue: Catalogue,
    body: OrgUnitIn,
    idempotent: Idempotent,
) -> JSONResponse:
    async def create() -> Created:
        unit = await service.create_org_unit(session, principal, body)
        detail = await service.get_org_unit(session, catalogue, unit.code, body.valid_from)
        return Created(detail, f"/api/v1/org-units/{unit.code}", etag(detail.version))

    return await idempotent(create)


@router.patch(
    "/v1/org-units/{code}",
    summary="Change an org unit (admin); a new parent takes effect on parent_from",
    responses=problem_responses(
        service.OrgUnitNotFound, service.InvalidHierarchyChange, PreconditionRequired, VersionMismatch
    ),
)
async def update_org_unit(
    session: SessionDep,
    principal: Administrator,
    catalogue: Catalogue,
    code: str,
    body: OrgUnitPatch,
    response: Response,
    if_match: IfMatch = None,
) -> OrgUnitDetail:
    unit = await service.update_org_unit(session, code, body, if_match)
    detail = await service.get_org_unit(session, catalogue, unit.code, clock.today())
    response.headers["ETag"] = etag(detail.version)
    return detail


@router.post(
    "/v1/org-units/restructurings",
    status_code=201,
    summary="Record a merger, split, rename or dissolution and apply it to the hierarchy (admin)",
    response_model=RestructuringOut,
    responses=problem_responses(
        service.OrgUnitNotFound,
        service.InvalidHierarchyChange,
        service.RestructuringRecorded,
        IdempotencyKeyReused,
    ),
)
async def restructure(
    session: SessionDep,
    principal: Administrator,
    body: RestructuringIn,
    idempotent: Idempotent,
) -> JSONResponse:
    async def create() -> Created:
        recorded = await service.restructure(session, principal, body)
        return Created(recorded)

    return await idempotent(create)
