"""Every table of the service, imported in one place so Alembic and the tests see the whole schema."""

from nominations.database import Base

__all__ = ["Base"]
