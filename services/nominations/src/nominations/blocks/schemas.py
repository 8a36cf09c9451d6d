from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from nominations.blocks.models import ScoreStage
from shared.bounds import Day
from shared.text import CodeRef

CriterionCode = Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_.-]+$", examples=["1.2"])
Points = Field(ge=0, le=10_000, max_digits=8, decimal_places=2)
TARGETS_CODE = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
MAX_MEMBERS = 100
MAX_CRITERIA = 200


class AutoScoreIn(BaseModel):
    """Score the criterion from the member's achievement of its target for this indicator of this plan:
    the maximum × the achievement percent (capped at 100 %), as the targets service reports it."""

    model_config = ConfigDict(extra="forbid")

    # The targets service's codes: a letter or digit, then letters, digits, "_", "." or "-" (never "/").
    plan: str = Field(min_length=1, max_length=50, pattern=TARGETS_CODE, examples=["HT-2021-2025"])
    indicator: str = Field(
        min_length=1, max_length=50, pattern=TARGETS_CODE, examples=["ECO_NEW_ENTERPRISES"]
    )


class CriterionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = CriterionCode
    parent: str | None = Field(default=None, min_length=1, max_length=20)
    title: str = Field(min_length=1, max_length=1000)
    max_points: Decimal = Field(gt=0, le=10_000, max_digits=8, decimal_places=2)
    auto: AutoScoreIn | None = None


def check_sheet(criteria: list[CriterionIn], tie_breaks: list[str]) -> None:
    """A tree: codes distinct, parents listed before their children, children's maxima within their
    parent's, automatic criteria only on leaves, tie-breaks naming criteria."""
    seen: dict[str, CriterionIn] = {}
    for criterion in criteria:
        if criterion.code in seen:
            raise ValueError(f"criterion {criterion.code} is listed twice")
        if criterion.parent is not None:
            parent = seen.get(criterion.parent)
            if parent is None:
                raise ValueError(
                    f"criterion {criterion.code}: its parent {criterion.parent} is not listed before it"
                )
            if parent.auto is not None:
                raise ValueError(f"criterion {parent.code} is scored automatically: it cannot have children")
            if criterion.max_points > parent.max_points:
                raise ValueError(f"criterion {criterion.code} is worth more than its parent {parent.code}")
        seen[criterion.code] = criterion
    for code in tie_breaks:
        if code not in seen:
            raise ValueError(f"tie-break {code} is not a criterion of the sheet")
    if len(set(tie_breaks)) != len(tie_breaks):
        raise ValueError("each tie-break criterion at most once")


