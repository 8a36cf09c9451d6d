"""HTTP for routing rules (admins write them; the secretariat reads them)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from notifications.deps import DirectoryAdmin, DirectoryReader
from notifications.routing import service
from notifications.routing.schemas import RoutingRuleIn, RoutingRuleOut
from shared.concurrency import IfMatch, PreconditionRequired, VersionMismatch, check_if_match, etag
from shared.database import SessionDep
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import problem_responses

router = APIRouter(tags=["routing"])


@router.get(
    "/v1/routing-rules",
    summary="Who each event type reaches, per channel, by event type (admin, secretariat)",
    responses=problem_responses(InvalidCursor),
)
async def list_rules(
    session: SessionDep, principal: DirectoryReader, limit: Limit = 50, cursor: Cursor = None
) -> Page[RoutingRuleOut]:
    return await service.list_rules(session, limit=limit, cursor=cursor)


@router.get(
    "/v1/routing-rules/{event_type}",
    summary="One event type's rule (admin, secretariat)",
    responses=problem_responses(service.UnknownEventTypeRule),
)
async def get_rule(
    session: SessionDep, principal: DirectoryReader, event_type: str, response: Response
) -> RoutingRuleOut:
    rule = await service.get(session, event_type)
    if rule is None:
        raise service.UnknownEventTypeRule(f"{event_type!r} has no routing rule: it reaches nobody.")
    response.headers["ETag"] = etag(rule.version)
    return service.to_out(rule)


@router.put(
    "/v1/routing-rules/{event_type}",
    summary="Set who an event type reaches (admin; If-Match when it has a rule)",
    responses=problem_responses(
        service.UnknownEventTypeRule, service.InvalidRoutingRule, PreconditionRequired, VersionMismatch
    ),
)
async def put_rule(
    session: SessionDep,
    principal: DirectoryAdmin,
    event_type: str,
    body: RoutingRuleIn,
    response: Response,
    if_match: IfMatch = None,
) -> RoutingRuleOut:
    rule = await service.get(session, event_type, for_update=True)
    if rule is not None:
        check_if_match(if_match, rule.version)
    rule = await service.put(session, event_type, body, principal.subject, rule)
    response.headers["ETag"] = etag(rule.version)
    return service.to_out(rule)
