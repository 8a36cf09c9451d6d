from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from nominations.catalogue.models import (
    Authority,
    AwardCategory,
    AwardLevel,
    DisclosureStage,
    Occasion,
    RecipientKind,
    VoteBase,
)
from nominations.rules.engine import RULE_KINDS
from shared.bounds import Day

Code = Field(min_length=1, max_length=50, pattern=r"^[A-Z0-9][A-Z0-9_]*$", examples=["CSTD_CAP_TINH"])


class RequiredDocument(BaseModel):
    code: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=500)


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(
        max_length=50, description="One of the engine's checks, e.g. consecutive_titles, member_share, quota"
    )
    params: dict[str, Any] = Field(default_factory=dict)
    description: str = Field(min_length=1, max_length=2000, description="The rule in the law's words")
    legal_source: str = Field(min_length=1, max_length=2000)

    @field_validator("kind")
    @classmethod
    def _known(cls, kind: str) -> str:
        if kind not in RULE_KINDS:
            raise ValueError(f"unknown rule kind {kind!r}; known: {', '.join(sorted(RULE_KINDS))}")
        return kind


class AwardTypeIn(BaseModel):
    """A new version of an award type; the version in force before it ends the day before ``valid_from``."""

    model_config = ConfigDict(extra="forbid")

    code: str = Code
    name: str = Field(min_length=1, max_length=500)
    name_en: str | None = Field(default=None, max_length=500)
    category: AwardCategory
    recipient_kind: RecipientKind
    level: AwardLevel
    deciding_authority: Authority
    occasions: list[Occasion] = Field(min_length=1, max_length=len(Occasion))
    vote_threshold: Decimal = Field(
        gt=0, le=1, decimal_places=3, description="Share of the council needed, e.g. 0.9"
    )
    vote_base: VoteBase
    vote_comparison: str = Field(default="gte", max_length=3, pattern="^(gte|gt)$")
    disclosure_stage: DisclosureStage | None = Field(
        default=None,
        description="When the list is published for comment: before_council (high honours, Nghị định"
        " 98/2023/NĐ-CP Điều 46), after_council, or none; default: none with 0 days, else after_council",
    )
    disclosure_working_days: int = Field(ge=0, le=60)
    disclosure_source: str | None = Field(default=None, max_length=2000)
    bonus_coefficient: Decimal = Field(ge=0, le=100, decimal_places=2)
    bonus_source: str | None = Field(default=None, max_length=2000)
    required_documents: list[RequiredDocument] = Field(default_factory=list, max_length=50)
    legal_source: str = Field(min_length=1, max_length=2000)
    valid_from: Day
    valid_to: Day | None = None
    notes: str | None = Field(default=None, max_length=5000)
    rules: list[RuleIn] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _interval(self) -> AwardTypeIn:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to must not be before valid_from")
        if self.disclosure_stage is None:
            self.disclosure_stage = (
                DisclosureStage.NONE if self.disclosure_working_days == 0 else DisclosureStage.AFTER_COUNCIL
            )
        if (self.disclosure_stage is DisclosureStage.NONE) != (self.disclosure_working_days == 0):
            raise ValueError(
                "disclosure_stage none goes with 0 disclosure_working_days, and a stage with more than 0"
            )
        return self


class RuleOut(BaseModel):
    kind: str
    params: dict[str, Any]
    description: str
    legal_source: str
    valid_from: dt.date
    valid_to: dt.date | None


class QuotaOut(BaseModel):
    issuing_body: str | None
    basis: str
    max_share: float
    legal_source: str
    valid_from: dt.date
    valid_to: dt.date | None


class AwardTypeOut(BaseModel):
    code: str
    name: str
    name_en: str | None
    category: str
    recipient_kind: str
    level: str
    deciding_authority: str
    occasions: list[str]
    vote_threshold: float
    vote_base: str
    vote_comparison: str
    disclosure_stage: str
    disclosure_working_days: int
    disclosure_source: str | None
    bonus_coefficient: float
    bonus_source: str | None
    required_documents: list[RequiredDocument]
    legal_source: str
    valid_from: dt.date
    valid_to: dt.date | None
    notes: str | None
    rules: list[RuleOut]
    quotas: list[QuotaOut]


class AwardTypeDetail(AwardTypeOut):
    versions: list[VersionOut]


class VersionOut(BaseModel):
    valid_from: dt.date
    valid_to: dt.date | None
    legal_source: str


AwardTypeDetail.model_rebuild()


class BaseSalaryIn(BaseModel):
    """A new base salary (mức lương cơ sở) from a date: the one in force before it ends the day before."""

    model_config = ConfigDict(extra="forbid")

    valid_from: Day
    valid_to: Day | None = None
    amount_vnd: int = Field(gt=0, le=1_000_000_000, description="VND per month, e.g. 2340000")
    legal_source: str = Field(min_length=1, max_length=2000, examples=["Nghị định 73/2024/NĐ-CP"])

    @model_validator(mode="after")
    def _interval(self) -> BaseSalaryIn:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to must not be before valid_from")
        return self


class BaseSalaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    valid_from: dt.date
    valid_to: dt.date | None
    amount_vnd: int
    legal_source: str


class AuthoritySuccessionOut(BaseModel):
    """From ``valid_from``, ``successor`` signs the decisions still pending of ``authority``'s forms."""

    model_config = ConfigDict(from_attributes=True)

    authority: str
    successor: str
    valid_from: dt.date
    legal_source: str
    notes: str | None


class RegimeChangeOut(BaseModel):
    """A new legal regime from ``starts_on``: a dossier sent before it is judged by the regime before."""

    model_config = ConfigDict(from_attributes=True)

    starts_on: dt.date
    name: str
    legal_source: str
