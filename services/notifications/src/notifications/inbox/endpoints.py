"""HTTP for the caller's own in-app inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from notifications.inbox import service
from notifications.inbox.schemas import InboxItemOut, MarkedRead, UnreadCount
from shared.auth import AnyUser
from shared.database import SessionDep
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import problem_responses

router = APIRouter(tags=["inbox"])


@router.get(
    "/v1/inbox",
    summary="The caller's notifications, newest first",
    responses=problem_responses(InvalidCursor),
)
async def list_inbox(
    session: SessionDep,
    principal: AnyUser,
    unread: Annotated[bool | None, Query(description="only unread (true) or only read (false) items")] = None,
    event_type: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[InboxItemOut]:
    return await service.list_items(
        session, principal.subject, unread=unread, event_type=event_type, limit=limit, cursor=cursor
    )


@router.get("/v1/inbox/unread-count", summary="How many of the caller's notifications are unread")
async def unread_count(session: SessionDep, principal: AnyUser) -> UnreadCount:
    return await service.unread_count(session, principal.subject)


@router.post("/v1/inbox/actions/read-all", summary="Mark every notification of the caller read")
async def read_all(session: SessionDep, principal: AnyUser) -> MarkedRead:
    return await service.mark_all_read(session, principal.subject)


@router.post(
    "/v1/inbox/{item_id}/read",
    summary="Mark one of the caller's notifications read",
    responses=problem_responses(service.InboxItemNotFound),
)
async def read_item(
    session: SessionDep, principal: AnyUser, item_id: Annotated[int, Path(ge=1, le=2**63 - 1)]
) -> InboxItemOut:
    return await service.mark_read(session, principal.subject, item_id)
