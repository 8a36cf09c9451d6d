from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class PublicDisclosure(BaseModel):
    """A nomination as the public sees it while it is disclosed: what it is for and who is proposed.

    Never the nominee's key, contacts, internal notes, eligibility verdicts or the council's result.
    """

    model_config = ConfigDict(from_attributes=True)

    id: int
    round_id: int
    award_type_code: str
    award_name: str | None = Field(description="The award type's name in force on the round's date")
    nominee_name: str
    nominee_kind: str
    nominee_position: str | None
    nominating_org_unit_name: str
    achievements: str
    disclosure_from: dt.date | None
    disclosure_until: dt.date | None = Field(description="The last day objections are taken")
    open_objections: int
    stage: Literal["before_council", "after_council"] = Field(
        description="before_council: the council has not considered it yet (high honours, Nghị định"
        " 98/2023/NĐ-CP Điều 46; 152/2025 Điều 44); after_council: the council passed it"
    )


ObjectionText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=5000)]


class ObjectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: ObjectionText = Field(description="What is objected to, and why (10 to 5,000 characters)")
    contact: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = Field(
        default=None,
        description="How the secretariat may reach you (optional); never shown publicly",
    )


class ObjectionReceipt(BaseModel):
    id: int
    status: Literal["open"]


class ObjectionOut(BaseModel):
    """An objection as the secretariat handles it, with the objector's contact."""

    id: int
    nomination_id: int
    text: str
    contact: str | None
    status: str = Field(description="open, upheld or dismissed")
    resolution: str | None
    resolved_by: str | None
    resolved_at: dt.datetime | None
    created_at: dt.datetime


class ResolutionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["upheld", "dismissed"] = Field(
        description="upheld: the objection is founded and the nomination is rejected; dismissed: it is not"
    )
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)] = Field(
        description="The secretariat's finding, kept with the objection and in the audit trail"
    )
