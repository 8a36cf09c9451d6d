"""HTTP for decisions: the deciding authority records what it signed; staff read them with their awards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from nominations.catalogue.models import Authority
from nominations.decisions import service
from nominations.decisions.schemas import DecisionIn, DecisionOut, DecisionSummary
from nominations.deps import DecisionIssuer, DecisionReader
from nominations.dossiers.service import DisclosureNotOver, OpenObjections
from nominations.dossiers.workflow import ActionNotAllowed
from nominations.models import idempotency_keys
from nominations.org_scope import Scope, TargetsUnavailable
from shared.database import SessionDep
from shared.idempotency import IdempotencyKey, IdempotencyKeyReused, run_idempotent
from shared.pagination import Cursor, Limit, Page
from shared.problems import problem_responses

router = APIRouter(tags=["decisions"])
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]


@router.post(
    "/v1/decisions",
    status_code=201,
    summary="Record a signed decision: every nomination it names is awarded, or none (deciding authority)",
    response_model=DecisionOut,
    responses=problem_responses(
        service.DecisionNumberTaken,
        service.InvalidDecision,
        service.UnknownNomination,
        service.WrongAuthority,
        service.NotYourAuthority,
        service.NominationsNotDecidable,
        ActionNotAllowed,
        DisclosureNotOver,
        OpenObjections,
        TargetsUnavailable,
        IdempotencyKeyReused,
    ),
)
async def issue_decision(
    request: Request,
    session: SessionDep,
    scope: Scope,
    principal: DecisionIssuer,
    body: DecisionIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def issue() -> tuple[int, object, dict[str, str]]:
        decision = await service.issue(session, scope, body)
        out = await service.get(session, decision.id)
        return 201, out.model_dump(mode="json"), {"Location": f"/api/v1/decisions/{decision.id}"}

    return await run_idempotent(
        session,
        idempotency_keys,
        request=request,
        principal=principal.subject,
        key=idempotency_key,
        create=issue,
    )


@router.get("/v1/decisions", summary="Decisions recorded, newest first, with award counts and bonus totals")
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
async def get_decision(session: SessionDep, principal: DecisionReader, decision_id: Id) -> DecisionOut:
    return await service.get(session, decision_id)
