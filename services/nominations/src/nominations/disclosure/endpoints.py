"""HTTP for public disclosure (anyone, no login) and for the secretariat's handling of objections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from nominations.deps import ObjectionHandler
from nominations.disclosure import service
from nominations.disclosure.schemas import (
    ObjectionIn,
    ObjectionOut,
    ObjectionReceipt,
    PublicDisclosure,
    ResolutionIn,
)
from nominations.nominations import guards, workflow
from nominations.nominations import service as nominations
from nominations.org_scope import Scope, TargetsUnavailable
from shared.auth import PUBLIC
from shared.bounds import RowId, RowIdFilter
from shared.database import SessionDep
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import problem_responses

router = APIRouter(tags=["disclosure"])


@router.get(
    "/v1/public/disclosures",
    dependencies=[PUBLIC],
    summary="Nominations under public disclosure now (public fields only; no login)",
    responses=problem_responses(InvalidCursor),
)
async def list_public_disclosures(
    session: SessionDep,
    award_type: Annotated[str | None, Query(max_length=50)] = None,
    round_id: RowIdFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[PublicDisclosure]:
    return await service.public_disclosures(
        session, award_type=award_type, round_id=round_id, limit=limit, cursor=cursor
    )


@router.post(
    "/v1/public/disclosures/{nomination_id}/objections",
    dependencies=[PUBLIC],
    status_code=201,
    summary="Object to a disclosed nomination while its period runs (no login; the contact stays private)",
    responses=problem_responses(service.DisclosureNotFound, guards.DisclosureClosed),
)
async def object_to_nomination(
    session: SessionDep, nomination_id: RowId, body: ObjectionIn
) -> ObjectionReceipt:
    objection = await service.object_to(session, nomination_id, body)
    return ObjectionReceipt(id=objection.id, status="open")


@router.get(
    "/v1/nominations/{nomination_id}/objections",
    summary="Every objection to a nomination, oldest first, with the objectors' contacts (secretariat)",
    responses=problem_responses(nominations.NominationNotFound, TargetsUnavailable, InvalidCursor),
)
async def list_objections(
    session: SessionDep,
    scope: Scope,
    principal: ObjectionHandler,
    nomination_id: RowId,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ObjectionOut]:
    nomination, _ = await nominations.get(session, scope, nomination_id)
    return await service.objections(session, nomination, limit=limit, cursor=cursor)


@router.post(
    "/v1/nominations/{nomination_id}/objections/{objection_id}/resolution",
    summary="Uphold (the nomination is rejected) or dismiss an objection, with a finding (secretariat)",
    responses=problem_responses(
        nominations.NominationNotFound,
        service.ObjectionNotFound,
        service.ObjectionAlreadyResolved,
        workflow.ActionNotAllowed,
        workflow.ActionForbidden,
        workflow.NoteRequired,
        guards.NotRejected,
        TargetsUnavailable,
    ),
)
async def resolve_objection(
    session: SessionDep,
    scope: Scope,
    principal: ObjectionHandler,
    nomination_id: RowId,
    objection_id: RowId,
    body: ResolutionIn,
) -> ObjectionOut:
    nomination, _ = await nominations.get(session, scope, nomination_id)
    objection = await service.resolve(session, scope, nomination, objection_id, body)
    return service.to_out(objection)
