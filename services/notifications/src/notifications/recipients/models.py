"""Recipients (a person is the token's ``sub``), their subscriptions and their preferences."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from notifications.database import Base


class Recipient(Base):
    __tablename__ = "recipients"
    __table_args__ = (
        CheckConstraint("language IN ('vi', 'en')", name="language"),
        Index("ix_recipients_org_unit", "org_unit"),
        Index("ix_recipients_roles", "roles", postgresql_using="gin"),
        Index("ix_recipients_subscriptions", "subscriptions", postgresql_using="gin"),
    )

    sub: Mapped[str] = mapped_column(String(200), primary_key=True)
    display_name: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(2), default="vi")
    org_unit: Mapped[str | None] = mapped_column(String(50))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(30)), server_default=text("'{}'"))
    # Org units whose events this person follows (a district's leader, a journalist of the province's paper).
    subscriptions: Mapped[list[str]] = mapped_column(ARRAY(String(50)), server_default=text("'{}'"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    source: Mapped[str] = mapped_column(String(20), default="api")  # api | csv | keycloak
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1)


class Preference(Base):
    """How one person wants one event type on one channel; no row means ``immediate``."""

    __tablename__ = "preferences"
    __table_args__ = (
        CheckConstraint("mode IN ('immediate', 'digest', 'off')", name="mode"),
        CheckConstraint("channel IN ('email', 'inbox')", name="channel"),
        CheckConstraint("mode <> 'digest' OR channel = 'email'", name="digest_by_email"),
    )

    sub: Mapped[str] = mapped_column(ForeignKey("recipients.sub", ondelete="CASCADE"), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(100), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10))
