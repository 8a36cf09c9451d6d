"""Decisions (quyết định khen thưởng) signed by the deciding authority."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from nominations.database import Base


class Decision(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(100), unique=True)  # e.g. 1234/QĐ-UBND
    signed_on: Mapped[dt.date] = mapped_column(Date)
    signer: Mapped[str] = mapped_column(Text)
    signer_title: Mapped[str | None] = mapped_column(Text)
    authority: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    issued_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
