"""HTTP for decisions: the deciding authority records what it signed; staff read them with their awards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from nominations.catalogue.models import Authority
from nominations.decisions import service
from nominations.decisions.schemas import DecisionIn, DecisionOut, DecisionSummary
from nominations.deps import DecisionIssuer, DecisionReader, Idempotent
from nominations.nominations import guards, workflow
from nominations.org_scope import Scope, TargetsUnavailable
from shared.bounds import RowId
from shared.database import SessionDep
from shared.idempotency import Created, IdempotencyKeyReused
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import problem_responses

router = APIRouter(tags=["decisions"])


@router.post(
    "/v1/decisions",
    status_code=201,
    summary="Record a signed decision: every nomination it names is awarded, or none (deciding authority)",
    response_model=DecisionOut,
    responses=problem_responses(
        service.DecisionNumberTaken,
        guards.InvalidDecision,
        service.UnknownNomination,
        guards.WrongAuthority,
        service.NotYourAuthority,
        service.NominationsNotDecidable,
        workflow.ActionNotAllowed,
        guards.DisclosureNotOver,
        guards.OpenObjections,
        TargetsUnavailable,
        IdempotencyKeyReused,
    ),
)
async def issue_decision(
    session: SessionDep, scope: Scope, principal: DecisionIssuer, body: DecisionIn, idempotent: Idempotent
) -> JSONResponse:
    async def issue() -> Created:
        decision = await service.issue(session, scope, body)
        return Created(await service.get(session, decision.id), f"/api/v1/decisions/{decision.id}")

    return await idempotent(issue)


@router.get(
    "/v1/decisions",
    summary="Decisions recorded, newest first, with award counts and bonus totals",
    responses=problem_responses(InvalidCursor),
)
async def list_decisions(
    session: SessionDep,
    principal: DecisionReader,
    authority: Annotated[Authority | None, Query()] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[DecisionSummary]:
    return await service.list_decisions(
        session, authority=authority.value if authority else None, limit=limit, cursor=cursor
    )


@router.get(
    "/v1/decisions/{decision_id}",
    summary="One decision with every award it made",
    responses=problem_responses(service.DecisionNotFound),
)
async def get_decision(session: SessionDep, principal: DecisionReader, decision_id: RowId) -> DecisionOut:
    return await service.get(session, decision_id)
