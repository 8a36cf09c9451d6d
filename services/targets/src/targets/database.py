from sqlalchemy.orm import DeclarativeBase

from shared.database import TYPE_ANNOTATION_MAP, schema_metadata


class Base(DeclarativeBase):
    """Every table of the targets service lives in the PostgreSQL schema `targets`."""

    metadata = schema_metadata("targets")
    type_annotation_map = TYPE_ANNOTATION_MAP
