from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.bounds import Day

SOURCE = "The act that decided the day: its number, date and issuer"


class CalendarDayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: Day
    kind: Literal["day_off", "working_day"]
    reason: str = Field(min_length=1, max_length=500, examples=["Nghỉ bù theo Thông báo của Thủ tướng"])
    source: str | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description=SOURCE,
        examples=["Văn bản số 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ"],
    )


class SeededDay(CalendarDayIn):
    """A day of the seed (``data/exceptions.json``), which always names its act."""

    source: str = Field(min_length=1, max_length=1000, description=SOURCE)


class DayOut(BaseModel):
    day: dt.date
    working: bool = Field(description="false: a day off; true: a weekend day worked in exchange")
    reason: str
    recorded: bool = Field(
        description="true when recorded here (seeded or by the secretariat) rather than known from the "
        "holiday library"
    )
    source: str | None = Field(default=None, description=f"For a recorded day: {SOURCE.lower()}")
