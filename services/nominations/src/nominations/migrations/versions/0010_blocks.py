"""Emulation blocks of a year: members, score sheets, pledges, scores by stage and flag proposals (issue 11).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "nominations"


def _block_id(*, primary_key: bool = False) -> sa.Column[int]:
    return sa.Column(
        "block_id",
        sa.Integer(),
        sa.ForeignKey(f"{SCHEMA}.blocks.id", ondelete="CASCADE"),
        primary_key=primary_key,
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "blocks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("reference_date", sa.Date(), nullable=False),
        sa.Column("leader_org_unit", sa.String(50), nullable=False),
        sa.Column("deputy_org_unit", sa.String(50), nullable=False),
        sa.Column("pledge_deadline", sa.Date(), nullable=False),
        sa.Column("tie_breaks", postgresql.ARRAY(sa.String(20)), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("adopted_on", sa.Date(), nullable=True),
        sa.Column("adopted_ranking", postgresql.JSONB(), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("code", "year", name="uq_blocks_code_year"),
        sa.CheckConstraint("leader_org_unit <> deputy_org_unit", name="leader_not_deputy"),
        schema=SCHEMA,
    )
    op.create_table(
        "block_members",
        _block_id(primary_key=True),
        sa.Column("org_unit", sa.String(50), primary_key=True),
        sa.Column("org_unit_name", sa.Text(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "block_criteria",
        _block_id(primary_key=True),
        sa.Column("code", sa.String(20), primary_key=True),
        sa.Column("parent_code", sa.String(20), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("max_points", sa.Numeric(8, 2), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("auto_plan", sa.String(50), nullable=True),
        sa.Column("auto_indicator", sa.String(50), nullable=True),
        sa.CheckConstraint("max_points > 0", name="max_points_positive"),
        schema=SCHEMA,
    )
    op.create_table(
        "block_pledges",
        sa.Column("id", sa.Integer(), primary_key=True),
        _block_id(),
        sa.Column("org_unit", sa.String(50), nullable=False),
        sa.Column("commitments", postgresql.JSONB(), nullable=False),
        sa.Column("pledged_by", sa.String(200), nullable=False),
        sa.Column("pledged_on", sa.Date(), nullable=False),
        sa.UniqueConstraint("block_id", "org_unit", name="uq_block_pledges_unit"),
        schema=SCHEMA,
    )
    op.create_table(
        "block_scores",
        _block_id(primary_key=True),
        sa.Column("org_unit", sa.String(50), primary_key=True),
        sa.Column("criterion_code", sa.String(20), primary_key=True),
        sa.Column("stage", sa.String(20), primary_key=True),
        sa.Column("points", sa.Numeric(8, 2), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("scored_by", sa.String(200), nullable=False),
        sa.Column("scored_on", sa.Date(), nullable=False),
        sa.CheckConstraint("points >= 0", name="points_not_negative"),
        schema=SCHEMA,
    )
    op.create_table(
        "block_flag_nominations",
        _block_id(primary_key=True),
        sa.Column(
            "nomination_id",
            sa.Integer(),
            sa.ForeignKey(f"{SCHEMA}.nominations.id"),
            primary_key=True,
            unique=True,
        ),
        sa.Column("org_unit", sa.String(50), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in (
        "block_flag_nominations",
        "block_scores",
        "block_pledges",
        "block_criteria",
        "block_members",
        "blocks",
    ):
        op.drop_table(table, schema=SCHEMA)
