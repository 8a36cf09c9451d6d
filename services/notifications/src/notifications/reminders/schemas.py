"""What the siblings answer, as the reminders read it (their own schemas are in their OpenAPI documents)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict


class Sibling(BaseModel):
    # A sibling may add fields to its answers; only these are read.
    model_config = ConfigDict(extra="ignore", frozen=True)


class Obligation(Sibling):
    """targets: ``GET /internal/v1/reporting-obligations``."""

    indicator: str
    indicator_name: str
    org_unit: str
    period: str
    reported: bool


class CalendarDay(Sibling):
    """nominations: ``GET /v1/working-calendar`` (a day off, or a weekend day worked)."""

    day: dt.date
    working: bool


class RoundDeadline(Sibling):
    """nominations: ``GET /internal/v1/round-deadlines``."""

    round_id: int
    round_name: str
    deadline: Literal["submission", "screening", "council", "decision"]
    due_on: dt.date