class BlockIn(BaseModel):
    """A block of a year: its members, leader and deputy (members both), its pledge deadline and sheet."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$", examples=["KHOI-KT"])
    year: int = Field(ge=2000, le=2100)
    name: str = Field(min_length=1, max_length=500, examples=["Khối các sở, ngành kinh tế"])
    description: str | None = Field(default=None, max_length=4000)
    reference_date: Day | None = Field(default=None, description="The members' date (default: 31 December)")
    members: list[CodeRef] = Field(
        min_length=2, max_length=MAX_MEMBERS, description="Org unit codes, in rotation order"
    )
    leader: str | None = Field(default=None, min_length=1, max_length=50)
    deputy: str | None = Field(default=None, min_length=1, max_length=50)
    pledge_deadline: Day
    criteria: list[CriterionIn] = Field(min_length=1, max_length=MAX_CRITERIA)
    tie_breaks: list[CodeRef] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _consistent(self) -> BlockIn:
        if len(set(self.members)) != len(self.members):
            raise ValueError("each member at most once")
        if self.leader is None:
            raise ValueError("a block has a leader (khối trưởng), one of its members")
        if self.deputy is None:
            raise ValueError("a block has a deputy (khối phó), one of its members")
        if self.leader not in self.members or self.deputy not in self.members:
            raise ValueError("the leader and the deputy are members of the block")
        if self.leader == self.deputy:
            raise ValueError("the leader and the deputy are different units")
        if self.reference_date is not None and self.reference_date.year != self.year:
            raise ValueError("the reference date is a day of the block's year")
        check_sheet(self.criteria, self.tie_breaks)
        return self


class BlockPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = Field(default=None, max_length=4000)
    pledge_deadline: Day | None = None
    leader: str | None = Field(default=None, min_length=1, max_length=50)
    deputy: str | None = Field(default=None, min_length=1, max_length=50)


class NextYearIn(BaseModel):
    """Next year's block: the same members and sheet; the deputy becomes the leader, the next member in
    rotation order the deputy."""

    model_config = ConfigDict(extra="forbid")

    pledge_deadline: Day


class BlockMemberOut(BaseModel):
    org_unit: str
    org_unit_name: str
    position: int
    role: str | None = Field(description="leader, deputy or none")


class CriterionOut(BaseModel):
    code: str
    parent: str | None
    title: str
    max_points: float
    auto: AutoScoreIn | None


class BlockSummary(BaseModel):
    id: int
    code: str
    year: int
    name: str
    leader: str
    deputy: str
    pledge_deadline: dt.date
    status: str
    version: int


class BlockOut(BlockSummary):
    description: str | None
    reference_date: dt.date
    members: list[BlockMemberOut]
    criteria: list[CriterionOut]
    tie_breaks: list[str]
    adopted_on: dt.date | None
    flag_nomination_ids: list[int]


class CommitmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000, examples=["Thu hút 5 dự án đầu tư mới"])
    target_id: int | None = Field(
        default=None, ge=1, description="The target of the targets service it serves"
    )
    value: float | None = Field(
        default=None, allow_inf_nan=False, description="The value the unit commits to"
    )

    @model_validator(mode="after")
    def _value_with_target(self) -> CommitmentIn:
        if self.value is not None and self.target_id is None:
            raise ValueError("a committed value names its target (target_id)")
        return self


class PledgeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_unit: str | None = Field(default=None, min_length=1, max_length=50, description="Default: yours")
    commitments: list[CommitmentIn] = Field(min_length=1, max_length=100)


class PledgeOut(BaseModel):
    id: int
    org_unit: str
    commitments: list[CommitmentIn]
    pledged_by: str
    pledged_on: dt.date


class ScoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    criterion: str = CriterionCode
    points: Decimal = Points
    note: str | None = Field(default=None, max_length=2000)


class ScoresIn(BaseModel):
    """Scores of one member at one stage: ``self`` by the member, ``checked`` by the leader (the deputy for
    the leader's own). Each given criterion is written; the others stay as they are."""

    model_config = ConfigDict(extra="forbid")

    org_unit: str | None = Field(default=None, min_length=1, max_length=50, description="Default: yours")
    stage: ScoreStage = ScoreStage.SELF
    scores: list[ScoreIn] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _distinct(self) -> ScoresIn:
        codes = [score.criterion for score in self.scores]
        if len(set(codes)) != len(codes):
            raise ValueError("each criterion at most once")
        if self.stage is ScoreStage.AUTO:
            raise ValueError("automatic scores come from the targets service (actions/auto-score)")
        return self


class ScoreOut(BaseModel):
    org_unit: str
    criterion: str
    stage: str
    points: float
    note: str | None
    scored_by: str
    scored_on: dt.date


class RankedUnit(BaseModel):
    rank: int
    org_unit: str
    org_unit_name: str
    total: float
    subtotals: dict[str, float] = Field(description="Each top-level criterion's adopted points")
    tie_break_values: list[float]
    complete: bool = Field(description="Every scored criterion has a score")
    missing: list[str]


class Ranking(BaseModel):
    block_id: int
    year: int
    adopted: bool
    tie_breaks: list[str]
    items: list[RankedUnit]


class FlagProposalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    round_id: int = Field(ge=1, le=2_147_483_647)
    award_type_code: str = Field(default="CO_THI_DUA_TINH", min_length=1, max_length=50)
    achievements: str | None = Field(default=None, min_length=1, max_length=20_000)
