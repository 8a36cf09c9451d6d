"""The awards registry: every award held, decided on the platform or imported from the years before it.

It is both the award history that feeds the eligibility rules (by ``recipient_key``) and the public registry
(public fields only). Search is accent-insensitive over ``search_tokens`` (see
:mod:`nominations.registry.text`), and the area filter matches ``org_unit_path``, the unit and its ancestors
on the decision's date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from nominations.database import Base


class Award(Base):
    __tablename__ = "awards"
    __table_args__ = (
        CheckConstraint("source IN ('platform', 'import')", name="source"),
        Index("ix_awards_recipient", "recipient_key", "award_type_code", "year"),
        Index("ix_awards_year_type", "year", "award_type_code", "id"),
        # One year, newest first: without it the planner walks the primary key back past every later year.
        Index("ix_awards_year", "year", "id"),
        Index("ix_awards_type", "award_type_code", "id"),
        Index("ix_awards_search", "search_tokens", postgresql_using="gin"),
        Index("ix_awards_area", "org_unit_path", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    source: Mapped[str] = mapped_column(String(10))
    nomination_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    decision_id: Mapped[int | None] = mapped_column(Integer, index=True)
    recipient_kind: Mapped[str] = mapped_column(String(20))
    recipient_key: Mapped[str] = mapped_column(String(100))  # private: links the history, never public
    recipient_name: Mapped[str] = mapped_column(Text)
    recipient_position: Mapped[str | None] = mapped_column(Text)
    org_unit: Mapped[str] = mapped_column(String(50))
    org_unit_name: Mapped[str] = mapped_column(Text)
    org_unit_path: Mapped[list[str]] = mapped_column(ARRAY(String(50)))
    award_type_code: Mapped[str] = mapped_column(String(50))
    award_name: Mapped[str] = mapped_column(Text)
    year: Mapped[int] = mapped_column(SmallInteger)
    occasion: Mapped[str] = mapped_column(String(30))
    achievement_key: Mapped[str | None] = mapped_column(String(100))
    decision_number: Mapped[str] = mapped_column(String(100))
    decision_date: Mapped[dt.date] = mapped_column(Date)
    decision_authority: Mapped[str] = mapped_column(String(30))
    bonus_coefficient: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    base_salary_vnd: Mapped[Decimal | None] = mapped_column(Numeric(14, 0))
    bonus_vnd: Mapped[Decimal | None] = mapped_column(Numeric(14, 0))
    search_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
