from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field

from targets.progress.schemas import ProgressRow


class ReportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


class UnitProgress(BaseModel):
    """One org unit's rows: its own targets and those it inherits, judged on its own series."""

    org_unit: str
    name: str
    parent: str | None = Field(description="The unit it stood under on its last day in the report's window")
    summary: dict[str, int] = Field(description="Number of targets per status")
    items: list[ProgressRow]


class ProgressTreeReport(BaseModel):
    """A plan's progress for an org unit and every unit below it during the plan (up to ``at``), in tree
    order: the unit first, then each unit below it followed by its own units."""

    plan: str
    plan_name: str
    org_unit: str
    at: dt.date
    rows: int = Field(description="Target rows over all units")
    units: list[UnitProgress]
