"""The award catalogue: award types, eligibility rules and quotas, and the base salary, all dated.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 06:07:58.169696
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "award_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("recipient_kind", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("deciding_authority", sa.String(length=30), nullable=False),
        sa.Column("occasions", postgresql.ARRAY(sa.String(length=30)), nullable=False),
        sa.Column("vote_threshold", sa.Numeric(precision=4, scale=3), nullable=False),
        sa.Column("vote_base", sa.String(length=20), nullable=False),
        sa.Column("vote_comparison", sa.String(length=3), nullable=False),
        sa.Column("disclosure_working_days", sa.SmallInteger(), nullable=False),
        sa.Column("bonus_coefficient", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("required_documents", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("legal_source", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("bonus_coefficient >= 0", name=op.f("ck_award_types_bonus_positive")),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_award_types_valid_interval")
        ),
        sa.CheckConstraint(
            "vote_threshold > 0 AND vote_threshold <= 1", name=op.f("ck_award_types_threshold_share")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_types")),
        sa.UniqueConstraint("code", "valid_from", name=op.f("uq_award_types_code_valid_from")),
        schema="nominations",
    )
    op.create_index(
        "ix_award_types_code_validity",
        "award_types",
        ["code", "valid_from"],
        unique=False,
        schema="nominations",
    )
    op.create_table(
        "base_salaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("amount_vnd", sa.Numeric(precision=14, scale=0), nullable=False),
        sa.Column("legal_source", sa.Text(), nullable=False),
        sa.CheckConstraint("amount_vnd > 0", name=op.f("ck_base_salaries_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_base_salaries")),
        sa.UniqueConstraint("valid_from", name=op.f("uq_base_salaries_valid_from")),
        schema="nominations",
    )
    op.create_table(
        "eligibility_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_type_code", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("legal_source", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_eligibility_rules_valid_interval")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_rules")),
        schema="nominations",
    )
    op.create_index(
        "ix_eligibility_rules_award_type",
        "eligibility_rules",
        ["award_type_code", "valid_from"],
        unique=False,
        schema="nominations",
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key", name=op.f("pk_idempotency_keys")),
        schema="nominations",
    )
    op.create_table(
        "quotas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_type_code", sa.String(length=50), nullable=False),
        sa.Column("issuing_body", sa.String(length=50), nullable=True),
        sa.Column("basis", sa.String(length=60), nullable=False),
        sa.Column("max_share", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("legal_source", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.CheckConstraint("max_share > 0 AND max_share <= 1", name=op.f("ck_quotas_share")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotas")),
        schema="nominations",
    )
    op.create_index(
        op.f("ix_nominations_quotas_award_type_code"),
        "quotas",
        ["award_type_code"],
        unique=False,
        schema="nominations",
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_nominations_quotas_award_type_code"), table_name="quotas", schema="nominations")
    op.drop_table("quotas", schema="nominations")
    op.drop_table("idempotency_keys", schema="nominations")
    op.drop_index("ix_eligibility_rules_award_type", table_name="eligibility_rules", schema="nominations")
    op.drop_table("eligibility_rules", schema="nominations")
    op.drop_table("base_salaries", schema="nominations")
    op.drop_index("ix_award_types_code_validity", table_name="award_types", schema="nominations")
    op.drop_table("award_types", schema="nominations")
