"""Exemplars through detected → nurtured → summarised → replicated, their history, replications and
nominations (issue 11).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "nominations"


def _exemplar_id() -> sa.Column[int]:
    return sa.Column(
        "exemplar_id",
        sa.Integer(),
        sa.ForeignKey(f"{SCHEMA}.exemplars.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "exemplars",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("org_unit", sa.String(50), nullable=False),
        sa.Column("org_unit_name", sa.Text(), nullable=False),
        sa.Column("movement_id", sa.Integer(), sa.ForeignKey(f"{SCHEMA}.movements.id"), nullable=True),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("detected_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_exemplars_unit", "exemplars", ["org_unit", "id"], schema=SCHEMA)
    op.create_index("ix_exemplars_movement", "exemplars", ["movement_id", "id"], schema=SCHEMA)
    op.create_table(
        "exemplar_entries",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        _exemplar_id(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("evidence", postgresql.JSONB(), nullable=False),
        sa.Column("details", postgresql.JSONB(), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_exemplar_entries_exemplar", "exemplar_entries", ["exemplar_id", "id"], schema=SCHEMA)
    op.create_table(
        "exemplar_replications",
        sa.Column("id", sa.Integer(), primary_key=True),
        _exemplar_id(),
        sa.Column("org_unit", sa.String(50), nullable=False),
        sa.Column("org_unit_name", sa.Text(), nullable=False),
        sa.Column("replicated_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.UniqueConstraint("exemplar_id", "org_unit", name="uq_exemplar_replications_unit"),
        schema=SCHEMA,
    )
    op.create_table(
        "exemplar_nominations",
        sa.Column(
            "exemplar_id",
            sa.Integer(),
            sa.ForeignKey(f"{SCHEMA}.exemplars.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "nomination_id",
            sa.Integer(),
            sa.ForeignKey(f"{SCHEMA}.nominations.id"),
            primary_key=True,
            unique=True,
        ),
        sa.Column("stage", sa.String(20), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in ("exemplar_nominations", "exemplar_replications", "exemplar_entries", "exemplars"):
        op.drop_table(table, schema=SCHEMA)
