from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.bounds import Day, RowIdField


class EvidenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_unit: str | None = Field(
        default=None, min_length=1, max_length=50, description="The nominee's unit (default) or one below it"
    )
    plan: str | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="Plan code; default: the latest plan started by the day asked for",
    )
    at: Day | None = Field(
        default=None, description="Judge with the years ended by this date; default: the round's date"
    )
    target_ids: list[RowIdField] | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="Keep only these targets' rows; default: every row of the report",
    )


class EvidenceOut(BaseModel):
    id: int
    nomination_id: int
    plan: str | None
    org_unit: str
    at: dt.date
    target_ids: list[int]
    source: str = Field(description="The URL the report was read from")
    snapshot: dict[str, Any] = Field(description="The progress report as the targets service answered it")
    fetched_by: str
    fetched_at: dt.datetime
