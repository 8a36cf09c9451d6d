from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from targets.database import Base


class OrgUnitType(StrEnum):
    PROVINCE = "province"
    CITY = "city"  # thành phố thuộc tỉnh
    TOWN = "town"  # thị xã
    DISTRICT = "district"  # huyện
    COMMUNE = "commune"  # xã
    WARD = "ward"  # phường
    TOWNSHIP = "township"  # thị trấn
    DEPARTMENT = "department"  # sở, ban, ngành
    ENTERPRISE = "enterprise"
    SCHOOL = "school"
    OTHER = "other"


TERRITORIAL_TYPES = frozenset(
    {
        OrgUnitType.PROVINCE,
        OrgUnitType.CITY,
        OrgUnitType.TOWN,
        OrgUnitType.DISTRICT,
        OrgUnitType.COMMUNE,
        OrgUnitType.WARD,
        OrgUnitType.TOWNSHIP,
    }
)


class RestructuringKind(StrEnum):
    MERGE = "merge"  # predecessors end, except the successor when it absorbs them (Lộc Hà into Thạch Hà)
    SPLIT = "split"  # a predecessor ends; several successors begin
    RENAME = "rename"  # a predecessor ends; a successor with a new code and name continues it
    DISSOLUTION = "dissolution"  # a tier ends (the districts on 2025-07-01); successors where known


class OrgUnit(Base):
    """An org unit for the whole of its existence; where it sits in the hierarchy is dated (parent links)."""

    __tablename__ = "org_units"
    __table_args__ = (CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_interval"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    # The official administrative code (mã đơn vị hành chính). Not unique: the lists give an ended unit's code
    # to a new one (1/1/2025, 1/7/2025), so the registry's code tells the holders apart (seed/communes.py).
    official_code: Mapped[str | None] = mapped_column(String(10), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    remote: Mapped[bool] = mapped_column(default=False)
    border: Mapped[bool] = mapped_column(default=False)
    mountainous: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    parent_links: Mapped[list[OrgUnitParent]] = relationship(
        foreign_keys="OrgUnitParent.org_unit_id", lazy="raise", order_by="OrgUnitParent.valid_from"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative convention


class OrgUnitParent(Base):
    """Where an org unit sat in the hierarchy, and when (a commune moves from a district to the province)."""

    __tablename__ = "org_unit_parents"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_interval"),
        CheckConstraint("org_unit_id <> parent_id", name="not_own_parent"),
        Index("ix_org_unit_parents_parent", "parent_id", "valid_from"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class OrgUnitRestructuring(Base):
    """A merger, split or rename: which units ended, which continued or began, from when, by which act."""

    __tablename__ = "org_unit_restructurings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    effective_date: Mapped[dt.date] = mapped_column(Date)
    legal_source: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    created_by: Mapped[str] = mapped_column(String(200))


class OrgUnitSuccession(Base):
    """One predecessor → successor link of a restructuring."""

    __tablename__ = "org_unit_successions"

    restructuring_id: Mapped[int] = mapped_column(
        ForeignKey("org_unit_restructurings.id", ondelete="CASCADE"), primary_key=True
    )
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True, index=True)
