"""Events as received: persisted before intake answers, fanned out once."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Index, SmallInteger, String, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from notifications.database import Base


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        # The sweep's query: events received but not yet fanned out (a worker died on them).
        Index("ix_events_pending", "received_at", postgresql_where=text("fanned_out_at IS NULL")),
        Index("ix_events_type_occurred", "type", "occurred_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(SmallInteger)
    producer: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[dt.datetime] = mapped_column()
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    fanned_out_at: Mapped[dt.datetime | None] = mapped_column()
    recipients: Mapped[int | None] = mapped_column()  # deliveries made by the fan-out, for the operator
