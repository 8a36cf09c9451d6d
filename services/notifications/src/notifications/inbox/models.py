"""Inbox items, written by the fan-out in the same transaction as the deliveries."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column

from notifications.database import Base


class InboxItem(Base):
    __tablename__ = "inbox_items"
    __table_args__ = (
        UniqueConstraint("event_id", "recipient"),
        Index("ix_inbox_items_recipient", "recipient", "id"),
        Index("ix_inbox_items_unread", "recipient", postgresql_where=text("read_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("events.id"))
    event_type: Mapped[str] = mapped_column(String(100))
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))  # what it is about, e.g. nomination/42
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[dt.datetime] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    read_at: Mapped[dt.datetime | None] = mapped_column()
