"""A recorded calendar day names the act that decided it (the seeded swaps each cite their notice).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("calendar_days", sa.Column("source", sa.Text(), nullable=True), schema="nominations")


def downgrade() -> None:
    op.drop_column("calendar_days", "source", schema="nominations")
