"""`/internal/v1/clock`: move today forward outside production (see :mod:`nominations.clock`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from nominations import clock
from shared.auth import Admin
from shared.problems import Forbidden, problem_responses
from shared.settings import Environment

router = APIRouter(tags=["operations"])


class ClockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    offset_days: int = Field(ge=0, le=3650)


class ClockOut(BaseModel):
    offset_days: int
    today: str


class ClockFixed(Forbidden):
    slug = "clock-fixed"
    title = "The clock cannot be moved here"


@router.post(
    "/internal/v1/clock",
    summary="Move today forward (admin; never in production)",
    responses=problem_responses(ClockFixed),
)
async def set_clock(request: Request, principal: Admin, body: ClockIn) -> ClockOut:
    settings = request.app.state.settings
    # Opt-in (make run sets it), so a deployment that forgets its environment does not fail open.
    if settings.environment is Environment.PRODUCTION or not getattr(settings, "clock_adjustable", False):
        raise ClockFixed("This service runs on the wall clock (NOMINATIONS_CLOCK_ADJUSTABLE is not set).")
    clock.set_offset(body.offset_days)
    return ClockOut(offset_days=clock.offset_days(), today=clock.today().isoformat())
