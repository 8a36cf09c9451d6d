from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, SmallInteger, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from targets.database import Base


class ValueType(StrEnum):
    NUMBER = "number"
    PERCENT = "percent"
    BOOLEAN = "boolean"
    COUNT = "count"


class Aggregation(StrEnum):
    """How the values of the units below make up a parent's value."""

    SUM = "sum"
    MEAN = "mean"
    WEIGHTED = "weighted"  # mean weighted by another indicator (e.g. population)
    NONE = "none"  # only values posted for the unit itself count


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"


class Area(StrEnum):
    ECONOMY = "economy"
    CULTURE_SOCIETY = "culture_society"
    ENVIRONMENT = "environment"
    DEFENCE_SECURITY = "defence_security"
    OTHER = "other"


class Indicator(Base):
    """What is measured (chỉ tiêu), e.g. per-capita income in million VND per year."""

    __tablename__ = "indicators"
    __table_args__ = (
        CheckConstraint("decimals BETWEEN 0 AND 6", name="decimals_range"),
        CheckConstraint(
            "aggregation <> 'weighted' OR weight_indicator_id IS NOT NULL", name="weighted_needs_weight"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    area: Mapped[str] = mapped_column(String(30))
    unit: Mapped[str] = mapped_column(String(100))
    value_type: Mapped[str] = mapped_column(String(20))
    aggregation: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(10))
    decimals: Mapped[int] = mapped_column(SmallInteger, default=1)
    period_type: Mapped[str] = mapped_column(String(20), default="Yearly")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"))
    weight_indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"))
    description: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
