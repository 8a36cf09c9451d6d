"""Award rounds (đợt xét khen thưởng) and their deadlines, counted in working days."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, Integer, SmallInteger, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from nominations.database import Base


class RoundKind(StrEnum):
    ANNUAL = "annual"  # khen thưởng thường xuyên cuối năm
    MOVEMENT_REVIEW = "movement_review"  # sơ kết, tổng kết phong trào
    AD_HOC = "ad_hoc"  # đột xuất
    THEMATIC = "thematic"  # chuyên đề


class Round(Base):
    __tablename__ = "rounds"
    __table_args__ = (
        CheckConstraint(
            "opens_on <= submission_deadline AND submission_deadline <= screening_deadline"
            " AND screening_deadline <= council_deadline AND council_deadline <= decision_deadline",
            name="deadline_order",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(SmallInteger)
    movement_code: Mapped[str | None] = mapped_column(String(50))
    # The org-unit hierarchy of this date judges every nomination of the round, and so do the catalogue and
    # the rules unless a new legal regime began before a dossier was sent (nominations.catalogue.regimes).
    reference_date: Mapped[dt.date] = mapped_column(Date)
    opens_on: Mapped[dt.date] = mapped_column(Date)
    submission_working_days: Mapped[int] = mapped_column(SmallInteger)
    screening_working_days: Mapped[int] = mapped_column(SmallInteger)
    council_working_days: Mapped[int] = mapped_column(SmallInteger)
    decision_working_days: Mapped[int] = mapped_column(SmallInteger)
    resubmission_working_days: Mapped[int] = mapped_column(SmallInteger)
    submission_deadline: Mapped[dt.date] = mapped_column(Date)
    screening_deadline: Mapped[dt.date] = mapped_column(Date)
    council_deadline: Mapped[dt.date] = mapped_column(Date)
    decision_deadline: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
