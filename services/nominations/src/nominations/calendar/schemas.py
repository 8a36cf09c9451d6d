from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.bounds import MAX_DATE, MIN_DATE


class CalendarDayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: dt.date = Field(ge=MIN_DATE, le=MAX_DATE)
    kind: Literal["day_off", "working_day"]
    reason: str = Field(min_length=1, max_length=500, examples=["Nghỉ bù theo Thông báo của Thủ tướng"])


class DayOut(BaseModel):
    day: dt.date
    working: bool = Field(description="false: a day off; true: a weekend day worked in exchange")
    reason: str
    recorded: bool = Field(description="true when recorded here rather than known from the holiday library")
