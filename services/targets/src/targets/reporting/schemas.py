from __future__ import annotations

from pydantic import BaseModel, Field


class ObligationOut(BaseModel):
    """An org unit that must report an indicator for a period, and whether a result is there."""

    indicator: str = Field(examples=["GRDP_GROWTH"])
    indicator_name: str
    org_unit: str = Field(examples=["HT-HSO"])
    period: str = Field(description="The DHIS2 period, e.g. 2026Q4", examples=["2026Q4"])
    period_type: str = Field(examples=["Quarterly"])
    reported: bool = Field(description="A result exists for this indicator, org unit and period")
