from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

Stage = Literal["submission", "screening", "council", "decision"]


class AwardTypeTimeliness(BaseModel):
    award_type: str
    nominations: int
    decided: int
    median_working_days_to_decision: float | None
    max_working_days_to_decision: int | None
    late: int = Field(description="Nominations of this award type past a deadline on as_of")


class StageLateness(BaseModel):
    """The nominations of an award type that missed one stage's deadline."""

    award_type: str
    stage: Stage = Field(description="The deadline missed")
    deadline: dt.date
    nominations: int
    max_working_days_late: int


class RoundDeadlines(BaseModel):
    submission: dt.date
    screening: dt.date
    council: dt.date
    decision: dt.date

    def of(self, stage: Stage) -> dt.date:
        """The deadline of a stage."""
        deadline: dt.date = getattr(self, stage)
        return deadline


class Timeliness(BaseModel):
    """A round's timeliness in one document whatever its size, over the nominations the caller may read
    (a unit officer: its unit's and those below); the late nominations themselves are a list of their own
    (``/v1/rounds/{id}/late-nominations``)."""

    round_id: int
    as_of: dt.date
    deadlines: RoundDeadlines
    by_award_type: list[AwardTypeTimeliness]
    late_by_stage: list[StageLateness]


class LateNomination(BaseModel):
    nomination_id: int
    award_type: str
    nominating_org_unit: str = Field(description="The unit to chase")
    status: str
    stage: Stage = Field(description="The deadline missed")
    deadline: dt.date
    working_days_late: int
