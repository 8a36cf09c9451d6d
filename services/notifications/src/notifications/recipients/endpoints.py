"""HTTP for the recipients directory and each person's own preferences."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from notifications.deps import DirectoryAdmin, DirectoryReader, Idempotent
from notifications.recipients import service
from notifications.recipients.schemas import (
    ImportSummary,
    PreferencesIn,
    PreferencesOut,
    RecipientIn,
    RecipientOut,
    RecipientPatch,
)
from shared.auth import AnyUser
from shared.body import MalformedPayload, read_body
from shared.concurrency import IfMatch, PreconditionRequired, VersionMismatch, check_if_match, etag
from shared.database import SessionDep
from shared.idempotency import Created, IdempotencyKeyReused
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import ContentTooLarge, UnsupportedMediaType, problem_responses

router = APIRouter(tags=["recipients"])

MAX_IMPORT_BYTES = 5 * 1024 * 1024
CSV_TYPES = {"text/csv", "application/csv"}


@router.get(
    "/v1/recipients",
    summary="The recipients directory, by sub (admin, secretariat)",
    responses=problem_responses(InvalidCursor),
)
async def list_recipients(
    session: SessionDep,
    principal: DirectoryReader,
    org_unit: Annotated[str | None, Query(max_length=50)] = None,
    role: Annotated[str | None, Query(max_length=30)] = None,
    q: Annotated[str | None, Query(max_length=100, description="part of a name, sub or email")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[RecipientOut]:
    return await service.list_recipients(
        session, org_unit=org_unit, role=role, q=q, limit=limit, cursor=cursor
    )


@router.post(
    "/v1/recipients",
    status_code=201,
    summary="Add a person to the directory (admin)",
    response_model=RecipientOut,
    responses=problem_responses(service.RecipientExists, IdempotencyKeyReused),
)
async def create_recipient(
    session: SessionDep, principal: DirectoryAdmin, body: RecipientIn, idempotent: Idempotent
) -> JSONResponse:
    async def create() -> Created:
        recipient = await service.create(session, body)
        return Created(
            service.to_out(recipient), f"/api/v1/recipients/{recipient.sub}", etag(recipient.version)
        )

    return await idempotent(create)


@router.post(
    "/v1/recipients/import",
    summary="Create or update people from a CSV file, all rows or none (admin)",
    responses=problem_responses(
        service.InvalidRecipientsFile, UnsupportedMediaType, ContentTooLarge, MalformedPayload
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "UTF-8, a header row naming the columns "
            + ", ".join(service.CSV_COLUMNS)
            + " (sub and display_name required); roles and subscriptions separated by ';'."
            " docs/notifications.md shows how to export it from Keycloak.",
        }
    },
)
async def import_recipients(
    request: Request, session: SessionDep, principal: DirectoryAdmin
) -> ImportSummary:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in CSV_TYPES:
        raise UnsupportedMediaType(
            f"Send the recipients as text/csv in UTF-8, not {media_type or 'no content type'}.",
            accepted=sorted(CSV_TYPES),
        )
    body = await read_body(request, MAX_IMPORT_BYTES)
    try:
        content = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise service.InvalidRecipientsFile("The file is not UTF-8.") from None
    return await service.import_csv(session, content)


@router.get(
    "/v1/recipients/{sub}",
    summary="One person of the directory (admin, secretariat)",
    responses=problem_responses(service.RecipientNotFound),
)
async def get_recipient(
    session: SessionDep, principal: DirectoryReader, sub: str, response: Response
) -> RecipientOut:
    recipient = await service.get(session, sub)
    response.headers["ETag"] = etag(recipient.version)
    return service.to_out(recipient)


@router.patch(
    "/v1/recipients/{sub}",
    summary="Change a person's name, address, language, unit, roles or subscriptions (admin; If-Match)",
    responses=problem_responses(service.RecipientNotFound, PreconditionRequired, VersionMismatch),
)
async def patch_recipient(
    session: SessionDep,
    principal: DirectoryAdmin,
    sub: str,
    body: RecipientPatch,
    response: Response,
    if_match: IfMatch = None,
) -> RecipientOut:
    recipient = await service.get(session, sub, for_update=True)
    check_if_match(if_match, recipient.version)
    await service.update(session, recipient, body)
    response.headers["ETag"] = etag(recipient.version)
    return service.to_out(recipient)


@router.get(
    "/v1/preferences",
    summary="The caller's preferences: every event type and channel, with its mode",
    responses=problem_responses(service.NotARecipient),
)
async def get_preferences(session: SessionDep, principal: AnyUser) -> PreferencesOut:
    return await service.preferences(session, principal.subject)


@router.put(
    "/v1/preferences",
    summary="Replace the caller's preferences (what is not named is immediate)",
    responses=problem_responses(service.NotARecipient, service.InvalidPreference),
)
async def put_preferences(session: SessionDep, principal: AnyUser, body: PreferencesIn) -> PreferencesOut:
    return await service.set_preferences(session, principal.subject, body)
