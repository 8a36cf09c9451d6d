"""Every table of the service, imported in one place so Alembic and the tests see the whole schema."""

from notifications.database import Base

__all__ = ["Base"]
