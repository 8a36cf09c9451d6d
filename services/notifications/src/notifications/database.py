from sqlalchemy.orm import DeclarativeBase

from shared.database import TYPE_ANNOTATION_MAP, schema_metadata


class Base(DeclarativeBase):
    """Every table of the notifications service lives in the PostgreSQL schema `notifications`."""

    metadata = schema_metadata("notifications")
    type_annotation_map = TYPE_ANNOTATION_MAP
