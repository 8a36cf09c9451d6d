"""Emulation blocks (khối thi đua) of a year: their member units, a leader and a deputy that rotate, each
member's pledge, the score sheet (a tree of criteria), the scores by stage, and the flag proposals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nominations.database import Base


class BlockStatus(StrEnum):
    OPEN = "open"  # pledges and scoring
    ADOPTED = "adopted"  # the block met and adopted its scores and ranking


class ScoreStage(StrEnum):
    SELF = "self"  # the unit's own score (tự chấm)
    CHECKED = "checked"  # the leader's cross-check (khối trưởng chấm chéo; the deputy for the leader)
    AUTO = "auto"  # from the unit's target achievement, read from the targets service


class Block(Base):
    __tablename__ = "blocks"
    __table_args__ = (
        UniqueConstraint("code", "year", name="uq_blocks_code_year"),
        CheckConstraint("leader_org_unit <> deputy_org_unit", name="leader_not_deputy"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(50))
    year: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    # The org units of this day are the block's members and judge every scope check of its year.
    reference_date: Mapped[dt.date] = mapped_column(Date)
    leader_org_unit: Mapped[str] = mapped_column(String(50))
    deputy_org_unit: Mapped[str] = mapped_column(String(50))
    pledge_deadline: Mapped[dt.date] = mapped_column(Date)
    # Criteria codes whose subtotals break ties, in order (as the score sheet says); a tie left is shared.
    tie_breaks: Mapped[list[str]] = mapped_column(ARRAY(String(20)), default=list)
    status: Mapped[str] = mapped_column(String(20))
    adopted_on: Mapped[dt.date | None] = mapped_column(Date)
    adopted_ranking: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class BlockMember(Base):
    __tablename__ = "block_members"

    block_id: Mapped[int] = mapped_column(ForeignKey("blocks.id", ondelete="CASCADE"), primary_key=True)
    org_unit: Mapped[str] = mapped_column(String(50), primary_key=True)
    org_unit_name: Mapped[str] = mapped_column(Text)
    # The order of rotation: next year's deputy is the member after this year's deputy.
    position: Mapped[int] = mapped_column(SmallInteger)


class Criterion(Base):
    """A line of the score sheet; a leaf is scored, a parent totals its children up to its maximum."""

    __tablename__ = "block_criteria"
    __table_args__ = (CheckConstraint("max_points > 0", name="max_points_positive"),)

    block_id: Mapped[int] = mapped_column(ForeignKey("blocks.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    max_points: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    position: Mapped[int] = mapped_column(SmallInteger)
    # Scored from the unit's achievement of its target for this indicator of this plan (targets service).
    auto_plan: Mapped[str | None] = mapped_column(String(50))
    auto_indicator: Mapped[str | None] = mapped_column(String(50))


class Pledge(Base):
    """A member's yearly pledge (đăng ký giao ước thi đua)."""

    __tablename__ = "block_pledges"
    __table_args__ = (UniqueConstraint("block_id", "org_unit", name="uq_block_pledges_unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    block_id: Mapped[int] = mapped_column(ForeignKey("blocks.id", ondelete="CASCADE"))
    org_unit: Mapped[str] = mapped_column(String(50))
    commitments: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    pledged_by: Mapped[str] = mapped_column(String(200))
    pledged_on: Mapped[dt.date] = mapped_column(Date)


class Score(Base):
    __tablename__ = "block_scores"
    __table_args__ = (CheckConstraint("points >= 0", name="points_not_negative"),)

    block_id: Mapped[int] = mapped_column(ForeignKey("blocks.id", ondelete="CASCADE"), primary_key=True)
    org_unit: Mapped[str] = mapped_column(String(50), primary_key=True)
    criterion_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    stage: Mapped[str] = mapped_column(String(20), primary_key=True)
    points: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    note: Mapped[str | None] = mapped_column(Text)
    scored_by: Mapped[str] = mapped_column(String(200))
    scored_on: Mapped[dt.date] = mapped_column(Date)


class FlagNomination(Base):
    """A leading unit proposed for the province's Cờ thi đua, as a nomination of the award workflow."""

    __tablename__ = "block_flag_nominations"

    block_id: Mapped[int] = mapped_column(ForeignKey("blocks.id", ondelete="CASCADE"), primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), primary_key=True, unique=True)
    org_unit: Mapped[str] = mapped_column(String(50))
