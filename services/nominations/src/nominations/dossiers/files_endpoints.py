"""HTTP for what a dossier carries besides its text: evidence snapshots and attached files."""

from __future__ import annotations

import base64
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import StreamingResponse

from nominations.deps import NominationReader
from nominations.dossiers import attachments, evidence, service, workflow
from nominations.dossiers.storage import StorageDep, StorageUnavailable
from nominations.org_scope import Scope, TargetsUnavailable
from shared.bounds import RowId
from shared.database import SessionDep
from shared.problems import problem_responses

router = APIRouter(tags=["dossier files"])
COMMON = problem_responses(service.NominationNotFound, TargetsUnavailable)
EDITING = problem_responses(workflow.ActionNotAllowed, workflow.ActionForbidden)

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
    "/v1/nominations/{nomination_id}/evidence",
    status_code=201,
    summary="Read the target progress from the targets service now and keep it with the dossier",
    responses={
        **COMMON,
        **EDITING,
        **problem_responses(evidence.EvidenceSourceInvalid, evidence.EvidenceForbidden),
    },
)
async def capture_evidence(
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    nomination_id: RowId,
    response: Response,
    body: Annotated[evidence.EvidenceIn | None, Body()] = None,
) -> evidence.EvidenceOut:
    nomination, round_ = await service.get(session, scope, nomination_id)
    snapshot = await evidence.capture(session, scope, nomination, round_, body or evidence.EvidenceIn())
    response.headers["Location"] = f"/api/v1/nominations/{nomination_id}/evidence/{snapshot.id}"
    return evidence.to_out(snapshot)


@router.get(
    "/v1/nominations/{nomination_id}/evidence",
    summary="The evidence snapshots of a dossier, oldest first, as they were read",
    responses=COMMON,
)
async def list_evidence(
    session: SessionDep, scope: Scope, principal: NominationReader, nomination_id: RowId
) -> list[evidence.EvidenceOut]:
    nomination, _ = await service.get(session, scope, nomination_id)
    return [evidence.to_out(snapshot) for snapshot in await evidence.snapshots(session, nomination.id)]


@router.get(
    "/v1/nominations/{nomination_id}/evidence/{snapshot_id}",
    summary="One evidence snapshot, exactly as it was read",
    responses={**COMMON, **problem_responses(evidence.EvidenceNotFound)},
)
async def get_evidence(
    session: SessionDep, scope: Scope, principal: NominationReader, nomination_id: RowId, snapshot_id: RowId
) -> evidence.EvidenceOut:
    nomination, _ = await service.get(session, scope, nomination_id)
    return evidence.to_out(await evidence.snapshot(session, nomination.id, snapshot_id))


@router.post(
    "/v1/nominations/{nomination_id}/attachments",
    status_code=201,
    summary="Attach a file to a draft or returned dossier (multipart/form-data: file, document_code)",
    openapi_extra=UPLOAD_BODY,
    responses={
        **COMMON,
        **EDITING,
        **problem_responses(
            attachments.AttachmentTooLarge,
            attachments.EmptyAttachment,
            attachments.UnsupportedAttachmentType,
            attachments.MalformedUpload,
            StorageUnavailable,
        ),
    },
)
async def upload_attachment(
    request: Request,
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    storage: StorageDep,
    nomination_id: RowId,
    response: Response,
) -> attachments.AttachmentOut:
    nomination, round_ = await service.get(session, scope, nomination_id)
    # Refuse before reading a byte of the file.
    await attachments.may_edit(scope, nomination, round_)
    upload = await attachments.receive(request, request.app.state.settings.attachments_max_bytes)
    try:
        attachment = await attachments.add(session, scope, storage, nomination, round_, upload)
    finally:
        upload.discard()
    response.headers["Location"] = f"/api/v1/nominations/{nomination_id}/attachments/{attachment.id}"
    return attachments.to_out(attachment)


@router.get(
    "/v1/nominations/{nomination_id}/attachments",
    summary="The files attached to a dossier",
    responses=COMMON,
)
async def list_attachments(
    session: SessionDep, scope: Scope, principal: NominationReader, nomination_id: RowId
) -> list[attachments.AttachmentOut]:
    nomination, _ = await service.get(session, scope, nomination_id)
    return [attachments.to_out(item) for item in await attachments.attachments(session, nomination.id)]


@router.get(
    "/v1/nominations/{nomination_id}/attachments/{attachment_id}",
    summary="Download an attached file, checked against its SHA-256 before it is served",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The file"},
        304: {"description": "The file is the one named by If-None-Match"},
        **COMMON,
        **problem_responses(
            attachments.AttachmentNotFound, attachments.AttachmentCorrupted, StorageUnavailable
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
    nomination, _ = await service.get(session, scope, nomination_id)
    attachment = await attachments.get(session, nomination, attachment_id)
    tag = f'"{attachment.sha256}"'
    digest = base64.b64encode(bytes.fromhex(attachment.sha256)).decode("ascii")
    headers = {
        "ETag": tag,
        "Digest": f"sha-256={digest}",  # RFC 3230
        "Repr-Digest": f"sha-256=:{digest}:",  # RFC 9530
        "Cache-Control": "private, no-cache",
    }
    if tag in {candidate.strip() for candidate in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    await attachments.verify(storage, attachment)
    return StreamingResponse(
        attachments.stream(storage, attachment),
        media_type=attachment.content_type,
        headers={
            **headers,
            "Content-Length": str(attachment.size_bytes),
            "Content-Disposition": attachments.content_disposition(attachment.filename),
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.delete(
    "/v1/nominations/{nomination_id}/attachments/{attachment_id}",
    status_code=204,
    summary="Remove a file from a draft or returned dossier",
    responses={**COMMON, **EDITING, **problem_responses(attachments.AttachmentNotFound, StorageUnavailable)},
)
async def delete_attachment(
    session: SessionDep,
    scope: Scope,
    principal: NominationReader,
    storage: StorageDep,
    nomination_id: RowId,
    attachment_id: uuid.UUID,
) -> Response:
    nomination, round_ = await service.get(session, scope, nomination_id)
    await attachments.remove(session, scope, storage, nomination, round_, attachment_id)
    return Response(status_code=204)
