"""HTTP for event intake (internal: not routed by the gateway; a sibling service's token only)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from notifications.deps import ServiceCaller
from notifications.events import service
from notifications.events.schemas import EventIn
from shared.database import SessionDep
from shared.problems import problem_responses

router = APIRouter(tags=["events"])

MAX_BATCH = 500


class IntakeResult(BaseModel):
    id: str
    status: Literal["accepted", "duplicate", "rejected"]
    problem: dict[str, Any] | None = None


class BatchResult(BaseModel):
    results: list[IntakeResult]


def _problem(outcome: service.Outcome) -> dict[str, Any] | None:
    problem = outcome.problem
    if problem is None:
        return None
    return {
        "type": problem.type,
        "title": problem.title,
        "status": int(problem.status),
        "detail": problem.detail,
        **problem.extra,
    }


@router.post(
    "/internal/v1/events",
    summary="Receive events from a producing service's relay (one event, or a batch as a JSON array)",
    description="Idempotent on each event's id. One event answers 202 (or its problem); a batch answers 200"
    " with one result per event, in order, so the relay can retry only what was not taken.",
    status_code=202,
    response_model=IntakeResult | BatchResult,
    responses=problem_responses(
        service.UnknownEventType, service.EventSchemaMismatch, service.EventIdReused, service.WrongProducer
    ),
)
async def receive_events(
    session: SessionDep,
    principal: ServiceCaller,
    body: Annotated[EventIn | Annotated[list[EventIn], Field(min_length=1, max_length=MAX_BATCH)], Body()],
) -> Any:
    if isinstance(body, EventIn):
        (outcome,) = await service.receive(session, principal, [body])
        if outcome.problem is not None:
            raise outcome.problem
        return IntakeResult(id=str(outcome.id), status=outcome.status)
    outcomes = await service.receive(session, principal, body)
    results = [IntakeResult(id=str(o.id), status=o.status, problem=_problem(o)) for o in outcomes]
    return JSONResponse(BatchResult(results=results).model_dump(mode="json"), status_code=200)
