"""Evidence: target progress as the targets service reported it, kept with the dossier."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nominations.database import Base


class EvidenceSnapshot(Base):
    """Target progress as the targets service reported it at ``fetched_at``; it reads the same years later."""

    __tablename__ = "evidence_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), index=True)
    plan: Mapped[str | None] = mapped_column(String(50))
    org_unit: Mapped[str] = mapped_column(String(50))
    at: Mapped[dt.date] = mapped_column(Date)
    target_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=list)
    source: Mapped[str] = mapped_column(Text)  # the URL it was read from
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONB)
    fetched_by: Mapped[str] = mapped_column(String(200))
    fetched_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
