from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from nominations.rounds.models import RoundKind
from shared.bounds import Day

WorkingDays = Field(ge=1, le=120)


class RoundIn(BaseModel):
    """A new round. Deadlines are given in working days, each counted from the one before."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$", examples=["KT-2025"])
    name: str = Field(min_length=1, max_length=500, examples=["Khen thưởng tổng kết năm 2025"])
    kind: RoundKind
    year: int = Field(ge=2000, le=2100)
    movement_code: str | None = Field(default=None, max_length=50)
    reference_date: Day = Field(description="The rules and the org units of this date apply.")
    opens_on: Day
    submission_working_days: int = WorkingDays
    screening_working_days: int = WorkingDays
    council_working_days: int = WorkingDays
    decision_working_days: int = WorkingDays
    resubmission_working_days: int = Field(default=5, ge=1, le=60)

    @model_validator(mode="after")
    def _movement_for_reviews(self) -> RoundIn:
        if self.kind is RoundKind.MOVEMENT_REVIEW and not self.movement_code:
            raise ValueError("a movement review names its movement (movement_code)")
        return self


class RoundPatch(BaseModel):
    """Extend or shorten the remaining deadlines; the dates are computed again from ``opens_on``."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=500)
    submission_working_days: int | None = Field(default=None, ge=1, le=120)
    screening_working_days: int | None = Field(default=None, ge=1, le=120)
    council_working_days: int | None = Field(default=None, ge=1, le=120)
    decision_working_days: int | None = Field(default=None, ge=1, le=120)
    resubmission_working_days: int | None = Field(default=None, ge=1, le=60)


class Deadlines(BaseModel):
    submission: dt.date
    screening: dt.date
    council: dt.date
    decision: dt.date


class RoundOut(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    year: int
    movement_code: str | None
    reference_date: dt.date
    opens_on: dt.date
    submission_working_days: int
    screening_working_days: int
    council_working_days: int
    decision_working_days: int
    resubmission_working_days: int
    deadlines: Deadlines
    version: int


class RoundDeadlineOut(BaseModel):
    """One deadline of a round (for the reminders of the notifications service)."""

    round_id: int
    round_name: str
    deadline: Literal["submission", "screening", "council", "decision"]
    due_on: dt.date
