from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class IndicatorRef(BaseModel):
    code: str
    name: str
    unit: str
    value_type: str
    area: str = Field(description="The plan's area: economy, culture_society, environment, defence_security")


class Coverage(BaseModel):
    """For a rolled-up value: how many of the units below reported."""

    reported: int
    expected: int


class ProjectionOut(BaseModel):
    method: str
    year: int
    period: str = Field(
        description="The plan's last period of the indicator's type, which the projection reads: 2025, 202512"
    )
    value: float | None = Field(description="The measure projected to the plan's last year.")
    meets_target: bool | None
    required_per_remaining_year: float | None = Field(
        default=None,
        description="For averages and sums: what each remaining year must bring to meet the target.",
    )


class SeriesPoint(BaseModel):
    period: str
    value: float
    source: str = Field(
        description="posted: reported for this unit; aggregated: rolled up from the units below"
    )


class ProgressRow(BaseModel):
    target_id: int
    indicator: IndicatorRef
    org_unit: str
    inherited_from: str | None = Field(
        description="Set when the target belongs to a unit above and is judged on this unit's values."
    )
    kind: str
    comparator: str
    target_value: float | None
    tolerance: float | None
    reference_indicator: str | None
    source_text: str
    period_type: str = Field(
        examples=["Yearly"],
        description="The indicator's period type: the series, the latest period and the projection are in it",
    )
    status: str = Field(
        examples=["on_track"], description="achieved, on_track, at_risk, off_track or no_data"
    )
    latest_value: float | None
    latest_period: str | None
    latest_source: str | None
    latest_note: str | None = Field(
        default=None,
        description="The note posted with the latest value, when it is meant for the reader: a DHIS2 comment"
        " beginning 'Nguồn:' or 'Nguồn số liệu:' (its source) or 'Số liệu minh họa' (made up), at most 500"
        " characters; any other comment stays with the signed-in readers of /v1/data-values. None for a"
        " rolled-up value, and in downloads",
    )
    coverage: Coverage | None
    measure: float | None = Field(
        description="The figure judged: latest value, average, sum, share of years met"
    )
    measure_kind: str
    percent: float | None = Field(description="The measure as a percent of the target")
    projection: ProjectionOut
    years_met: int | None
    years_observed: int | None
    reference_value: float | None
    series: list[SeriesPoint]


class ProgressReport(BaseModel):
    plan: str
    org_unit: str
    at: dt.date
    summary: dict[str, int] = Field(description="Number of targets per status")
    items: list[ProgressRow]


class PeriodProgress(BaseModel):
    """The target as judged at the end of one period, on the values of that period and the ones before."""

    period: str = Field(examples=["2024Q3"])
    value: float | None = Field(description="The period's value (posted or rolled up); none if missing")
    source: str | None
    status: str
    measure: float | None
    percent: float | None
    projection: float | None = Field(description="The projection to the plan's last period, as of this one")
    meets_target: bool | None


class TargetProgressSeries(BaseModel):
    """One target for one org unit, period by period: its progress and projection as each period ended."""

    target_id: int
    indicator: IndicatorRef
    org_unit: str
    inherited_from: str | None
    plan: str
    at: dt.date
    period_type: str
    kind: str
    comparator: str
    target_value: float | None
    projection_method: str
    projection_period: str
    items: list[PeriodProgress] = Field(
        description="Every period of the plan ended by `at`, in order, including those without a value"
    )
