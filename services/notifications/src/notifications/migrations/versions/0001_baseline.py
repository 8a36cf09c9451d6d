"""Baseline: the notifications schema, owned by the notifications service alone.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The schema itself is created by env.py before Alembic writes its version table into it.
    op.execute(
        "COMMENT ON SCHEMA notifications IS 'Owned by the notifications service (events, templates,"
        " deliveries, webhooks, inbox and reminders); other services use its HTTP API.'"
    )


def downgrade() -> None:
    op.execute("COMMENT ON SCHEMA notifications IS NULL")
