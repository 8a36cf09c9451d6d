from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.bounds import Day
from shared.patch import NotNull
from shared.text import CodeRef
from targets.org_units.models import OrgUnitType, RestructuringKind

Code = Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", examples=["HT-HSO"])
OFFICIAL_CODE_HELP = (
    "The official administrative code (mã đơn vị hành chính: 2 digits for a province, 3 for a district, 5"
    " for a commune or ward). Not unique over time: the lists give an ended unit's code to a new one."
)
OfficialCode = Field(
    default=None,
    max_length=5,
    pattern=r"^([0-9]{2}|[0-9]{3}|[0-9]{5})$",
    description=OFFICIAL_CODE_HELP,
    examples=["18196"],
)


class OrgUnitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Code
    official_code: str | None = OfficialCode
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    type: OrgUnitType
    valid_from: Day
    valid_to: Day | None = None
    parent: CodeRef | None = Field(default=None, description="Code of the parent from valid_from on")
    remote: bool = False
    border: bool = False
    mountainous: bool = False
    notes: str | None = Field(default=None, max_length=5000)

    @model_validator(mode="after")
    def _interval(self) -> OrgUnitIn:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to must not be before valid_from")
        return self


class OrgUnitPatch(BaseModel):
    """Fields to change; a new parent takes effect on ``parent_from`` (the old link ends the day before)."""

    model_config = ConfigDict(extra="forbid")

    official_code: str | None = OfficialCode
    name: Annotated[str | None, Field(min_length=1, max_length=200), NotNull()] = None
    name_en: str | None = Field(default=None, max_length=200)
    type: Annotated[OrgUnitType | None, NotNull()] = None
    valid_to: Day | None = None
    remote: Annotated[bool | None, NotNull()] = None
    border: Annotated[bool | None, NotNull()] = None
    mountainous: Annotated[bool | None, NotNull()] = None
    notes: str | None = Field(default=None, max_length=5000)
    parent: CodeRef | None = None
    parent_from: Day | None = None

    @model_validator(mode="after")
    def _parent_needs_date(self) -> OrgUnitPatch:
        if (self.parent is None) != (self.parent_from is None):
            raise ValueError("parent and parent_from go together")
        return self


class ParentLinkOut(BaseModel):
    parent: str
    valid_from: dt.date
    valid_to: dt.date | None


class SuccessionOut(BaseModel):
    kind: str
    effective_date: dt.date
    predecessor: str
    successor: str
    legal_source: str | None


class OrgUnitOut(BaseModel):
    code: str
    official_code: str | None = Field(description=OFFICIAL_CODE_HELP)
    name: str
    name_en: str | None
    type: str
    level: int | None = Field(
        description="1 for the province, 2 below it … on the date asked (null if absent)"
    )
    parent: str | None = Field(description="The parent on the date asked")
    valid_from: dt.date
    valid_to: dt.date | None
    remote: bool
    border: bool
    mountainous: bool
    notes: str | None


class OrgUnitDetail(OrgUnitOut):
    parents: list[ParentLinkOut]
    predecessors: list[SuccessionOut]
    successors: list[SuccessionOut]
    version: int


class RestructuringIn(BaseModel):
    """A merger, split, rename or dissolution decided by law, effective on ``effective_date``."""

    model_config = ConfigDict(extra="forbid")

    kind: RestructuringKind
    effective_date: Day
    predecessors: list[CodeRef] = Field(min_length=1, max_length=500)
    successors: list[CodeRef] = Field(default_factory=list, max_length=500)
    legal_source: str = Field(min_length=1, max_length=2000)
    notes: str | None = Field(default=None, max_length=5000)
    move_children_to: CodeRef | None = Field(
        default=None,
        description="Where the units below the ended predecessors go on effective_date. Default for a"
        " merge or a rename: the successor. Required for a split or a dissolution when there are such units"
        " (e.g. the communes move up to the province when the district tier ends).",
    )

    @model_validator(mode="after")
    def _successors(self) -> RestructuringIn:
        # A code listed twice would store the same succession twice (a primary-key violation, i.e. a 500).
        for name, codes in (("predecessors", self.predecessors), ("successors", self.successors)):
            if len(set(codes)) != len(codes):
                raise ValueError(f"{name} lists a code more than once")
        if self.kind is not RestructuringKind.DISSOLUTION and not self.successors:
            raise ValueError(f"a {self.kind.value} needs at least one successor")
        if self.kind is RestructuringKind.MERGE and len(self.successors) != 1:
            raise ValueError("a merge has exactly one successor")
        if self.kind is RestructuringKind.RENAME and (len(self.predecessors), len(self.successors)) != (1, 1):
            raise ValueError("a rename has exactly one predecessor and one successor")
        return self


class RestructuringOut(BaseModel):
    id: int
    kind: str
    effective_date: dt.date
    predecessors: list[str]
    successors: list[str]
    ended: list[str] = Field(description="Units whose last day was the day before effective_date")
    moved_children: list[str] = Field(description="Units re-parented to the successor")
    legal_source: str | None
    notes: str | None
