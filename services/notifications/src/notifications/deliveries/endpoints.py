"""HTTP for the operators' delivery log and the re-drive of dead deliveries."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from notifications.deliveries import service
from notifications.deliveries.models import Channel, DeliveryStatus
from notifications.deliveries.schemas import DeliveryDetail, DeliveryOut
from notifications.deps import DeliveryOperator
from shared.database import SessionDep
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import problem_responses

router = APIRouter(tags=["deliveries"])


@router.get(
    "/v1/deliveries",
    summary="The delivery log, newest first (admin, secretariat)",
    responses=problem_responses(InvalidCursor),
)
async def list_deliveries(
    session: SessionDep,
    principal: DeliveryOperator,
    status: DeliveryStatus | None = None,
    channel: Channel | None = None,
    event_type: Annotated[str | None, Query(max_length=100)] = None,
    recipient: Annotated[str | None, Query(max_length=250)] = None,
    event_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[DeliveryOut]:
    return await service.log(
        session,
        status=status.value if status else None,
        channel=channel.value if channel else None,
        event_type=event_type,
        recipient=recipient,
        event_id=event_id,
        limit=limit,
        cursor=cursor,
    )


@router.get(
    "/v1/deliveries/{delivery_id}",
    summary="One delivery with every attempt and its error (admin, secretariat)",
    responses=problem_responses(service.DeliveryNotFound),
)
async def get_delivery(
    session: SessionDep, principal: DeliveryOperator, delivery_id: uuid.UUID
) -> DeliveryDetail:
    return await service.get(session, delivery_id)


@router.post(
    "/v1/deliveries/{delivery_id}/actions/redrive",
    summary="Send a dead delivery again, with the same identity (admin, secretariat)",
    responses=problem_responses(service.DeliveryNotFound, service.NotDead),
)
async def redrive(session: SessionDep, principal: DeliveryOperator, delivery_id: uuid.UUID) -> DeliveryOut:
    return await service.redrive(session, delivery_id, principal.subject)
