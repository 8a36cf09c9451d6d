"""HTTP for the award catalogue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from nominations.catalogue import service
from nominations.catalogue.schemas import (
    AuthoritySuccessionOut,
    AwardTypeDetail,
    AwardTypeIn,
    AwardTypeOut,
    BaseSalaryIn,
    BaseSalaryOut,
    RegimeChangeOut,
)
from nominations.deps import CatalogueEditor, Idempotent
from shared import clock
from shared.auth import PUBLIC
from shared.bounds import Day
from shared.database import SessionDep
from shared.idempotency import Created, IdempotencyKeyReused
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import problem_responses

router = APIRouter(tags=["award catalogue"])
At = Annotated[
    Day | None,
    Query(description="The catalogue in force on this date; default: today"),
]


@router.get(
    "/v1/award-types",
    summary="Titles and award forms in force on a date, with their rules and quotas, by code",
    responses=problem_responses(InvalidCursor),
    dependencies=[PUBLIC],
)
async def list_award_types(
    session: SessionDep, at: At = None, limit: Limit = 50, cursor: Cursor = None
) -> Page[AwardTypeOut]:
    return await service.catalogue_on(session, at or clock.today(), limit=limit, cursor=cursor)


@router.get(
    "/v1/award-types/{code}",
    summary="One award type in force on a date, with the dates of all its versions",
    responses=problem_responses(service.AwardTypeNotFound),
    dependencies=[PUBLIC],
)
async def get_award_type(session: SessionDep, code: str, at: At = None) -> AwardTypeDetail:
    return await service.award_type_on(session, code, at or clock.today())


@router.post(
    "/v1/award-types",
    status_code=201,
    summary="Add a version of an award type (secretariat, admin); the one in force ends the day before",
    response_model=AwardTypeDetail,
    responses=problem_responses(service.OverlappingVersion, IdempotencyKeyReused),
)
async def create_award_type(
    session: SessionDep, principal: CatalogueEditor, body: AwardTypeIn, idempotent: Idempotent
) -> JSONResponse:
    async def create() -> Created:
        version = await service.create_version(session, body)
        detail = await service.award_type_on(session, version.code, version.valid_from)
        return Created(detail, f"/api/v1/award-types/{version.code}")

    return await idempotent(create)


@router.get(
    "/v1/base-salaries",
    summary="The base salary (mức lương cơ sở) table that cash bonuses are multiples of, with its dates",
    responses=problem_responses(InvalidCursor),
    dependencies=[PUBLIC],
)
async def list_base_salaries(
    session: SessionDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[BaseSalaryOut]:
    return await service.base_salaries(session, limit=limit, cursor=cursor)


@router.post(
    "/v1/base-salaries",
    status_code=201,
    summary="Enter the next base salary (secretariat, admin); the one in force ends the day before",
    response_model=BaseSalaryOut,
    responses=problem_responses(service.OverlappingBaseSalary, IdempotencyKeyReused),
)
async def add_base_salary(
    session: SessionDep, principal: CatalogueEditor, body: BaseSalaryIn, idempotent: Idempotent
) -> JSONResponse:
    async def create() -> Created:
        created = await service.add_base_salary(session, body)
        return Created(created, "/api/v1/base-salaries")

    return await idempotent(create)


@router.get(
    "/v1/authority-successions",
    summary="Offices that sign pending decisions in place of one whose tier ended, from a date",
    responses=problem_responses(InvalidCursor),
    dependencies=[PUBLIC],
)
async def list_authority_successions(
    session: SessionDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[AuthoritySuccessionOut]:
    return await service.successions(session, limit=limit, cursor=cursor)


@router.get(
    "/v1/regime-changes",
    summary="The days a new legal regime of the catalogue begins; a dossier sent before is judged by the old",
    responses=problem_responses(InvalidCursor),
    dependencies=[PUBLIC],
)
async def list_regime_changes(
    session: SessionDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[RegimeChangeOut]:
    return await service.regime_changes(session, limit=limit, cursor=cursor)
