"""Emulation movements (phong trào thi đua) of a plan: their linked targets, review milestones, the units
registered for them and what those units report."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nominations.database import Base


class MovementArea(StrEnum):
    """The six parts of the plan's section III (Nội dung thi đua) a movement belongs to."""

    ECONOMY = "economy"  # III.1 Về phát triển kinh tế
    NEW_RURAL_URBAN = "new_rural_urban"  # III.2 Xây dựng nông thôn mới, đô thị văn minh
    CULTURE_SOCIETY = "culture_society"  # III.3 Văn hoá - xã hội
    ADMINISTRATIVE_REFORM = "administrative_reform"  # III.4 Cải cách hành chính
    PARTY_BUILDING = "party_building"  # III.5 Xây dựng Đảng và hệ thống chính trị
    DEFENCE_SECURITY = "defence_security"  # III.6 Quốc phòng - an ninh, đối ngoại


class MovementKind(StrEnum):
    MOVEMENT = "movement"  # phong trào thi đua
    CAMPAIGN = "campaign"  # cuộc vận động


class MilestoneKind(StrEnum):
    MID_TERM = "mid_term"  # sơ kết
    FINAL = "final"  # tổng kết


class Movement(Base):
    __tablename__ = "movements"
    __table_args__ = (CheckConstraint("starts_on <= ends_on", name="period_order"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    theme: Mapped[str] = mapped_column(Text)
    launched_by: Mapped[str] = mapped_column(Text)
    # The act that launched it (number and date), or null where it is still to be checked (`verification`).
    launch_source: Mapped[str | None] = mapped_column(Text)
    plan_code: Mapped[str] = mapped_column(String(50))
    plan_section: Mapped[str] = mapped_column(String(20))
    area: Mapped[str] = mapped_column(String(30))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    # The plan's own words for it, so that a reader can check the record against the source.
    source_text: Mapped[str] = mapped_column(Text)
    # What could not be verified against a source ("cần đối chiếu: ..."), or null.
    verification: Mapped[str | None] = mapped_column(Text)
    seeded: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class MovementTarget(Base):
    """A target the movement serves, by its natural key in the targets service (plan × indicator × org
    unit) and the id the targets service gave it, once read from it (a seed is loaded before that service
    answers, so its links are resolved on the first read by staff: movements.service.resolve_links)."""

    __tablename__ = "movement_targets"

    movement_id: Mapped[int] = mapped_column(ForeignKey("movements.id", ondelete="CASCADE"), primary_key=True)
    plan: Mapped[str] = mapped_column(String(50), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(50), primary_key=True)
    org_unit: Mapped[str] = mapped_column(String(50), primary_key=True)
    target_id: Mapped[int | None] = mapped_column(Integer)


class Milestone(Base):
    """A review of the movement (sơ kết, tổng kết), which opens an award round of kind movement_review."""

    __tablename__ = "movement_milestones"
    __table_args__ = (UniqueConstraint("movement_id", "kind", name="uq_movement_milestones_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    movement_id: Mapped[int] = mapped_column(ForeignKey("movements.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(Text)
    review_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), unique=True)


class Registration(Base):
    """A unit's registration for a movement (đăng ký thi đua), with what it commits to."""

    __tablename__ = "movement_registrations"
    __table_args__ = (UniqueConstraint("movement_id", "org_unit", name="uq_movement_registrations_unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    movement_id: Mapped[int] = mapped_column(ForeignKey("movements.id", ondelete="CASCADE"))
    org_unit: Mapped[str] = mapped_column(String(50))
    org_unit_name: Mapped[str] = mapped_column(Text)
    commitments: Mapped[str] = mapped_column(Text)
    registered_by: Mapped[str] = mapped_column(String(200))
    registered_on: Mapped[dt.date] = mapped_column(Date)


class UnitReport(Base):
    """What a registered unit did for the movement in a year (báo cáo kết quả thực hiện phong trào)."""

    __tablename__ = "movement_reports"
    __table_args__ = (
        UniqueConstraint("movement_id", "org_unit", "year", name="uq_movement_reports_unit_year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    movement_id: Mapped[int] = mapped_column(ForeignKey("movements.id", ondelete="CASCADE"))
    org_unit: Mapped[str] = mapped_column(String(50))
    year: Mapped[int] = mapped_column(SmallInteger)
    summary: Mapped[str] = mapped_column(Text)
    # Results the unit counts itself ("Số mô hình mới": 12), each with its unit of measure.
    figures: Mapped[list[dict[str, object]]] = mapped_column(JSONB, default=list)
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_on: Mapped[dt.date] = mapped_column(Date)
