"""The nominee's priority groups (Kế hoạch thi đua 2021-2025, IV.4), for the fairness report (issue 11).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "nominations"


def upgrade() -> None:
    op.add_column(
        "nominations",
        sa.Column(
            "nominee_groups", postgresql.ARRAY(sa.String(30)), server_default=sa.text("'{}'"), nullable=False
        ),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_column("nominations", "nominee_groups", schema=SCHEMA)
