from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class AwardTypeTimeliness(BaseModel):
    award_type: str
    nominations: int
    decided: int
    median_working_days_to_decision: float | None
    max_working_days_to_decision: int | None


class LateNomination(BaseModel):
    nomination_id: int
    award_type: str
    status: str
    stage: str = Field(description="submission, screening, council or decision: the deadline missed")
    deadline: dt.date
    working_days_late: int


class Timeliness(BaseModel):
    round_id: int
    as_of: dt.date
    by_award_type: list[AwardTypeTimeliness]
    late: list[LateNomination]
