from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, UrlConstraints

from nominations.exemplars.models import ExemplarKind, Stage
from shared.bounds import Day

Note = Field(min_length=1, max_length=20_000)


class ExemplarEvidenceIn(BaseModel):
    """A piece of evidence: a press article, a report, a decision; by title and, where online, its address."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=500)
    # AnyHttpUrl has no length bound of its own (HttpUrl's is 2,083): the same bound here.
    url: Annotated[AnyHttpUrl, UrlConstraints(max_length=2083)] | None = None
    attachment_id: int | None = Field(default=None, ge=1, description="An attachment of a dossier")


class ExemplarIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ExemplarKind
    name: str = Field(
        min_length=1, max_length=500, examples=["Mô hình “Vườn mẫu nông thôn mới” xã Thạch Liên"]
    )
    description: str = Note
    org_unit: str | None = Field(default=None, min_length=1, max_length=50, description="Default: yours")
    movement: str | None = Field(default=None, min_length=1, max_length=50, description="A movement's code")
    detected_on: Day | None = Field(default=None, description="Default: today")
    evidence: list[ExemplarEvidenceIn] = Field(default_factory=list, max_length=20)


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Note
    evidence: list[ExemplarEvidenceIn] = Field(default_factory=list, max_length=20)


class AdvanceIn(BaseModel):
    """One step forward, with what was done in the step (how it was nurtured, the summary written …)."""

    model_config = ConfigDict(extra="forbid")

    to: Stage
    note: str = Note
    evidence: list[ExemplarEvidenceIn] = Field(default_factory=list, max_length=20)


class ReplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_unit: str = Field(min_length=1, max_length=50)
    replicated_on: Day
    note: str | None = Field(default=None, max_length=20_000)


class EntryOut(BaseModel):
    id: int
    kind: str
    stage: str
    note: str | None
    evidence: list[dict[str, Any]]
    details: dict[str, Any] | None
    actor: str
    recorded_on: dt.date


class ReplicationOut(BaseModel):
    org_unit: str
    org_unit_name: str
    replicated_on: dt.date
    note: str | None


class ExemplarSummary(BaseModel):
    id: int
    kind: str
    name: str
    org_unit: str
    org_unit_name: str
    movement: str | None
    stage: str
    detected_on: dt.date
    version: int


class ExemplarOut(ExemplarSummary):
    description: str
    allowed_stages: list[str]
    history: list[EntryOut]
    replications: list[ReplicationOut]
    nomination_ids: list[int]
