from __future__ import annotations

from pydantic import BaseModel, Field


class GroupShare(BaseModel):
    """One priority group: its nominations and awards, and how its share of awards compares with its share
    of nominations (below 1: the group is awarded less often than it is nominated)."""

    group: str = Field(examples=["farmer"])
    label: str = Field(examples=["Nông dân"])
    nominations: int
    awards: int
    nomination_share: float | None = Field(
        description="Of every nomination in scope, the share of this group"
    )
    award_share: float | None = Field(description="Of every award in scope, the share of this group")
    award_rate: float | None = Field(description="Awards per nomination of the group")
    representation: float | None = Field(description="award_share / nomination_share")


class UnitFairness(BaseModel):
    org_unit: str
    nominations: int
    awards: int
    groups: dict[str, list[int]] = Field(description="group → [nominations, awards]")


class FairnessReport(BaseModel):
    year: int
    org_unit: str
    nominations: int = Field(description="Nominations sent (not drafts or withdrawn) in the year's rounds")
    awards: int = Field(description="Of them, those decided with an award")
    decided: int
    groups: list[GroupShare]
    units: list[UnitFairness] = Field(description="By nominating unit, within the scope")
