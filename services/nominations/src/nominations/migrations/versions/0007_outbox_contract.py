"""The outbox carries the event contract: each row's version of its type's schema (docs/events.md), and a
statement trigger that wakes the relays (``NOTIFY nominations_outbox``) after each insert.

Rows written before this revision become version 1. No relay ever ran before it, so they were never
delivered; their types (``nomination.<action>``) are not in the contract, and intake refuses them (the
relay keeps them with intake's problem as ``last_error`` for an operator to delete).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.outbox import notify_trigger_sql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "nominations"


def upgrade() -> None:
    op.add_column(
        "outbox",
        sa.Column("version", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        schema=SCHEMA,
    )
    for statement in notify_trigger_sql(SCHEMA).create:
        op.execute(statement)


def downgrade() -> None:
    for statement in notify_trigger_sql(SCHEMA).drop:
        op.execute(statement)
    op.drop_column("outbox", "version", schema=SCHEMA)
