from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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

    name: str | None = Field(default=None, min_length=1, max_length=1000)
    name_en: str | None = Field(default=None, max_length=1000)
    area: Area | None = None
    unit: str | None = Field(default=None, min_length=1, max_length=100)
    direction: Direction | None = None
    decimals: int | None = Field(default=None, ge=0, le=6)
    description: str | None = Field(default=None, max_length=5000)

    # These columns are NOT NULL: leaving them out keeps them, an explicit null is a client error (it used to
    # reach the database and answer 500).
    @field_validator("name", "area", "unit", "direction", "decimals")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out, but not null")
        return value


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
