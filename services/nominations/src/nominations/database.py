from sqlalchemy.orm import DeclarativeBase

from shared.database import schema_metadata


class Base(DeclarativeBase):
    """Every table of the nominations service lives in the PostgreSQL schema `nominations`."""

    metadata = schema_metadata("nominations")
