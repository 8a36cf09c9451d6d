"""Template versions: a save adds a version; a delivery keeps the id of the version it was rendered with."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Integer, SmallInteger, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from notifications.database import Base


class TemplateVersion(Base):
    __tablename__ = "template_versions"
    __table_args__ = (
        UniqueConstraint("event_type", "channel", "language", "version"),
        CheckConstraint("channel IN ('email', 'inbox')", name="channel"),
        CheckConstraint("language IN ('vi', 'en')", name="language"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_type: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(2))
    version: Mapped[int] = mapped_column(SmallInteger)
    subject: Mapped[str] = mapped_column(Text)  # the email's subject, the inbox item's title
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)  # email only
    origin: Mapped[str] = mapped_column(String(10), default="api")  # seed | api
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
