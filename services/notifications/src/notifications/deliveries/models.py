"""A delivery and its attempts; the identity a receiver sees (Message-ID, webhook-id) is the delivery's id."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from notifications.database import Base


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"
    INBOX = "inbox"


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    RETRYING = "retrying"
    DEAD = "dead"


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "recipient", "channel"),
        CheckConstraint("channel IN ('email', 'webhook', 'inbox')", name="channel"),
        CheckConstraint("status IN ('queued', 'sending', 'sent', 'retrying', 'dead')", name="status"),
        # The operator's log (newest first, by status, channel, event type) and the sweep of lost leases.
        Index("ix_deliveries_log", "status", "channel", "created_at"),
        Index("ix_deliveries_event_type", "event_type", "created_at"),
        Index("ix_deliveries_recipient", "recipient", "created_at"),
        Index("ix_deliveries_lease", "lease_until", postgresql_where=text("status = 'sending'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("events.id"))
    event_type: Mapped[str] = mapped_column(String(100))
    # A person's sub, or ``webhook:<endpoint id>`` for an org unit's endpoint.
    recipient: Mapped[str] = mapped_column(String(250))
    channel: Mapped[str] = mapped_column(String(10))
    # Where it goes (an address, a URL), as it was when the delivery was made.
    address: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=DeliveryStatus.QUEUED.value)
    # The message as rendered when the delivery was made: a later edit of the template does not change it.
    template_version_id: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[dict[str, Any]] = mapped_column(JSONB)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column()
    lease_until: Mapped[dt.datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    sent_at: Mapped[dt.datetime | None] = mapped_column()
    redriven_by: Mapped[str | None] = mapped_column(String(200))


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"

    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("deliveries.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column()
    finished_at: Mapped[dt.datetime] = mapped_column()
    succeeded: Mapped[bool] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)
    response_status: Mapped[int | None] = mapped_column(SmallInteger)


class DigestEntry(Base):
    """A non-critical event a person chose to receive by email once a day."""

    __tablename__ = "digest_entries"
    __table_args__ = (Index("ix_digest_entries_pending", "day", postgresql_where=text("digest_id IS NULL")),)

    sub: Mapped[str] = mapped_column(String(200), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("events.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column()
    digest_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
