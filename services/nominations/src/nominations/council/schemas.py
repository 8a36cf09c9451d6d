"""Council sessions and ballots as the API reads and writes them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.bounds import Day, RowIdField

MAX_MEMBERS = 200
MIN_MEMBERS = 3
MAX_AGENDA = 5000

NominationId = RowIdField


class Choice(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    ABSTAIN = "abstain"


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=200, description="The member's token subject")
    name: str = Field(min_length=1, max_length=300, examples=["Trần Văn Bình"])


class CouncilSessionIn(BaseModel):
    """A sitting of the council (Hội đồng Thi đua - Khen thưởng) with its members and agenda."""

    model_config = ConfigDict(extra="forbid")

    round_id: RowIdField
    name: str = Field(min_length=1, max_length=500, examples=["Phiên họp Hội đồng TĐKT tỉnh tháng 1/2025"])
    held_on: Day
    # At least three members, and a quorum of more than half: a tally of one or two ballots would tell
    # everyone in the room how each member voted.
    members: list[MemberIn] = Field(min_length=MIN_MEMBERS, max_length=MAX_MEMBERS)
    quorum: int | None = Field(
        default=None,
        ge=1,
        le=MAX_MEMBERS,
        description="Ballots needed before the session may close; default: two thirds of the members.",
    )
    nomination_ids: list[NominationId] = Field(min_length=1, max_length=MAX_AGENDA)

    @model_validator(mode="after")
    def _consistent(self) -> CouncilSessionIn:
        twice = sorted(s for s, n in Counter(m.subject for m in self.members).items() if n > 1)
        if twice:
            raise ValueError(f"members must have distinct subjects; repeated: {', '.join(twice)}")
        repeated = sorted(i for i, n in Counter(self.nomination_ids).items() if n > 1)
        if repeated:
            raise ValueError(f"nomination_ids must be distinct; repeated: {', '.join(map(str, repeated))}")
        if self.quorum is not None and self.quorum > len(self.members):
            raise ValueError(f"quorum {self.quorum} is more than the {len(self.members)} members")
        if self.quorum is not None and self.quorum <= len(self.members) // 2:
            raise ValueError(f"quorum {self.quorum} is not more than half of the {len(self.members)} members")
        if self.quorum is not None and self.quorum < MIN_MEMBERS:
            raise ValueError(
                f"quorum {self.quorum} is below {MIN_MEMBERS}: two ballots would reveal each other"
            )
        return self


class BallotIn(BaseModel):
    """One member's secret ballot: a choice for every nomination on the agenda, exactly once."""

    model_config = ConfigDict(extra="forbid")

    choices: dict[NominationId, Choice] = Field(
        min_length=1,
        max_length=MAX_AGENDA,
        description='Nomination id → "approve", "reject" or "abstain"; every agenda item, nothing else.',
    )


class BallotOut(BaseModel):
    """The ballot was counted; the choices are not echoed, stored with the member, or logged."""

    session_id: int
    recorded: Literal[True] = True


class CouncilMemberOut(BaseModel):
    subject: str
    name: str
    voted: bool


class TallyOut(BaseModel):
    approve: int
    reject: int
    abstain: int
    base: int = Field(description="The number the threshold is a share of: all members, or ballots cast")
    threshold: float = Field(examples=[0.7], description="The share of the base needed (a JSON number)")
    comparison: Literal["gte", "gt"]
    passed: bool


class AgendaItemOut(BaseModel):
    nomination_id: int
    award_type_code: str
    nominee_name: str
    nominating_org_unit: str
    status: str
    tally: TallyOut | None = Field(description="Hidden (null) while the session is open")


class CouncilSessionSummary(BaseModel):
    id: int
    round_id: int
    name: str
    held_on: dt.date
    status: Literal["open", "closed"]
    quorum: int
    member_count: int
    ballots_cast: int
    agenda_size: int
    opened_at: dt.datetime
    closed_at: dt.datetime | None


class CouncilSessionOut(BaseModel):
    id: int
    round_id: int
    name: str
    held_on: dt.date
    status: Literal["open", "closed"]
    quorum: int
    ballots_cast: int
    members: list[CouncilMemberOut] = Field(description="Who sits, and who has voted (not how)")
    agenda: list[AgendaItemOut]
    opened_by: str
    opened_at: dt.datetime
    closed_by: str | None
    closed_at: dt.datetime | None
    version: int
