from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from targets.database import Base


class TargetKind(StrEnum):
    END_OF_PERIOD = "end_of_period"  # the value in the plan's last year
    ANNUAL = "annual"  # every year of the plan
    PERIOD_AVERAGE = "period_average"  # the average over the plan's years
    CUMULATIVE = "cumulative"  # the sum over the plan's years
    BOOLEAN = "boolean"  # a yes/no state reached by the end
    RELATIVE = "relative"  # compared with another series (e.g. the region's average)


class Comparator(StrEnum):
    GT = "gt"  # "trên"
    GTE = "gte"  # "từ … trở lên", "tối thiểu", a bare figure
    EQ = "eq"
    APPROX = "approx"  # "khoảng", within a tolerance
    LTE = "lte"
    LT = "lt"


class Projection(StrEnum):
    LINEAR = "linear"
    COMPOUND = "compound"
    MEAN = "mean"
    RUNNING_SUM = "running_sum"
    SHARE_OF_YEARS = "share_of_years"
    LATEST = "latest"


class Plan(Base):
    """A plan whose targets the movement serves, e.g. HT-2021-2025."""

    __tablename__ = "plans"
    __table_args__ = (CheckConstraint("end_date > start_date", name="period_order"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(Text)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
    at_risk_margin: Mapped[Decimal] = mapped_column(Numeric(4, 3), default=Decimal("0.1"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Target(Base):
    """A goal: indicator × org unit × plan, with how it is judged and the plan's own words."""

    __tablename__ = "targets"
    __table_args__ = (
        UniqueConstraint("plan_id", "indicator_id", "org_unit_id", "kind"),
        CheckConstraint("comparator <> 'approx' OR tolerance IS NOT NULL", name="approx_needs_tolerance"),
        CheckConstraint(
            "kind <> 'relative' OR reference_indicator_id IS NOT NULL", name="relative_needs_ref"
        ),
        CheckConstraint("kind = 'relative' OR value IS NOT NULL", name="value_required"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    comparator: Mapped[str] = mapped_column(String(10))
    value: Mapped[Decimal | None] = mapped_column(Numeric)
    tolerance: Mapped[Decimal | None] = mapped_column(Numeric)
    baseline: Mapped[Decimal | None] = mapped_column(Numeric)
    baseline_year: Mapped[int | None]
    reference_indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"))
    projection: Mapped[str] = mapped_column(String(20))
    source_text: Mapped[str] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
