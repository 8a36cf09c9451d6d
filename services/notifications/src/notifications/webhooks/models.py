"""Webhook endpoints and their signing secrets (a rotation leaves the old one valid for an overlap)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from notifications.database import Base


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_org_unit", "org_unit", postgresql_where=text("active")),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    org_unit: Mapped[str] = mapped_column(String(50))
    url: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    # The event types it wants (empty: every type routed to its org unit's webhooks).
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(100)), server_default=text("'{}'"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    deleted_at: Mapped[dt.datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, default=1)


class WebhookSecret(Base):
    __tablename__ = "webhook_secrets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    # ``whsec_<base64>`` as Standard Webhooks writes it; shown to the endpoint's owner once, when made.
    secret: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column()
    expires_at: Mapped[dt.datetime | None] = mapped_column()  # set when a newer secret replaces it
