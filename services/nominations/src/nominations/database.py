from sqlalchemy.orm import DeclarativeBase

from shared.database import TYPE_ANNOTATION_MAP, schema_metadata


class Base(DeclarativeBase):
    """Every table of the nominations service lives in the PostgreSQL schema `nominations`."""

    metadata = schema_metadata("nominations")
    type_annotation_map = TYPE_ANNOTATION_MAP
