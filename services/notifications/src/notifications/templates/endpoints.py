"""HTTP for message templates: read, save a new version, see the history, preview."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import JSONResponse

from notifications.templates import service
from notifications.templates.rendering import TemplateInvalid, TemplateRenderFailed
from notifications.templates.schemas import (
    Language,
    PreviewIn,
    PreviewOut,
    TemplateChannel,
    TemplateIn,
    TemplateOut,
)
from shared.auth import Principal, Role, RoleGuard
from shared.concurrency import IfMatch, PreconditionRequired, VersionMismatch, etag
from shared.database import SessionDep
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import problem_responses

router = APIRouter(tags=["templates"])

# The words the platform sends in the province's name: the secretariat (Ban Thi đua - Khen thưởng) and
# admins read and edit them; nobody else reads them (they are not secret, but they are not anyone's work).
TemplateEditor = Annotated[Principal, Depends(RoleGuard(Role.SECRETARIAT, Role.ADMIN))]

Key = Annotated[
    str,
    Path(
        max_length=150, description="`<event_type>.<channel>.<language>`, e.g. `nomination.returned.email.vi`"
    ),
]
VersionNumber = Annotated[
    int | None, Query(ge=1, le=32767, description="An older version (default: the newest).")
]


@router.get(
    "/v1/templates",
    summary="The current version of every template, by key (secretariat, admin)",
    responses=problem_responses(InvalidCursor),
)
async def list_templates(
    session: SessionDep,
    principal: TemplateEditor,
    event_type: Annotated[str | None, Query(max_length=100)] = None,
    channel: TemplateChannel | None = None,
    language: Language | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[TemplateOut]:
    return await service.list_current(
        session, event_type=event_type, channel=channel, language=language, limit=limit, cursor=cursor
    )


@router.get(
    "/v1/templates/{key}",
    summary="A template's newest version, or `?version=N` (secretariat, admin); ETag: its version",
    responses=problem_responses(service.TemplateNotFound),
)
async def get_template(
    session: SessionDep,
    principal: TemplateEditor,
    key: Key,
    response: Response,
    version: VersionNumber = None,
) -> TemplateOut:
    found = await service.get(session, service.TemplateKey.parse(key), version)
    response.headers["ETag"] = etag(found.version)
    return service.to_out(found)


@router.put(
    "/v1/templates/{key}",
    summary="Save a new version (secretariat, admin; If-Match required once a version exists)",
    response_model=TemplateOut,
    responses={
        201: {"model": TemplateOut, "description": "The key's first version"},
        **problem_responses(service.TemplateNotFound, PreconditionRequired, VersionMismatch, TemplateInvalid),
    },
)
async def put_template(
    session: SessionDep, principal: TemplateEditor, key: Key, body: TemplateIn, if_match: IfMatch = None
) -> JSONResponse:
    template_key = service.TemplateKey.parse(key)
    saved = await service.save(session, template_key, body, if_match=if_match, actor=principal.subject)
    headers = {"ETag": etag(saved.version.version)}
    if saved.first:
        headers["Location"] = f"/api/v1/templates/{template_key}"
    return JSONResponse(
        service.to_out(saved.version).model_dump(mode="json"),
        status_code=201 if saved.first else 200,
        headers=headers,
    )


@router.get(
    "/v1/templates/{key}/versions",
    summary="A template's versions, newest first (secretariat, admin)",
    responses=problem_responses(service.TemplateNotFound, InvalidCursor),
)
async def list_versions(
    session: SessionDep, principal: TemplateEditor, key: Key, limit: Limit = 50, cursor: Cursor = None
) -> Page[TemplateOut]:
    return await service.history(session, service.TemplateKey.parse(key), limit=limit, cursor=cursor)


@router.post(
    "/v1/templates/{key}/preview",
    summary="Render a draft or a stored version with the type's sample or given data (secretariat, admin)",
    responses=problem_responses(service.TemplateNotFound, TemplateInvalid, TemplateRenderFailed),
)
async def preview_template(
    session: SessionDep, principal: TemplateEditor, key: Key, body: PreviewIn, version: VersionNumber = None
) -> PreviewOut:
    rendered, shown = await service.preview(
        session, service.TemplateKey.parse(key), draft=body.template, data=body.data, number=version
    )
    return PreviewOut(
        subject=rendered.subject, text=rendered.text, html=rendered.html, template_version=shown
    )
