from sqlalchemy.orm import DeclarativeBase

from shared.database import schema_metadata


class Base(DeclarativeBase):
    """Every table of the targets service lives in the PostgreSQL schema `targets`."""

    metadata = schema_metadata("targets")
