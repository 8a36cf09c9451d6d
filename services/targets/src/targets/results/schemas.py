from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

from shared.text import CodeRef, PeriodRef


class ImportOptionsOut(BaseModel):
    """The options the import ran with, as DHIS2 echoes them (its names; schemes by object type)."""

    model_config = ConfigDict(populate_by_name=True)

    # DHIS2's id schemes by object: {"type": "CODE"}, or {"type": "ATTRIBUTE", "attribute": "<uid>"}.
    id_schemes: dict[str, dict[str, str]] = Field(alias="idSchemes")
    dry_run: bool = Field(alias="dryRun")
    run_async: bool = Field(alias="async")
    import_strategy: str = Field(alias="importStrategy")
    atomic_mode: str = Field(alias="atomicMode")
    skip_existing_check: bool = Field(alias="skipExistingCheck")
    first_row_is_header: bool = Field(alias="firstRowIsHeader")
    require_category_option_combo: bool = Field(alias="requireCategoryOptionCombo")
    require_attribute_option_combo: bool = Field(alias="requireAttributeOptionCombo")


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


class JobOut(BaseModel):
    """DHIS2's reference to an import run as a job (``async=true``)."""

    model_config = ConfigDict(populate_by_name=True)

    response_type: str = Field(default="JobConfigurationWebMessageResponse", alias="responseType")
    name: str = "DATAVALUE_IMPORT"
    id: str
    created: dt.datetime
    job_type: str = Field(default="DATAVALUE_IMPORT", alias="jobType")
    relative_notifier_endpoint: str = Field(alias="relativeNotifierEndpoint")


class WebMessage(BaseModel):
    """DHIS2's envelope (2.38 and later) around an import summary or a job reference."""

    model_config = ConfigDict(populate_by_name=True)

    http_status: str = Field(alias="httpStatus", examples=["OK", "Conflict"])
    http_status_code: int = Field(alias="httpStatusCode", examples=[200, 409])
    status: str = Field(examples=["OK", "WARNING", "ERROR"])
    message: str
    response: ImportSummary | JobOut


class JobNotificationOut(BaseModel):
    """One notification of an import job, as DHIS2's ``/api/system/tasks/DATAVALUE_IMPORT/{id}`` lists it."""

    uid: str
    id: str
    level: str = "INFO"
    category: str = "DATAVALUE_IMPORT"
    time: dt.datetime
    message: str
    completed: bool = True


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

    period: PeriodRef = Field(
        examples=["2023"], description="A DHIS2 period; every period inside it is locked too."
    )
    org_unit: CodeRef | None = Field(
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
