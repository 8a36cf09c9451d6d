"""The catalogue by date: each award type version says when its list is disclosed (before the council, after
it, or not at all) and on what source, and where its bonus coefficient comes from; catalogue rows know who
wrote them (the seed keeps its own rows equal to its data and leaves the API's alone); offices that decide in
place of one whose tier ended, and the days a new legal regime begins, are data; each nomination keeps the
date whose catalogue judges it.

Rows written before this revision came from the seed, which used only 2019-2024 start dates; rows of other
start dates were entered through the API and are marked so.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "nominations"
SEEDED_STARTS = "('2019-07-01', '2021-01-01', '2023-07-01', '2024-01-01', '2024-07-01')"


def upgrade() -> None:
    op.add_column(
        "award_types",
        sa.Column("disclosure_stage", sa.String(20), server_default="after_council", nullable=False),
        schema=SCHEMA,
    )
    op.execute(
        "UPDATE nominations.award_types SET disclosure_stage = 'none' WHERE disclosure_working_days = 0"
    )
    op.create_check_constraint(
        op.f("ck_award_types_disclosure_stage_days"),
        "award_types",
        "(disclosure_stage = 'none') = (disclosure_working_days = 0)",
        schema=SCHEMA,
    )
    op.add_column("award_types", sa.Column("disclosure_source", sa.Text(), nullable=True), schema=SCHEMA)
    op.add_column("award_types", sa.Column("bonus_source", sa.Text(), nullable=True), schema=SCHEMA)
    for table in ("award_types", "eligibility_rules", "quotas", "base_salaries"):
        op.add_column(
            table, sa.Column("origin", sa.String(10), server_default="api", nullable=False), schema=SCHEMA
        )
        # Table names and dates are this migration's constants, not input.
        op.execute(f"UPDATE {SCHEMA}.{table} SET origin = 'seed' WHERE valid_from IN {SEEDED_STARTS}")  # noqa: S608
    op.create_check_constraint(
        op.f("ck_base_salaries_valid_interval"),
        "base_salaries",
        "valid_to IS NULL OR valid_to >= valid_from",
        schema=SCHEMA,
    )
    op.create_table(
        "regime_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("legal_source", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(10), server_default="api", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regime_changes")),
        sa.UniqueConstraint("starts_on", name=op.f("uq_regime_changes_starts_on")),
        schema=SCHEMA,
    )
    # Every nomination so far was judged by its round's reference date.
    op.add_column("nominations", sa.Column("catalogue_date", sa.Date(), nullable=True), schema=SCHEMA)
    op.execute(
        "UPDATE nominations.nominations n SET catalogue_date = r.reference_date"
        " FROM nominations.rounds r WHERE r.id = n.round_id"
    )
    op.alter_column("nominations", "catalogue_date", nullable=False, schema=SCHEMA)
    op.create_table(
        "authority_successions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority", sa.String(30), nullable=False),
        sa.Column("successor", sa.String(30), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("legal_source", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("origin", sa.String(10), server_default="api", nullable=False),
        sa.CheckConstraint("authority <> successor", name=op.f("ck_authority_successions_not_itself")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authority_successions")),
        sa.UniqueConstraint(
            "authority",
            "successor",
            "valid_from",
            name=op.f("uq_authority_successions_authority_successor_valid_from"),
        ),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("authority_successions", schema=SCHEMA)
    op.drop_column("nominations", "catalogue_date", schema=SCHEMA)
    op.drop_table("regime_changes", schema=SCHEMA)
    op.drop_constraint(op.f("ck_base_salaries_valid_interval"), "base_salaries", type_="check", schema=SCHEMA)
    for table in ("award_types", "eligibility_rules", "quotas", "base_salaries"):
        op.drop_column(table, "origin", schema=SCHEMA)
    op.drop_column("award_types", "bonus_source", schema=SCHEMA)
    op.drop_column("award_types", "disclosure_source", schema=SCHEMA)
    op.drop_constraint(
        op.f("ck_award_types_disclosure_stage_days"), "award_types", type_="check", schema=SCHEMA
    )
    op.drop_column("award_types", "disclosure_stage", schema=SCHEMA)
