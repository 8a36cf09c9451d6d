from sqlalchemy.orm import DeclarativeBase

from shared.database import schema_metadata


class Base(DeclarativeBase):
    """Every table of the notifications service lives in the PostgreSQL schema `notifications`."""

    metadata = schema_metadata("notifications")
