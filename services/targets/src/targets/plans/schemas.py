from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.bounds import Day
from shared.patch import NotNull
from shared.text import CodeRef
from targets.plans.models import Comparator, Projection, TargetKind

DEFAULT_PROJECTION = {
    TargetKind.END_OF_PERIOD: Projection.LINEAR,
    TargetKind.ANNUAL: Projection.SHARE_OF_YEARS,
    TargetKind.PERIOD_AVERAGE: Projection.MEAN,
    TargetKind.CUMULATIVE: Projection.RUNNING_SUM,
    TargetKind.BOOLEAN: Projection.LATEST,
    TargetKind.RELATIVE: Projection.LINEAR,
}


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", examples=["HT-2021-2025"]
    )
    name: str = Field(min_length=1, max_length=2000)
    start_date: Day
    end_date: Day
    source: str = Field(min_length=1, max_length=5000, description="The document the plan comes from")
    at_risk_margin: Decimal = Field(default=Decimal("0.1"), ge=0, le=1)

    @model_validator(mode="after")
    def _period(self) -> PlanIn:
        if self.end_date <= self.start_date:
            raise ValueError("end_date must be after start_date")
        return self


class PlanPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str | None, Field(min_length=1, max_length=2000), NotNull()] = None
    source: Annotated[str | None, Field(min_length=1, max_length=5000), NotNull()] = None
    at_risk_margin: Annotated[Decimal | None, Field(ge=0, le=1), NotNull()] = None


class PlanOut(BaseModel):
    code: str
    name: str
    start_date: dt.date
    end_date: dt.date
    source: str
    at_risk_margin: float
    version: int


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan: CodeRef
    indicator: CodeRef
    org_unit: CodeRef
    kind: TargetKind
    comparator: Comparator
    value: Decimal | None = None
    tolerance: Decimal | None = Field(default=None, ge=0)
    baseline: Decimal | None = None
    baseline_year: int | None = Field(default=None, ge=1900, le=2199)
    reference_indicator: CodeRef | None = None
    projection: Projection | None = None
    source_text: str = Field(min_length=1, max_length=5000, description="The plan's own words")
    notes: str | None = Field(default=None, max_length=5000)

    @model_validator(mode="after")
    def _consistent(self) -> TargetIn:
        if self.comparator is Comparator.APPROX and self.tolerance is None:
            raise ValueError("comparator 'approx' needs a tolerance")
        # A relative target is judged against the reference series alone, and only it reads one: a value
        # on the one or a reference on the other would be stored and silently ignored.
        if self.kind is TargetKind.RELATIVE:
            if self.reference_indicator is None:
                raise ValueError("a relative target needs reference_indicator")
            if self.value is not None:
                raise ValueError(
                    "a relative target has no value of its own (it is compared with the reference)"
                )
        elif self.value is None:
            raise ValueError(f"a {self.kind.value} target needs a value")
        elif self.reference_indicator is not None:
            raise ValueError("only a relative target takes a reference_indicator")
        if self.kind is TargetKind.BOOLEAN and self.value not in {Decimal(0), Decimal(1)}:
            raise ValueError("a boolean target's value is 1 (reached) or 0")
        return self

    def chosen_projection(self) -> Projection:
        return self.projection or DEFAULT_PROJECTION[self.kind]


class TargetPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comparator: Annotated[Comparator | None, NotNull()] = None
    value: Decimal | None = None
    tolerance: Decimal | None = Field(default=None, ge=0)
    baseline: Decimal | None = None
    baseline_year: int | None = Field(default=None, ge=1900, le=2199)
    projection: Annotated[Projection | None, NotNull()] = None
    source_text: Annotated[str | None, Field(min_length=1, max_length=5000), NotNull()] = None
    notes: str | None = Field(default=None, max_length=5000)


class TargetOut(BaseModel):
    id: int
    plan: str
    indicator: str
    org_unit: str
    kind: str
    comparator: str
    value: float | None
    tolerance: float | None
    baseline: float | None
    baseline_year: int | None
    reference_indicator: str | None
    projection: str
    source_text: str
    notes: str | None
    version: int
