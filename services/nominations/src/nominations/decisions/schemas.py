from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from nominations.catalogue.models import Authority
from shared.bounds import Day, RowIdField

MAX_NOMINATIONS = 5000


class DecisionIn(BaseModel):
    """A decision as signed (quyết định khen thưởng): the authority's act, recorded with what it awards."""

    model_config = ConfigDict(extra="forbid")

    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        examples=["1234/QĐ-UBND"], description="The decision's number, unique"
    )
    signed_on: Day
    signer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)] = Field(
        examples=["Võ Trọng Hải"]
    )
    signer_title: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)] | None
    ) = Field(default=None, examples=["Chủ tịch UBND tỉnh"])
    authority: Authority = Field(
        description="Who decided; must be the deciding authority of every award type"
    )
    nomination_ids: list[RowIdField] = Field(min_length=1, max_length=MAX_NOMINATIONS)
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] | None = None

    @field_validator("nomination_ids")
    @classmethod
    def _distinct(cls, ids: list[int]) -> list[int]:
        repeated = sorted(i for i, count in Counter(ids).items() if count > 1)
        if repeated:
            raise ValueError(f"each nomination once; repeated: {', '.join(map(str, repeated[:20]))}")
        return ids


class DecidedAward(BaseModel):
    """An award the decision made: who, what, and the cash bonus."""

    id: int
    nomination_id: int | None
    recipient_name: str
    recipient_kind: str
    org_unit: str
    org_unit_name: str
    award_type_code: str
    award_name: str
    year: int
    bonus_coefficient: float | None
    base_salary_vnd: int | None
    bonus_vnd: int | None = Field(description="coefficient × base salary, rounded up to 10,000 VND")


class DecisionSummary(BaseModel):
    id: int
    number: str
    signed_on: dt.date
    signer: str
    signer_title: str | None
    authority: str
    note: str | None
    issued_by: str
    created_at: dt.datetime
    award_count: int
    bonus_total_vnd: int


class DecisionOut(DecisionSummary):
    awards: list[DecidedAward]
