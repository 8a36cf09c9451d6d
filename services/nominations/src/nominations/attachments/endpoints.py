"""HTTP for the files attached to a dossier."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from nominations.attachments import service, upload
from nominations.attachments.schemas import AttachmentOut
from nominations.attachments.storage import StorageDep, StorageUnavailable
from nominations.deps import NominationReader
from nominations.nominations import service as nominations
from nominations.nominations import workflow
from nominations.org_scope import Scope, TargetsUnavailable
from shared.bounds import RowId
from shared.database import SessionDep
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import ProblemError, problem_responses

router = APIRouter(tags=["dossier files"])
COMMON: tuple[type[ProblemError], ...] = (
    nominations.NominationNotFound,
    TargetsUnavailable,
)
EDITING: tuple[type[ProblemError], ...] = (
    workflow.ActionNotAllowed,
    workflow.ActionForbidden,
)

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "PDF, JPEG, PNG, DOCX, XLSX or ODT",
                        },
                        "document_code": {
                            "type": "string",
                            "maxLength": 50,
                            "description": "Which of the award type's required documents this is",
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "/v1/nominations/{nomination_id}/attachments",
    status_code=201,
    summary="Attach a file to a draft or returned dossier (multipart/form-data: file, document_code)",
    openapi_extra=UPLOAD_BODY,
    responses=problem_responses(
        *COMMON,
        *EDITING,
        upload.AttachmentTooLarge,
        service.EmptyAttachment,
        upload.UnsupportedAttachmentType,
        upload.MultipartExpected,
        upload.InvalidAttachment,
        service.UnknownDocument,
        upload.MalformedUpload,
        StorageUnavailable,
    ),
)
async def upload_attachment(
    request: Request,
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    storage: StorageDep,
    nomination_id: RowId,
    response: Response,
) -> AttachmentOut:
    nomination, round_ = await nominations.get(session, scope, nomination_id)
    # Refuse before reading a byte of the file.
    await service.may_attach(session, scope, nomination, round_)
    received = await upload.receive(request, request.app.state.settings.attachments_max_bytes)
    try:
        attachment = await service.add(session, scope, storage, nomination, round_, received)
    finally:
        received.discard()
    response.headers["Location"] = f"/api/v1/nominations/{nomination_id}/attachments/{attachment.id}"
    return service.to_out(attachment)


@router.get(
    "/v1/nominations/{nomination_id}/attachments",
    summary="The files attached to a dossier, oldest first",
    responses=problem_responses(*COMMON, InvalidCursor),
)
async def list_attachments(
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    nomination_id: RowId,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[AttachmentOut]:
    nomination, _ = await nominations.get(session, scope, nomination_id)
    return await service.attachments(session, nomination.id, limit=limit, cursor=cursor)


@router.get(
    "/v1/nominations/{nomination_id}/attachments/{attachment_id}",
    summary="Download an attached file, checked against its SHA-256 before it is served",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The file"},
        304: {"description": "The file is the one named by If-None-Match"},
        **problem_responses(
            *COMMON, service.AttachmentNotFound, service.AttachmentCorrupted, StorageUnavailable
        ),
    },
)
async def download_attachment(
    request: Request,
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    storage: StorageDep,
    nomination_id: RowId,
    attachment_id: uuid.UUID,
) -> Response:
    nomination, _ = await nominations.get(session, scope, nomination_id)
    attachment = await service.get(session, nomination, attachment_id)
    headers = service.digests(attachment)
    if headers["ETag"] in {
        candidate.strip() for candidate in request.headers.get("if-none-match", "").split(",")
    }:
        return Response(status_code=304, headers=headers)
    await service.verify(storage, attachment)
    return StreamingResponse(
        service.stream(storage, attachment),
        media_type=attachment.content_type,
        headers={
            **headers,
            "Content-Length": str(attachment.size_bytes),
            "Content-Disposition": service.content_disposition(attachment.filename),
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.delete(
    "/v1/nominations/{nomination_id}/attachments/{attachment_id}",
    status_code=204,
    summary="Remove a file from a draft or returned dossier",
    responses=problem_responses(*COMMON, *EDITING, service.AttachmentNotFound),
)
async def delete_attachment(
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    nomination_id: RowId,
    attachment_id: uuid.UUID,
) -> Response:
    nomination, round_ = await nominations.get(session, scope, nomination_id)
    await service.remove(session, scope, nomination, round_, attachment_id)
    return Response(status_code=204)
