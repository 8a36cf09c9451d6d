"""HTTP for public disclosure (anyone, no login) and for the secretariat's handling of objections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from nominations.deps import ObjectionHandler
from nominations.disclosure import service
from nominations.disclosure.schemas import (
    ObjectionIn,
    ObjectionOut,
    ObjectionReceipt,
    PublicDisclosure,
    ResolutionIn,
)
from nominations.dossiers import service as dossiers
from nominations.dossiers import workflow
from nominations.org_scope import Scope, TargetsUnavailable
from shared.auth import PUBLIC
from shared.database import SessionDep
from shared.pagination import Cursor, Limit, Page
from shared.problems import problem_responses

router = APIRouter(tags=["disclosure"])
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]


@router.get(
    "/v1/public/disclosures",
    dependencies=[PUBLIC],
    summary="Nominations under public disclosure now (public fields only; no login)",
)
async def list_public_disclosures(
    session: SessionDep,
    award_type: Annotated[str | None, Query(max_length=50)] = None,
    round_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
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
    responses=problem_responses(service.DisclosureNotFound, service.DisclosureClosed),
)
async def object_to_nomination(session: SessionDep, nomination_id: Id, body: ObjectionIn) -> ObjectionReceipt:
    objection = await service.object_to(session, nomination_id, body)
    return ObjectionReceipt(id=objection.id, status="open")


@router.get(
    "/v1/nominations/{nomination_id}/objections",
    summary="Every objection to a nomination, with the objectors' contacts (secretariat)",
    responses=problem_responses(dossiers.NominationNotFound, TargetsUnavailable),
)
async def list_objections(
    session: SessionDep, scope: Scope, principal: ObjectionHandler, nomination_id: Id
) -> list[ObjectionOut]:
    nomination, _ = await dossiers.get(session, scope, nomination_id)
    return await service.objections(session, nomination)


@router.post(
    "/v1/nominations/{nomination_id}/objections/{objection_id}/resolution",
    summary="Uphold (the nomination is rejected) or dismiss an objection, with a finding (secretariat)",
    responses=problem_responses(
        dossiers.NominationNotFound,
        service.ObjectionNotFound,
        service.ObjectionAlreadyResolved,
        workflow.ActionNotAllowed,
        TargetsUnavailable,
    ),
)
async def resolve_objection(
    session: SessionDep,
    scope: Scope,
    principal: ObjectionHandler,
    nomination_id: Id,
    objection_id: Id,
    body: ResolutionIn,
) -> ObjectionOut:
    nomination, _ = await dossiers.get(session, scope, nomination_id)
    objection = await service.resolve(session, scope, nomination, objection_id, body)
    return service.to_out(objection)
