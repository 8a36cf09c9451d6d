from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field


class ImportOptionsOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    dry_run: bool = Field(alias="dryRun")
    import_strategy: str = Field(alias="importStrategy")
    atomic_mode: str = Field(alias="atomicMode")


class ImportCount(BaseModel):
    imported: int
    updated: int
    ignored: int
    deleted: int


class ConflictOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    object: str
    value: str
    error_code: str = Field(alias="errorCode")
    property: str
    indexes: list[int]


class ImportSummary(BaseModel):
    """DHIS2's import summary, field for field (camelCase, as DHIS2 clients expect)."""

    model_config = ConfigDict(populate_by_name=True)

    response_type: str = Field(default="ImportSummary", alias="responseType")
    status: str
    description: str
    import_options: ImportOptionsOut = Field(alias="importOptions")
    import_count: ImportCount = Field(alias="importCount")
    conflicts: list[ConflictOut]
    import_id: uuid.UUID | None = Field(default=None, alias="importId")


class DataValueOut(BaseModel):
    indicator: str
    org_unit: str
    period: str
    value: str
    comment: str | None
    stored_by: str
    created: dt.datetime
    last_updated: dt.datetime


class RevisionOut(BaseModel):
    id: int
    indicator: str
    org_unit: str
    period: str
    change: str
    old_value: str | None
    new_value: str | None
    changed_by: str
    changed_at: dt.datetime
    source: str
    import_id: uuid.UUID | None


class PeriodLockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str = Field(
        examples=["2023"], description="A DHIS2 period; every period inside it is locked too."
    )
    org_unit: str | None = Field(
        default=None, description="Lock only this unit and the units below it; empty: every unit."
    )
    reason: str | None = Field(default=None, max_length=1000)


class PeriodLockOut(BaseModel):
    id: int
    period: str
    org_unit: str | None
    reason: str | None
    locked_by: str
    locked_at: dt.datetime
