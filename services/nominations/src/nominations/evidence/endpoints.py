"""HTTP for evidence: target progress read from the targets service and kept with the dossier."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from nominations.deps import NominationReader
from nominations.evidence import service
from nominations.evidence.schemas import EvidenceIn, EvidenceOut
from nominations.nominations import service as nominations
from nominations.nominations import workflow
from nominations.org_scope import Scope, TargetsUnavailable
from shared.bounds import RowId
from shared.database import SessionDep
from shared.pagination import Cursor, Limit, Page, decode_int_cursor
from shared.problems import ProblemError, problem_responses

router = APIRouter(tags=["dossier evidence"])
COMMON: tuple[type[ProblemError], ...] = (
    nominations.NominationNotFound,
    TargetsUnavailable,
)


@router.post(
    "/v1/nominations/{nomination_id}/evidence",
    status_code=201,
    summary="Read the target progress from the targets service now and keep it with the dossier",
    responses=problem_responses(
        *COMMON,
        workflow.ActionNotAllowed,
        workflow.ActionForbidden,
        service.EvidenceSourceInvalid,
        service.EvidenceForbidden,
    ),
)
async def capture_evidence(
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    nomination_id: RowId,
    response: Response,
    body: Annotated[EvidenceIn | None, Body()] = None,
) -> EvidenceOut:
    nomination, round_ = await nominations.get(session, scope, nomination_id)
    snapshot = await service.capture(session, scope, nomination, round_, body or EvidenceIn())
    response.headers["Location"] = f"/api/v1/nominations/{nomination_id}/evidence/{snapshot.id}"
    return service.to_out(snapshot)


@router.get(
    "/v1/nominations/{nomination_id}/evidence",
    summary="The evidence snapshots of a dossier, oldest first, as they were read",
    responses=problem_responses(*COMMON),
)
async def list_evidence(
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    nomination_id: RowId,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[EvidenceOut]:
    nomination, _ = await nominations.get(session, scope, nomination_id)
    return await service.snapshots(session, nomination.id, limit=limit, after_id=decode_int_cursor(cursor))


@router.get(
    "/v1/nominations/{nomination_id}/evidence/{snapshot_id}",
    summary="One evidence snapshot, exactly as it was read",
    responses=problem_responses(*COMMON, service.EvidenceNotFound),
)
async def get_evidence(
    session: SessionDep, scope: Scope, principal: NominationReader, nomination_id: RowId, snapshot_id: RowId
) -> EvidenceOut:
    nomination, _ = await nominations.get(session, scope, nomination_id)
    return service.to_out(await service.snapshot(session, nomination.id, snapshot_id))
