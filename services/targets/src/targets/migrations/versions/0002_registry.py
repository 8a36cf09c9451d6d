"""The registry: org units with their dated hierarchy, indicators, plans, targets, results and revisions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 04:33:39.540457
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# data_values has no foreign keys (they would cost a trigger call per value on the ingestion hot path);
# instead, deleting an org unit, indicator or period that values still refer to is refused here.
_GUARDS = {"org_units": "org_unit_id", "indicators": "indicator_id", "periods": "period_id"}
_GUARD_FUNCTION = """
CREATE FUNCTION targets.refuse_delete_referenced_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM targets.data_values WHERE {column} = OLD.id) THEN
        RAISE EXCEPTION 'targets.{table} % is referred to by data values', OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN OLD;
END $$
"""
_GUARD_TRIGGER = """
CREATE TRIGGER refuse_delete_referenced BEFORE DELETE ON targets.{table}
    FOR EACH ROW EXECUTE FUNCTION targets.refuse_delete_referenced_{table}()
"""


def upgrade() -> None:
    # Sequences behind the change counters (targets.cache.counters); Alembic does not autogenerate them.
    op.execute(sa.schema.CreateSequence(sa.Sequence("catalogue_version", schema="targets")))
    op.execute(sa.schema.CreateSequence(sa.Sequence("data_version", schema="targets")))
    op.create_table(
        "change_counters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("catalogue", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_counters")),
        schema="targets",
    )
    op.create_table(
        "data_imports",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("org_unit", sa.String(length=50), nullable=True),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("import_strategy", sa.String(length=20), nullable=False),
        sa.Column("atomic_mode", sa.String(length=10), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("value_count", sa.Integer(), nullable=False),
        sa.Column("summary", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_imports")),
        schema="targets",
    )
    op.create_table(
        "data_value_revisions",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=10), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("import_id", sa.UUID(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_value_revisions")),
        schema="targets",
    )
    op.create_index(
        "ix_revisions_value",
        "data_value_revisions",
        ["org_unit_id", "indicator_id", "period_id", "id"],
        unique=False,
        schema="targets",
    )
    op.create_table(
        "data_values",
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("number", sa.Numeric(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("stored_by", sa.String(length=200), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column(
            "last_updated", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("import_id", sa.UUID(), nullable=True),
        sa.PrimaryKeyConstraint("org_unit_id", "indicator_id", "period_id", name=op.f("pk_data_values")),
        schema="targets",
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
        schema="targets",
    )
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("area", sa.String(length=30), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("value_type", sa.String(length=20), nullable=False),
        sa.Column("aggregation", sa.String(length=20), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("decimals", sa.SmallInteger(), nullable=False),
        sa.Column("period_type", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("weight_indicator_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "aggregation <> 'weighted' OR weight_indicator_id IS NOT NULL",
            name=op.f("ck_indicators_weighted_needs_weight"),
        ),
        sa.CheckConstraint("decimals BETWEEN 0 AND 6", name=op.f("ck_indicators_decimals_range")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["targets.indicators.id"], name=op.f("fk_indicators_parent_id_indicators")
        ),
        sa.ForeignKeyConstraint(
            ["weight_indicator_id"],
            ["targets.indicators.id"],
            name=op.f("fk_indicators_weight_indicator_id_indicators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators")),
        sa.UniqueConstraint("code", name=op.f("uq_indicators_code")),
        schema="targets",
    )
    op.create_table(
        "org_unit_restructurings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("legal_source", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_unit_restructurings")),
        schema="targets",
    )
    op.create_table(
        "org_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("remote", sa.Boolean(), nullable=False),
        sa.Column("border", sa.Boolean(), nullable=False),
        sa.Column("mountainous", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_org_units_valid_interval")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_units")),
        sa.UniqueConstraint("code", name=op.f("uq_org_units_code")),
        schema="targets",
    )
    op.create_table(
        "periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("iso", sa.String(length=20), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_periods")),
        sa.UniqueConstraint("iso", name=op.f("uq_periods_iso")),
        schema="targets",
    )
    op.create_index(
        "ix_periods_type_start", "periods", ["type", "start_date"], unique=False, schema="targets"
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("at_risk_margin", sa.Numeric(precision=4, scale=3), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("end_date > start_date", name=op.f("ck_plans_period_order")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("code", name=op.f("uq_plans_code")),
        schema="targets",
    )
    op.create_table(
        "org_unit_parents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.CheckConstraint("org_unit_id <> parent_id", name=op.f("ck_org_unit_parents_not_own_parent")),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_org_unit_parents_valid_interval")
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"],
            ["targets.org_units.id"],
            name=op.f("fk_org_unit_parents_org_unit_id_org_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["targets.org_units.id"], name=op.f("fk_org_unit_parents_parent_id_org_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_unit_parents")),
        schema="targets",
    )
    op.create_index(
        "ix_org_unit_parents_parent",
        "org_unit_parents",
        ["parent_id", "valid_from"],
        unique=False,
        schema="targets",
    )
    op.create_index(
        op.f("ix_targets_org_unit_parents_org_unit_id"),
        "org_unit_parents",
        ["org_unit_id"],
        unique=False,
        schema="targets",
    )
    op.create_table(
        "org_unit_successions",
        sa.Column("restructuring_id", sa.Integer(), nullable=False),
        sa.Column("predecessor_id", sa.Integer(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["predecessor_id"],
            ["targets.org_units.id"],
            name=op.f("fk_org_unit_successions_predecessor_id_org_units"),
        ),
        sa.ForeignKeyConstraint(
            ["restructuring_id"],
            ["targets.org_unit_restructurings.id"],
            name=op.f("fk_org_unit_successions_restructuring_id_org_unit_restructurings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["successor_id"],
            ["targets.org_units.id"],
            name=op.f("fk_org_unit_successions_successor_id_org_units"),
        ),
        sa.PrimaryKeyConstraint(
            "restructuring_id", "predecessor_id", "successor_id", name=op.f("pk_org_unit_successions")
        ),
        schema="targets",
    )
    op.create_index(
        op.f("ix_targets_org_unit_successions_successor_id"),
        "org_unit_successions",
        ["successor_id"],
        unique=False,
        schema="targets",
    )
    op.create_table(
        "period_locks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("locked_by", sa.String(length=200), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["targets.org_units.id"], name=op.f("fk_period_locks_org_unit_id_org_units")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["targets.periods.id"], name=op.f("fk_period_locks_period_id_periods")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_period_locks")),
        sa.UniqueConstraint(
            "period_id",
            "org_unit_id",
            name=op.f("uq_period_locks_period_id_org_unit_id"),
            postgresql_nulls_not_distinct=True,
        ),
        schema="targets",
    )
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("comparator", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Numeric(), nullable=True),
        sa.Column("tolerance", sa.Numeric(), nullable=True),
        sa.Column("baseline", sa.Numeric(), nullable=True),
        sa.Column("baseline_year", sa.Integer(), nullable=True),
        sa.Column("reference_indicator_id", sa.Integer(), nullable=True),
        sa.Column("projection", sa.String(length=20), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "comparator <> 'approx' OR tolerance IS NOT NULL", name=op.f("ck_targets_approx_needs_tolerance")
        ),
        sa.CheckConstraint(
            "kind <> 'relative' OR reference_indicator_id IS NOT NULL",
            name=op.f("ck_targets_relative_needs_ref"),
        ),
        sa.CheckConstraint("kind = 'relative' OR value IS NOT NULL", name=op.f("ck_targets_value_required")),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["targets.indicators.id"], name=op.f("fk_targets_indicator_id_indicators")
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["targets.org_units.id"], name=op.f("fk_targets_org_unit_id_org_units")
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["targets.plans.id"], name=op.f("fk_targets_plan_id_plans")),
        sa.ForeignKeyConstraint(
            ["reference_indicator_id"],
            ["targets.indicators.id"],
            name=op.f("fk_targets_reference_indicator_id_indicators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_targets")),
        sa.UniqueConstraint(
            "plan_id",
            "indicator_id",
            "org_unit_id",
            "kind",
            name=op.f("uq_targets_plan_id_indicator_id_org_unit_id_kind"),
        ),
        schema="targets",
    )
    op.create_index(
        op.f("ix_targets_targets_indicator_id"), "targets", ["indicator_id"], unique=False, schema="targets"
    )
    op.create_index(
        op.f("ix_targets_targets_org_unit_id"), "targets", ["org_unit_id"], unique=False, schema="targets"
    )
    op.create_index(
        op.f("ix_targets_targets_plan_id"), "targets", ["plan_id"], unique=False, schema="targets"
    )
    op.execute("INSERT INTO targets.change_counters (id, catalogue, data) VALUES (1, 0, 0)")
    for table, column in _GUARDS.items():
        op.execute(_GUARD_FUNCTION.format(table=table, column=column))
        op.execute(_GUARD_TRIGGER.format(table=table))


def downgrade() -> None:
    for table in _GUARDS:
        op.execute(f"DROP TRIGGER refuse_delete_referenced ON targets.{table}")
        op.execute(f"DROP FUNCTION targets.refuse_delete_referenced_{table}()")
    op.drop_index(op.f("ix_targets_targets_plan_id"), table_name="targets", schema="targets")
    op.drop_index(op.f("ix_targets_targets_org_unit_id"), table_name="targets", schema="targets")
    op.drop_index(op.f("ix_targets_targets_indicator_id"), table_name="targets", schema="targets")
    op.drop_table("targets", schema="targets")
    op.drop_table("period_locks", schema="targets")
    op.drop_index(
        op.f("ix_targets_org_unit_successions_successor_id"),
        table_name="org_unit_successions",
        schema="targets",
    )
    op.drop_table("org_unit_successions", schema="targets")
    op.drop_index(
        op.f("ix_targets_org_unit_parents_org_unit_id"), table_name="org_unit_parents", schema="targets"
    )
    op.drop_index("ix_org_unit_parents_parent", table_name="org_unit_parents", schema="targets")
    op.drop_table("org_unit_parents", schema="targets")
    op.drop_table("plans", schema="targets")
    op.drop_index("ix_periods_type_start", table_name="periods", schema="targets")
    op.drop_table("periods", schema="targets")
    op.drop_table("org_units", schema="targets")
    op.drop_table("org_unit_restructurings", schema="targets")
    op.drop_table("indicators", schema="targets")
    op.drop_table("idempotency_keys", schema="targets")
    op.drop_table("data_values", schema="targets")
    op.drop_index("ix_revisions_value", table_name="data_value_revisions", schema="targets")
    op.drop_table("data_value_revisions", schema="targets")
    op.drop_table("data_imports", schema="targets")
    op.drop_table("change_counters", schema="targets")
    op.execute(sa.schema.DropSequence(sa.Sequence("data_version", schema="targets")))
    op.execute(sa.schema.DropSequence(sa.Sequence("catalogue_version", schema="targets")))
