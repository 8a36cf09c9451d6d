"""HTTP for an org unit's webhook endpoints (``/api/v1/webhook-endpoints``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from notifications.webhooks import service
from notifications.webhooks.permissions import (
    Idempotent,
    OutOfScope,
    ServiceSettings,
    WebhookManager,
    default_unit,
    require_scope,
)
from notifications.webhooks.schemas import (
    OrgUnitCode,
    WebhookEndpointIn,
    WebhookEndpointOut,
    WebhookEndpointPatch,
    WebhookEndpointWithSecret,
)
from notifications.webhooks.targets import TargetRefused
from shared.concurrency import IfMatch, PreconditionRequired, VersionMismatch, check_if_match, etag
from shared.database import SessionDep
from shared.idempotency import Created, IdempotencyKeyReused
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import problem_responses

router = APIRouter(tags=["webhooks"])


def _location(endpoint_id: uuid.UUID) -> str:
    return f"/api/v1/webhook-endpoints/{endpoint_id}"


@router.get(
    "/v1/webhook-endpoints",
    summary="Active webhook endpoints, newest first (admin: any unit; reporter, unit officer: their own)",
    responses=problem_responses(InvalidCursor, OutOfScope),
)
async def list_webhook_endpoints(
    session: SessionDep,
    principal: WebhookManager,
    org_unit: Annotated[OrgUnitCode | None, Query(description="Only this unit's (default: your own)")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[WebhookEndpointOut]:
    unit = org_unit if org_unit is not None else default_unit(principal)
    require_scope(principal, unit)
    return await service.list_endpoints(session, unit, limit=limit, cursor=cursor)


@router.post(
    "/v1/webhook-endpoints",
    status_code=201,
    summary="Register an endpoint; the answer shows its signing secret, once (Idempotency-Key supported)",
    response_model=WebhookEndpointWithSecret,
    responses=problem_responses(OutOfScope, TargetRefused, IdempotencyKeyReused),
)
async def create_webhook_endpoint(
    session: SessionDep,
    principal: WebhookManager,
    body: WebhookEndpointIn,
    idempotent: Idempotent,
    settings: ServiceSettings,
) -> JSONResponse:
    require_scope(principal, body.org_unit)

    async def create() -> Created:
        endpoint, secret = await service.create(session, body, principal.subject, settings)
        return Created(service.with_secret(endpoint, secret), _location(endpoint.id), etag(endpoint.version))

    return await idempotent(create)


@router.get(
    "/v1/webhook-endpoints/{endpoint_id}",
    summary="One endpoint (never its secret), deleted ones too",
    responses=problem_responses(service.EndpointNotFound, OutOfScope),
)
async def get_webhook_endpoint(
    session: SessionDep, principal: WebhookManager, endpoint_id: uuid.UUID, response: Response
) -> WebhookEndpointOut:
    endpoint = await service.get(session, endpoint_id)
    require_scope(principal, endpoint.org_unit)
    response.headers["ETag"] = etag(endpoint.version)
    return service.to_out(endpoint)


@router.patch(
    "/v1/webhook-endpoints/{endpoint_id}",
    summary="Change an endpoint's URL, description or event types (If-Match required)",
    responses=problem_responses(
        service.EndpointNotFound,
        service.EndpointDeleted,
        OutOfScope,
        TargetRefused,
        PreconditionRequired,
        VersionMismatch,
    ),
)
async def patch_webhook_endpoint(
    session: SessionDep,
    principal: WebhookManager,
    endpoint_id: uuid.UUID,
    body: WebhookEndpointPatch,
    response: Response,
    settings: ServiceSettings,
    if_match: IfMatch = None,
) -> WebhookEndpointOut:
    endpoint = await service.get(session, endpoint_id)
    require_scope(principal, endpoint.org_unit)
    check_if_match(if_match, endpoint.version)
    await service.update(session, endpoint, body, settings)
    response.headers["ETag"] = etag(endpoint.version)
    return service.to_out(endpoint)


@router.delete(
    "/v1/webhook-endpoints/{endpoint_id}",
    status_code=204,
    summary="Delete an endpoint: it receives nothing more, its secrets sign nothing more (kept, inactive)",
    responses=problem_responses(service.EndpointNotFound, OutOfScope, VersionMismatch),
)
async def delete_webhook_endpoint(
    session: SessionDep, principal: WebhookManager, endpoint_id: uuid.UUID, if_match: IfMatch = None
) -> Response:
    endpoint = await service.get(session, endpoint_id)
    require_scope(principal, endpoint.org_unit)
    if if_match is not None:
        check_if_match(if_match, endpoint.version)
    await service.delete(session, endpoint)
    return Response(status_code=204)


@router.post(
    "/v1/webhook-endpoints/{endpoint_id}/actions/rotate-secret",
    summary="A new signing secret, shown once; the previous one keeps signing beside it for the overlap",
    responses=problem_responses(service.EndpointNotFound, service.EndpointDeleted, OutOfScope),
)
async def rotate_webhook_secret(
    session: SessionDep, principal: WebhookManager, endpoint_id: uuid.UUID, settings: ServiceSettings
) -> WebhookEndpointWithSecret:
    endpoint = await service.get(session, endpoint_id)
    require_scope(principal, endpoint.org_unit)
    endpoint, secret, previous_expires_at = await service.rotate_secret(session, endpoint_id, settings)
    return service.with_secret(endpoint, secret, previous_expires_at)
