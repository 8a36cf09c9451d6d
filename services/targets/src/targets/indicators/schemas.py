from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.patch import NotNull
from shared.text import CodeRef
from targets.indicators.models import Aggregation, Area, Direction, ValueType
from targets.periods import PeriodType

Code = Field(
    min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", examples=["ECO_INCOME_PC"]
)


class IndicatorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Code
    name: str = Field(min_length=1, max_length=1000, description="Vietnamese name")
    name_en: str | None = Field(default=None, max_length=1000)
    area: Area
    unit: str = Field(min_length=1, max_length=100, examples=["triệu đồng/người/năm"])
    value_type: ValueType
    aggregation: Aggregation
    direction: Direction = Direction.HIGHER_IS_BETTER
    decimals: int = Field(default=1, ge=0, le=6)
    period_type: PeriodType = PeriodType.YEARLY
    parent: CodeRef | None = Field(
        default=None, description="Code of the indicator this is an 'of which' part of"
    )
    weight_indicator: CodeRef | None = Field(default=None, description="For weighted aggregation: the weight")
    description: str | None = Field(default=None, max_length=5000)

    @model_validator(mode="after")
    def _weight(self) -> IndicatorIn:
        if (self.aggregation is Aggregation.WEIGHTED) != (self.weight_indicator is not None):
            raise ValueError("weight_indicator is required with aggregation 'weighted', and only then")
        if self.value_type is ValueType.BOOLEAN and self.aggregation not in {Aggregation.NONE}:
            raise ValueError("booleans are not aggregated: use aggregation 'none'")
        return self


class IndicatorPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str | None, Field(min_length=1, max_length=1000), NotNull()] = None
    name_en: str | None = Field(default=None, max_length=1000)
    area: Annotated[Area | None, NotNull()] = None
    unit: Annotated[str | None, Field(min_length=1, max_length=100), NotNull()] = None
    direction: Annotated[Direction | None, NotNull()] = None
    decimals: Annotated[int | None, Field(ge=0, le=6), NotNull()] = None
    description: str | None = Field(default=None, max_length=5000)


class IndicatorOut(BaseModel):
    code: str
    name: str
    name_en: str | None
    area: str
    unit: str
    value_type: str
    aggregation: str
    direction: str
    decimals: int
    period_type: str
    parent: str | None
    weight_indicator: str | None
    description: str | None
    version: int
