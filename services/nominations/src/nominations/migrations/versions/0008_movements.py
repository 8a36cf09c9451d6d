"""Movements of a plan: their target links, reviews, the units registered and their reports (issue 11).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "nominations"


def upgrade() -> None:
    op.create_table(
        "movements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(50), nullable=False, unique=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("theme", sa.Text(), nullable=False),
        sa.Column("launched_by", sa.Text(), nullable=False),
        sa.Column("launch_source", sa.Text(), nullable=True),
        sa.Column("plan_code", sa.String(50), nullable=False),
        sa.Column("plan_section", sa.String(20), nullable=False),
        sa.Column("area", sa.String(30), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("verification", sa.Text(), nullable=True),
        sa.Column("seeded", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("starts_on <= ends_on", name="period_order"),
        schema=SCHEMA,
    )
    op.create_table(
        "movement_targets",
        sa.Column(
            "movement_id",
            sa.Integer(),
            sa.ForeignKey(f"{SCHEMA}.movements.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("plan", sa.String(50), primary_key=True),
        sa.Column("indicator", sa.String(50), primary_key=True),
        sa.Column("org_unit", sa.String(50), primary_key=True),
        sa.Column("target_id", sa.Integer(), nullable=True),
        schema=SCHEMA,
    )
    op.create_table(
        "movement_milestones",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "movement_id",
            sa.Integer(),
            sa.ForeignKey(f"{SCHEMA}.movements.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey(f"{SCHEMA}.rounds.id"), nullable=True, unique=True),
        sa.UniqueConstraint("movement_id", "kind", name="uq_movement_milestones_kind"),
        schema=SCHEMA,
    )
    op.create_table(
        "movement_registrations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "movement_id",
            sa.Integer(),
            sa.ForeignKey(f"{SCHEMA}.movements.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("org_unit", sa.String(50), nullable=False),
        sa.Column("org_unit_name", sa.Text(), nullable=False),
        sa.Column("commitments", sa.Text(), nullable=False),
        sa.Column("registered_by", sa.String(200), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.UniqueConstraint("movement_id", "org_unit", name="uq_movement_registrations_unit"),
        schema=SCHEMA,
    )
    op.create_table(
        "movement_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "movement_id",
            sa.Integer(),
            sa.ForeignKey(f"{SCHEMA}.movements.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("org_unit", sa.String(50), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("figures", postgresql.JSONB(), nullable=False),
        sa.Column("submitted_by", sa.String(200), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.UniqueConstraint("movement_id", "org_unit", "year", name="uq_movement_reports_unit_year"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in (
        "movement_reports",
        "movement_registrations",
        "movement_milestones",
        "movement_targets",
        "movements",
    ):
        op.drop_table(table, schema=SCHEMA)
