"""Routing rules: per event type, a list of audiences, each with its channels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Integer, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from notifications.database import Base


class RoutingRule(Base):
    __tablename__ = "routing_rules"

    event_type: Mapped[str] = mapped_column(String(100), primary_key=True)
    audiences: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    origin: Mapped[str] = mapped_column(
        String(10), default="api"
    )  # seed | api: the seed never overwrites api
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1)
