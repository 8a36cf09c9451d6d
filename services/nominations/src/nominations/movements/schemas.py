from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from nominations.movements.models import MilestoneKind, MovementArea, MovementKind
from shared.bounds import Day

Code = Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$")
MAX_LINKED_TARGETS = 50


class MilestoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: MilestoneKind
    name: str = Field(min_length=1, max_length=500)
    review_on: Day
    source: str = Field(min_length=1, max_length=1000, description="The act or plan that sets the review")


def _milestones_in_order(milestones: list[MilestoneIn] | None) -> None:
    if milestones is None:
        return
    kinds = [milestone.kind for milestone in milestones]
    if len(set(kinds)) != len(kinds):
        raise ValueError("each kind of milestone (mid_term, final) at most once")
    days = {milestone.kind: milestone.review_on for milestone in milestones}
    mid_term, final = days.get(MilestoneKind.MID_TERM), days.get(MilestoneKind.FINAL)
    if mid_term is not None and final is not None and mid_term >= final:
        raise ValueError("the mid-term review comes before the final review")


class MovementIn(BaseModel):
    """A movement of a plan; its targets are named by their ids in the targets service."""

    model_config = ConfigDict(extra="forbid")

    code: str = Code
    name: str = Field(min_length=1, max_length=500, examples=["Doanh nghiệp Hà Tĩnh hội nhập và phát triển"])
    kind: MovementKind = MovementKind.MOVEMENT
    theme: str = Field(min_length=1, max_length=2000)
    launched_by: str = Field(min_length=1, max_length=500, examples=["UBND tỉnh Hà Tĩnh"])
    launch_source: str | None = Field(default=None, max_length=1000)
    plan_code: str = Code
    plan_section: str = Field(min_length=1, max_length=20, examples=["III.1"])
    area: MovementArea
    starts_on: Day
    ends_on: Day
    source_text: str = Field(min_length=1, max_length=4000)
    verification: str | None = Field(default=None, max_length=1000)
    target_ids: list[int] = Field(default_factory=list, max_length=MAX_LINKED_TARGETS)
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=2)

    @model_validator(mode="after")
    def _consistent(self) -> MovementIn:
        if self.starts_on > self.ends_on:
            raise ValueError("starts_on is on or before ends_on")
        if len(set(self.target_ids)) != len(self.target_ids) or any(i < 1 for i in self.target_ids):
            raise ValueError("target_ids are distinct positive ids")
        _milestones_in_order(self.milestones)
        return self


class MovementPatch(BaseModel):
    """Change what the record says of a movement; a list given replaces the one stored."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=500)
    theme: str | None = Field(default=None, min_length=1, max_length=2000)
    launched_by: str | None = Field(default=None, min_length=1, max_length=500)
    launch_source: str | None = Field(default=None, max_length=1000)
    verification: str | None = Field(default=None, max_length=1000)
    ends_on: Day | None = None
    target_ids: list[int] | None = Field(default=None, max_length=MAX_LINKED_TARGETS)
    milestones: list[MilestoneIn] | None = Field(default=None, max_length=2)

    @model_validator(mode="after")
    def _consistent(self) -> MovementPatch:
        if self.target_ids is not None and (
            len(set(self.target_ids)) != len(self.target_ids) or any(i < 1 for i in self.target_ids)
        ):
            raise ValueError("target_ids are distinct positive ids")
        _milestones_in_order(self.milestones)
        return self


class TargetLink(BaseModel):
    """A target the movement serves: its id in the targets service (null until that service has been read)
    and its natural key there."""

    id: int | None
    plan: str
    indicator: str
    org_unit: str


class MilestoneOut(BaseModel):
    kind: str
    name: str
    review_on: dt.date
    source: str
    round_id: int | None


class MovementOut(BaseModel):
    code: str
    name: str
    kind: str
    theme: str
    launched_by: str
    launch_source: str | None
    plan_code: str
    plan_section: str
    area: str
    starts_on: dt.date
    ends_on: dt.date
    source_text: str
    verification: str | None
    target_ids: list[int]
    targets: list[TargetLink]
    milestones: list[MilestoneOut]
    registered_units: int
    version: int


class MilestoneRoundIn(BaseModel):
    """The award round a review opens: its reference date is the review's day; deadlines in working days."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$", examples=["SK-DN-2023"])
    name: str | None = Field(default=None, min_length=1, max_length=500)
    opens_on: Day
    submission_working_days: int = Field(ge=1, le=120)
    screening_working_days: int = Field(ge=1, le=120)
    council_working_days: int = Field(ge=1, le=120)
    decision_working_days: int = Field(ge=1, le=120)


class RegistrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_unit: str | None = Field(default=None, min_length=1, max_length=50, description="Default: yours")
    commitments: str = Field(min_length=1, max_length=4000)
    registered_on: Day | None = Field(default=None, description="The secretariat's record of an earlier one")


class RegistrationOut(BaseModel):
    id: int
    movement: str
    org_unit: str
    org_unit_name: str
    commitments: str
    registered_by: str
    registered_on: dt.date


class Figure(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, max_length=300, examples=["Số mô hình mới"])
    value: float = Field(allow_inf_nan=False)
    unit: str | None = Field(default=None, max_length=50, examples=["mô hình"])


class UnitReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_unit: str | None = Field(default=None, min_length=1, max_length=50, description="Default: yours")
    year: int = Field(ge=2000, le=2100)
    summary: str = Field(min_length=1, max_length=20000)
    figures: list[Figure] = Field(default_factory=list, max_length=50)


class UnitReportOut(BaseModel):
    id: int
    movement: str
    org_unit: str
    year: int
    summary: str
    figures: list[Figure]
    submitted_by: str
    submitted_on: dt.date
