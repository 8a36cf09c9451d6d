"""HTTP for movements: the public record, the secretariat's upkeep and reviews, units' registrations and
reports."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse

from nominations.deps import CatalogueEditor, Idempotent, MovementParticipant, NominationReader
from nominations.movements import review_pack, service
from nominations.movements.models import MilestoneKind, MovementArea
from nominations.movements.schemas import (
    MilestoneRoundIn,
    MovementIn,
    MovementOut,
    MovementPatch,
    RegistrationIn,
    RegistrationOut,
    UnitReportIn,
    UnitReportOut,
)
from nominations.org_scope import OutOfScope, Scope, Targets, TargetsUnavailable, bearer_token
from nominations.rounds import service as rounds
from nominations.rounds.schemas import RoundOut
from shared.auth import PUBLIC, AnyUser
from shared.concurrency import IfMatch, PreconditionRequired, VersionMismatch, check_if_match, etag
from shared.database import SessionDep
from shared.downloads import content_disposition, file_chunks
from shared.idempotency import Created, IdempotencyKeyReused
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import problem_responses
from shared.spreadsheets import XLSX_MEDIA_TYPE

router = APIRouter(tags=["movements"])

MovementCode = Annotated[str, Path(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$")]


@router.get(
    "/v1/movements",
    dependencies=[PUBLIC],
    summary="The plan's movements, by code (public; staff reads also resolve target ids)",
    responses=problem_responses(InvalidCursor),
)
async def list_movements(
    session: SessionDep,
    request: Request,
    targets: Targets,
    area: MovementArea | None = None,
    plan: Annotated[str | None, Query(max_length=50)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[MovementOut]:
    return await service.list_movements(
        session,
        targets,
        bearer_token(request),
        area=area.value if area else None,
        plan=plan,
        limit=limit,
        cursor=cursor,
    )


@router.get(
    "/v1/movements/{code}",
    dependencies=[PUBLIC],
    summary="One movement with its targets and reviews (public)",
    responses=problem_responses(service.MovementNotFound),
)
async def get_movement(
    session: SessionDep, request: Request, targets: Targets, code: MovementCode, response: Response
) -> MovementOut:
    movement = await service.get(session, code)
    await service.resolve_links(session, targets, bearer_token(request), [movement])
    response.headers["ETag"] = etag(movement.version)
    return (await service.outs(session, [movement]))[0]


@router.post(
    "/v1/movements",
    status_code=201,
    summary="Record a movement, its targets (ids in the targets service) and reviews (secretariat, admin)",
    response_model=MovementOut,
    responses=problem_responses(
        service.MovementExists, service.MovementTargetUnknown, TargetsUnavailable, IdempotencyKeyReused
    ),
)
async def create_movement(
    session: SessionDep,
    request: Request,
    principal: CatalogueEditor,
    targets: Targets,
    body: MovementIn,
    idempotent: Idempotent,
) -> JSONResponse:
    async def create() -> Created:
        movement = await service.create(session, targets, bearer_token(request), body, principal.subject)
        out = (await service.outs(session, [movement]))[0]
        return Created(out, f"/api/v1/movements/{movement.code}", etag(movement.version))

    return await idempotent(create)


@router.patch(
    "/v1/movements/{code}",
    summary="Change a movement's record, targets or reviews (secretariat, admin; If-Match required)",
    responses=problem_responses(
        service.MovementNotFound,
        service.MovementTargetUnknown,
        service.MilestoneRoundExists,
        service.MovementNotRunning,
        PreconditionRequired,
        VersionMismatch,
    ),
)
async def patch_movement(
    session: SessionDep,
    request: Request,
    principal: CatalogueEditor,
    targets: Targets,
    code: MovementCode,
    body: MovementPatch,
    response: Response,
    if_match: IfMatch = None,
) -> MovementOut:
    movement = await service.get(session, code)
    check_if_match(if_match, movement.version)
    await service.update(session, targets, bearer_token(request), movement, body)
    response.headers["ETag"] = etag(movement.version)
    return (await service.outs(session, [movement]))[0]


@router.post(
    "/v1/movements/{code}/milestones/{kind}/round",
    status_code=201,
    summary="Open the award round of a review (kind movement_review, judged on the review's day)",
    response_model=RoundOut,
    responses=problem_responses(
        service.MovementNotFound,
        service.MilestoneNotFound,
        service.MilestoneRoundExists,
        rounds.RoundExists,
        rounds.NoCatalogueOnReferenceDate,
        IdempotencyKeyReused,
    ),
)
async def open_review_round(
    session: SessionDep,
    principal: CatalogueEditor,
    code: MovementCode,
    kind: MilestoneKind,
    body: MilestoneRoundIn,
    idempotent: Idempotent,
) -> JSONResponse:
    async def create() -> Created:
        movement = await service.get(session, code)
        round_ = await service.open_round(session, movement, kind.value, body, principal.subject)
        return Created(rounds.to_out(round_), f"/api/v1/rounds/{round_.id}", etag(round_.version))

    return await idempotent(create)


@router.get(
    "/v1/movements/{code}/registrations",
    summary="The units registered for a movement, with their commitments",
    responses=problem_responses(service.MovementNotFound, InvalidCursor),
)
async def list_registrations(
    session: SessionDep, principal: AnyUser, code: MovementCode, limit: Limit = 50, cursor: Cursor = None
) -> Page[RegistrationOut]:
    movement = await service.get(session, code)
    return await service.registrations(session, movement, limit=limit, cursor=cursor)


@router.post(
    "/v1/movements/{code}/registrations",
    status_code=201,
    summary="Register a unit for a movement while it runs (its officers; the secretariat for any unit)",
    response_model=RegistrationOut,
    responses=problem_responses(
        service.MovementNotFound,
        service.MovementNotRunning,
        service.AlreadyRegistered,
        service.MovementUnitUnknown,
        service.UnitRequired,
        OutOfScope,
        TargetsUnavailable,
        IdempotencyKeyReused,
    ),
)
async def register(
    session: SessionDep,
    scope: Scope,
    principal: MovementParticipant,
    code: MovementCode,
    body: RegistrationIn,
    idempotent: Idempotent,
) -> JSONResponse:
    async def create() -> Created:
        movement = await service.get(session, code)
        row = await service.register(session, scope, movement, body)
        location = f"/api/v1/movements/{movement.code}/registrations"
        return Created(service.registration_out(movement, row), location, None)

    return await idempotent(create)


@router.get(
    "/v1/movements/{code}/reports",
    summary="What the registered units reported on a movement, by year",
    responses=problem_responses(service.MovementNotFound, InvalidCursor),
)
async def list_reports(
    session: SessionDep,
    principal: AnyUser,
    code: MovementCode,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[UnitReportOut]:
    movement = await service.get(session, code)
    return await service.reports(session, movement, year=year, limit=limit, cursor=cursor)


@router.post(
    "/v1/movements/{code}/reports",
    status_code=201,
    summary="A registered unit's report of a year of the movement (once per unit and year)",
    response_model=UnitReportOut,
    responses=problem_responses(
        service.MovementNotFound,
        service.NotRegistered,
        service.ReportYearOutside,
        service.ReportExists,
        service.UnitRequired,
        OutOfScope,
        IdempotencyKeyReused,
    ),
)
async def submit_report(
    session: SessionDep,
    scope: Scope,
    principal: MovementParticipant,
    code: MovementCode,
    body: UnitReportIn,
    idempotent: Idempotent,
) -> JSONResponse:
    async def create() -> Created:
        movement = await service.get(session, code)
        row = await service.report(session, scope, movement, body)
        location = f"/api/v1/movements/{movement.code}/reports"
        return Created(service.report_out(movement, row), location, None)

    return await idempotent(create)


class PackFormat(StrEnum):
    XLSX = "xlsx"
    HTML = "html"


@router.get(
    "/v1/movements/{code}/review-pack",
    summary="A review's pack: targets' progress on its day, exemplars, awards, units' reports (xlsx or html)",
    responses=problem_responses(service.MovementNotFound, service.MilestoneNotFound, TargetsUnavailable)
    | {200: {"content": {XLSX_MEDIA_TYPE: {}, "text/html": {}}}},
    response_class=StreamingResponse,
)
async def get_review_pack(
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    code: MovementCode,
    milestone: MilestoneKind,
    format: PackFormat = PackFormat.XLSX,
) -> Response:
    movement = await service.get(session, code)
    pack = await review_pack.build(session, scope, movement, milestone.value)
    if format is PackFormat.HTML:
        return HTMLResponse(
            review_pack.html(pack),
            headers={"Content-Disposition": content_disposition(f"{pack.filename}.html", inline=True)},
        )
    workbook = await run_in_threadpool(review_pack.workbook, pack)
    return StreamingResponse(
        file_chunks(workbook),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": content_disposition(f"{pack.filename}.xlsx")},
    )
