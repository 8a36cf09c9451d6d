from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from nominations.catalogue.models import Occasion, RecipientKind
from shared.bounds import Day, RowIdField
from shared.text import KeyRef

Code = Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$")


class NomineeGroup(StrEnum):
    """The groups the plan asks commendation to reach (Kế hoạch thi đua 2021-2025, IV.4): what the fairness
    report counts. Personal data, read with the dossier and never published."""

    WORKER = "worker"  # công nhân
    FARMER = "farmer"  # nông dân
    DIRECT_LABOURER = "direct_labourer"  # người lao động trực tiếp
    SMALL_COLLECTIVE = "small_collective"  # tập thể nhỏ
    WOMAN = "woman"  # phụ nữ (a collective: with 70 % women or more)
    ETHNIC_MINORITY = "ethnic_minority"  # người dân tộc thiểu số
    REMOTE_AREA = "remote_area"  # cơ sở vùng sâu, vùng xa
    BORDER_AREA = "border_area"  # vùng biên giới


class Nominee(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: RecipientKind
    name: str = Field(min_length=1, max_length=300, examples=["Nguyễn Thị Hà"])
    key: str = Field(
        min_length=1,
        max_length=100,
        description="Province-wide identity (e.g. personnel number) linking the award history; never public.",
    )
    position: str | None = Field(default=None, max_length=300, examples=["Giáo viên Trường THCS Thạch Hà"])
    org_unit: str = Code
    groups: list[NomineeGroup] = Field(
        default_factory=list,
        max_length=len(NomineeGroup),
        description="The plan's priority groups the nominee belongs to (the fairness report's counts)",
    )

    @model_validator(mode="after")
    def _distinct_groups(self) -> Nominee:
        if len(set(self.groups)) != len(self.groups):
            raise ValueError("each group at most once")
        return self


class InitiativeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=500)
    scope: Literal["grassroots", "provincial", "national"]
    year: int = Field(ge=1945, le=2100)
    recognised_by: str | None = Field(default=None, max_length=300, description="The recognising decision")


class MembersIn(BaseModel):
    """A collective's members in the round's year, as the unit declares them."""

    model_config = ConfigDict(extra="forbid")

    headcount: int = Field(ge=1, le=1_000_000)
    titles: dict[str, int] = Field(
        default_factory=dict, max_length=50, description="Award type code → members holding it this year"
    )
    completed_duties: bool | None = None

    @model_validator(mode="after")
    def _counts(self) -> MembersIn:
        for code, count in self.titles.items():
            if not 0 <= count <= self.headcount or len(code) > 50:
                raise ValueError(f"titles[{code!r}] must be between 0 and the headcount")
        return self


class NominationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    round_id: RowIdField
    award_type_code: str = Code
    occasion: Occasion | None = Field(default=None, description="Default: the round's kind")
    nominee: Nominee
    nominating_org_unit: str | None = Field(
        default=None, min_length=1, max_length=50, description="Default: the caller's org unit"
    )
    achievements: str = Field(min_length=1, max_length=20_000, description="Tóm tắt thành tích")
    achievement_keys: list[KeyRef] = Field(
        default_factory=list,
        max_length=50,
        description="Identifiers of the achievements rewarded (one achievement, one award)",
    )
    initiatives: list[InitiativeIn] = Field(default_factory=list, max_length=50)
    members: MembersIn | None = None
    open_discipline: bool | None = Field(
        default=None, description="Under discipline, investigation or an unresolved complaint (null: unknown)"
    )
    unit_headcount: int | None = Field(default=None, ge=1, le=1_000_000)


class NominationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nominee: Nominee | None = None
    achievements: str | None = Field(default=None, min_length=1, max_length=20_000)
    achievement_keys: list[KeyRef] | None = Field(default=None, max_length=50)
    initiatives: list[InitiativeIn] | None = Field(default=None, max_length=50)
    members: MembersIn | None = None
    open_discipline: bool | None = None
    unit_headcount: int | None = Field(default=None, ge=1, le=1_000_000)


class Forwarding(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Literal["prime_minister", "president"]
    document_number: str = Field(min_length=1, max_length=100, examples=["456/TTr-UBND"])
    sent_on: Day


class Override(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: str = Field(min_length=1, max_length=40, description="The rule kind whose verdict is overridden")


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(
        default=None, max_length=5000, description="Required to return, reject, override"
    )
    override: Override | None = None
    forwarding: Forwarding | None = None


class VerdictOut(BaseModel):
    kind: str
    status: str = Field(description="passed, failed or unknown")
    reason: str = Field(description="Why, in English (logs, integrations)")
    reason_vi: str | None = Field(
        default=None,
        description="Why, in Vietnamese, for the people who read the dossier (none in snapshots before it)",
    )
    description: str
    legal_source: str
    overridden: bool = False


class EligibilityOut(BaseModel):
    nomination_id: int
    award_type: str
    judged_on: dt.date = Field(description="The nomination's catalogue date: the rules in force then apply")
    overall: str
    verdicts: list[VerdictOut]
    overrides: list[dict[str, Any]]
    warnings: list[str] = Field(default_factory=list, description="For the screener, e.g. a doubtful key")


class EventOut(BaseModel):
    id: int
    action: str
    from_status: str | None
    to_status: str
    actor: str
    actor_roles: list[str]
    note: str | None
    details: dict[str, Any] | None
    occurred_at: dt.datetime


class NominationOut(BaseModel):
    id: int
    round_id: int
    award_type_code: str
    award_name: str = Field(description="The award type's name in the catalogue judging the nomination")
    catalogue_date: dt.date = Field(
        description="The date whose catalogue (version, rules, quotas, threshold, bonus) judges it:"
        " the round's reference date, or the start of a legal regime its dossier was sent under (Nghị định"
        " 152/2025/NĐ-CP, Điều 60 khoản 3); fixed when it is first submitted"
    )
    occasion: str
    nominee: Nominee
    nominating_org_unit: str
    nominating_org_unit_name: str
    achievements: str
    achievement_keys: list[str]
    initiatives: list[dict[str, Any]]
    members: dict[str, Any] | None
    open_discipline: bool | None
    unit_headcount: int | None
    status: str
    outcome: str | None
    eligibility: dict[str, Any] | None
    overrides: list[dict[str, Any]]
    council_result: dict[str, Any] | None
    disclosure_from: dt.date | None
    disclosure_until: dt.date | None
    open_objections: int = Field(description="Objections filed during disclosure and not yet resolved")
    forwarding: dict[str, Any] | None
    decision_id: int | None
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    allowed_actions: list[str] = Field(description="What the caller may do now (POST …/actions/{action})")


class NominationSummary(BaseModel):
    id: int
    round_id: int
    award_type_code: str
    nominee_name: str
    nominee_kind: str
    nominating_org_unit: str
    status: str
    outcome: str | None
    submitted_at: dt.datetime | None
    updated_at: dt.datetime
