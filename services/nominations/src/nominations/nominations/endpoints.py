"""HTTP for nominations: drafting, reading, editing, the workflow's actions, eligibility, the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response
from fastapi.responses import JSONResponse

from nominations.deps import Idempotent, NominationDrafter, NominationReader
from nominations.nominations import guards, service, workflow
from nominations.nominations.models import Status
from nominations.nominations.schemas import (
    ActionIn,
    EligibilityOut,
    EventOut,
    NominationIn,
    NominationOut,
    NominationPatch,
    NominationSummary,
)
from nominations.org_scope import OutOfScope, Scope, TargetsUnavailable
from nominations.rounds.service import RoundNotFound
from shared.bounds import RowId, RowIdFilter
from shared.concurrency import IfMatch, PreconditionRequired, VersionMismatch, check_if_match, etag
from shared.database import SessionDep
from shared.idempotency import Created, IdempotencyKeyReused
from shared.pagination import Cursor, Limit, Page, decode_int_cursor
from shared.problems import ProblemError, problem_responses

router = APIRouter(tags=["nominations"])
COMMON: tuple[type[ProblemError], ...] = (
    service.NominationNotFound,
    TargetsUnavailable,
)
VERSIONED: tuple[type[ProblemError], ...] = (
    PreconditionRequired,
    VersionMismatch,
)


@router.post(
    "/v1/nominations",
    status_code=201,
    summary="Draft a nomination for a person, collective or household of the caller's unit (unit officer)",
    response_model=NominationOut,
    responses=problem_responses(
        RoundNotFound,
        service.InvalidNomination,
        service.NominatingUnitRequired,
        guards.DeadlinePassed,
        OutOfScope,
        TargetsUnavailable,
        IdempotencyKeyReused,
    ),
)
async def create_nomination(
    session: SessionDep,
    scope: Scope,
    principal: NominationDrafter,
    body: NominationIn,
    idempotent: Idempotent,
) -> JSONResponse:
    async def create() -> Created:
        nomination, round_ = await service.create(session, scope, body)
        return Created(
            await service.out(scope, nomination, round_),
            f"/api/v1/nominations/{nomination.id}",
            etag(nomination.version),
        )

    return await idempotent(create)


@router.get(
    "/v1/nominations",
    summary="Nominations the caller may read, newest first",
    responses=problem_responses(RoundNotFound, TargetsUnavailable),
)
async def list_nominations(
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    round_id: RowIdFilter = None,
    status: Annotated[Status | None, Query()] = None,
    award_type: Annotated[str | None, Query(max_length=50)] = None,
    org_unit: Annotated[str | None, Query(max_length=50, description="The nominating unit")] = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of the nominee's name")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[NominationSummary]:
    return await service.list_nominations(
        session,
        scope,
        round_id=round_id,
        status=status.value if status else None,
        award_type=award_type,
        org_unit=org_unit,
        q=q,
        limit=limit,
        after_id=decode_int_cursor(cursor),
    )


@router.get(
    "/v1/nominations/{nomination_id}",
    summary="One nomination with the actions the caller may take now",
    responses=problem_responses(*COMMON),
)
async def get_nomination(
    session: SessionDep, scope: Scope, principal: NominationReader, nomination_id: RowId, response: Response
) -> NominationOut:
    nomination, round_ = await service.get(session, scope, nomination_id)
    response.headers["ETag"] = etag(nomination.version)
    return await service.out(scope, nomination, round_)


@router.patch(
    "/v1/nominations/{nomination_id}",
    summary="Edit a draft or returned dossier (the nominating unit; If-Match required)",
    responses=problem_responses(
        *COMMON, *VERSIONED, workflow.ActionNotAllowed, workflow.ActionForbidden, service.InvalidNomination
    ),
)
async def patch_nomination(
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    nomination_id: RowId,
    body: NominationPatch,
    response: Response,
    if_match: IfMatch = None,
) -> NominationOut:
    nomination, round_ = await service.get(session, scope, nomination_id)
    check_if_match(if_match, nomination.version)
    await service.update(session, scope, nomination, round_, body)
    response.headers["ETag"] = etag(nomination.version)
    return await service.out(scope, nomination, round_)


@router.post(
    "/v1/nominations/{nomination_id}/actions/{action}",
    summary="Take a workflow action (If-Match required): " + ", ".join(workflow.PUBLIC_ACTIONS),
    responses=problem_responses(
        *COMMON,
        *VERSIONED,
        workflow.UnknownAction,
        workflow.ActionNotAllowed,
        workflow.ActionForbidden,
        workflow.NoteRequired,
        guards.DeadlinePassed,
        guards.OverrideRuleRequired,
        guards.NotEligible,
        guards.ForwardingRequired,
        guards.NotForwardable,
        guards.OpenObjections,
        guards.DisclosureNotOver,
        guards.DisclosureStageMismatch,
        guards.AwardTypeEnded,
        guards.NotTheForwardingOffice,
    ),
)
async def take_action(
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    nomination_id: RowId,
    action: str,
    response: Response,
    body: Annotated[ActionIn | None, Body()] = None,
    if_match: IfMatch = None,
) -> NominationOut:
    chosen = workflow.parse_action(action)
    nomination, round_ = await service.get(session, scope, nomination_id)
    check_if_match(if_match, nomination.version)
    await service.act(session, scope, nomination, round_, chosen, body or ActionIn())
    response.headers["ETag"] = etag(nomination.version)
    return await service.out(scope, nomination, round_)


@router.get(
    "/v1/nominations/{nomination_id}/eligibility",
    summary="Each rule of the award type in force on the round's date: passed, failed or unknown, and why",
    responses=problem_responses(*COMMON),
)
async def get_eligibility(
    session: SessionDep, scope: Scope, principal: NominationReader, nomination_id: RowId
) -> EligibilityOut:
    nomination, round_ = await service.get(session, scope, nomination_id)
    return await service.judge(session, nomination, round_)


@router.get(
    "/v1/nominations/{nomination_id}/events",
    summary="The audit trail, oldest first: every change, who made it, when, from which state to which",
    responses=problem_responses(*COMMON),
)
async def list_events(
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    nomination_id: RowId,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[EventOut]:
    nomination, _ = await service.get(session, scope, nomination_id)
    return await service.events(
        session, nomination.id, limit=limit, after_id=decode_int_cursor(cursor, maximum=2**63 - 1)
    )
