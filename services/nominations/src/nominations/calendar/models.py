"""Exceptions to the public-holiday calendar: extra days off and working days decided by the government."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from nominations.database import Base


class CalendarDay(Base):
    """A day off that the holiday library does not know (a bridge day), or a compensating working Saturday,
    with the act that decided it (``source``: its number, date and issuer), as the seed records every one."""

    __tablename__ = "calendar_days"
    __table_args__ = (CheckConstraint("kind IN ('day_off', 'working_day')", name="kind"),)

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
