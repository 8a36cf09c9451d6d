"""Events, recipients, routing, preferences, templates, webhooks, deliveries, the inbox, and the job queue.

The job queue is procrastinate's own schema (its pinned version's ``schema.sql``), created in this service's
schema; its functions get this schema as their search path, so they work whatever the caller's is.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from procrastinate.schema import SchemaManager
from sqlalchemy.dialects import postgresql
from sqlalchemy.util import await_only

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _create_job_queue()
    op.create_table(
        "events",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("version", sa.SmallInteger(), nullable=False),
        sa.Column("producer", sa.String(length=50), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("fanned_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        schema="notifications",
    )
    op.create_index(
        "ix_events_pending",
        "events",
        ["received_at"],
        unique=False,
        schema="notifications",
        postgresql_where=sa.text("fanned_out_at IS NULL"),
    )
    op.create_index(
        "ix_events_type_occurred", "events", ["type", "occurred_at"], unique=False, schema="notifications"
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
        schema="notifications",
    )
    op.create_table(
        "recipients",
        sa.Column("sub", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("org_unit", sa.String(length=50), nullable=True),
        sa.Column(
            "roles", postgresql.ARRAY(sa.String(length=30)), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column(
            "subscriptions",
            postgresql.ARRAY(sa.String(length=50)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("language IN ('vi', 'en')", name=op.f("ck_recipients_language")),
        sa.PrimaryKeyConstraint("sub", name=op.f("pk_recipients")),
        schema="notifications",
    )
    op.create_index(
        "ix_recipients_org_unit", "recipients", ["org_unit"], unique=False, schema="notifications"
    )
    op.create_index(
        "ix_recipients_roles",
        "recipients",
        ["roles"],
        unique=False,
        schema="notifications",
        postgresql_using="gin",
    )
    op.create_index(
        "ix_recipients_subscriptions",
        "recipients",
        ["subscriptions"],
        unique=False,
        schema="notifications",
        postgresql_using="gin",
    )
    op.create_table(
        "routing_rules",
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("audiences", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("event_type", name=op.f("pk_routing_rules")),
        schema="notifications",
    )
    op.create_table(
        "template_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("version", sa.SmallInteger(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=True),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("channel IN ('email', 'inbox')", name=op.f("ck_template_versions_channel")),
        sa.CheckConstraint("language IN ('vi', 'en')", name=op.f("ck_template_versions_language")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_versions")),
        sa.UniqueConstraint(
            "event_type",
            "channel",
            "language",
            "version",
            name=op.f("uq_template_versions_event_type_channel_language_version"),
        ),
        schema="notifications",
    )
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("org_unit", sa.String(length=50), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "event_types",
            postgresql.ARRAY(sa.String(length=100)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
        schema="notifications",
    )
    op.create_index(
        "ix_webhook_endpoints_org_unit",
        "webhook_endpoints",
        ["org_unit"],
        unique=False,
        schema="notifications",
        postgresql_where=sa.text("active"),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("recipient", sa.String(length=250), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("template_version_id", sa.Integer(), nullable=True),
        sa.Column("message", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("redriven_by", sa.String(length=200), nullable=True),
        sa.CheckConstraint("channel IN ('email', 'webhook', 'inbox')", name=op.f("ck_deliveries_channel")),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'retrying', 'dead')", name=op.f("ck_deliveries_status")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["notifications.events.id"], name=op.f("fk_deliveries_event_id_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "event_id", "recipient", "channel", name=op.f("uq_deliveries_event_id_recipient_channel")
        ),
        schema="notifications",
    )
    op.create_index(
        "ix_deliveries_event_type",
        "deliveries",
        ["event_type", "created_at"],
        unique=False,
        schema="notifications",
    )
    op.create_index(
        "ix_deliveries_lease",
        "deliveries",
        ["lease_until"],
        unique=False,
        schema="notifications",
        postgresql_where=sa.text("status = 'sending'"),
    )
    op.create_index(
        "ix_deliveries_log",
        "deliveries",
        ["status", "channel", "created_at"],
        unique=False,
        schema="notifications",
    )
    op.create_index(
        "ix_deliveries_recipient",
        "deliveries",
        ["recipient", "created_at"],
        unique=False,
        schema="notifications",
    )
    op.create_table(
        "digest_entries",
        sa.Column("sub", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("digest_id", sa.UUID(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["notifications.events.id"], name=op.f("fk_digest_entries_event_id_events")
        ),
        sa.PrimaryKeyConstraint("sub", "event_id", name=op.f("pk_digest_entries")),
        schema="notifications",
    )
    op.create_index(
        "ix_digest_entries_pending",
        "digest_entries",
        ["day"],
        unique=False,
        schema="notifications",
        postgresql_where=sa.text("digest_id IS NULL"),
    )
    op.create_table(
        "inbox_items",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["notifications.events.id"], name=op.f("fk_inbox_items_event_id_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_items")),
        sa.UniqueConstraint("event_id", "recipient", name=op.f("uq_inbox_items_event_id_recipient")),
        schema="notifications",
    )
    op.create_index(
        "ix_inbox_items_recipient", "inbox_items", ["recipient", "id"], unique=False, schema="notifications"
    )
    op.create_index(
        "ix_inbox_items_unread",
        "inbox_items",
        ["recipient"],
        unique=False,
        schema="notifications",
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.create_table(
        "preferences",
        sa.Column("sub", sa.String(length=200), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.CheckConstraint("channel IN ('email', 'inbox')", name=op.f("ck_preferences_channel")),
        sa.CheckConstraint(
            "mode <> 'digest' OR channel = 'email'", name=op.f("ck_preferences_digest_by_email")
        ),
        sa.CheckConstraint("mode IN ('immediate', 'digest', 'off')", name=op.f("ck_preferences_mode")),
        sa.ForeignKeyConstraint(
            ["sub"],
            ["notifications.recipients.sub"],
            name=op.f("fk_preferences_sub_recipients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sub", "event_type", "channel", name=op.f("pk_preferences")),
        schema="notifications",
    )
    op.create_table(
        "webhook_secrets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.UUID(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["notifications.webhook_endpoints.id"],
            name=op.f("fk_webhook_secrets_endpoint_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_secrets")),
        schema="notifications",
    )
    op.create_table(
        "delivery_attempts",
        sa.Column("delivery_id", sa.UUID(), nullable=False),
        sa.Column("number", sa.SmallInteger(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("response_status", sa.SmallInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["notifications.deliveries.id"],
            name=op.f("fk_delivery_attempts_delivery_id_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("delivery_id", "number", name=op.f("pk_delivery_attempts")),
        schema="notifications",
    )


def _create_job_queue() -> None:
    op.execute("SET LOCAL search_path TO notifications")
    # Many statements in one: asyncpg's simple-query protocol takes them, a prepared statement would not.
    driver_connection = op.get_bind().connection.driver_connection
    assert driver_connection is not None  # noqa: S101 - an open connection
    await_only(driver_connection.execute(SchemaManager.get_schema()))
    op.execute(
        """
        DO $$
        DECLARE f record;
        BEGIN
            FOR f IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                     JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname = 'notifications' AND p.proname LIKE 'procrastinate%'
            LOOP
                EXECUTE format('ALTER FUNCTION %s SET search_path = notifications', f.signature);
            END LOOP;
        END $$;
        """
    )
    op.execute("RESET search_path")


def _drop_job_queue() -> None:
    op.execute(
        """
        DO $$
        DECLARE o record;
        BEGIN
            FOR o IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'notifications' AND c.relkind = 'r' AND c.relname LIKE 'procrastinate%'
            LOOP
                EXECUTE format('DROP TABLE IF EXISTS notifications.%I CASCADE', o.relname);
            END LOOP;
            FOR o IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                     JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname = 'notifications' AND p.proname LIKE 'procrastinate%'
            LOOP
                EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', o.signature);
            END LOOP;
            FOR o IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                     WHERE n.nspname = 'notifications' AND t.typname LIKE 'procrastinate%'
                       AND t.typtype IN ('e', 'c')
            LOOP
                EXECUTE format('DROP TYPE IF EXISTS notifications.%I CASCADE', o.typname);
            END LOOP;
        END $$;
        """
    )


def downgrade() -> None:
    op.drop_table("delivery_attempts", schema="notifications")
    op.drop_table("webhook_secrets", schema="notifications")
    op.drop_table("preferences", schema="notifications")
    op.drop_index(
        "ix_inbox_items_unread",
        table_name="inbox_items",
        schema="notifications",
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.drop_index("ix_inbox_items_recipient", table_name="inbox_items", schema="notifications")
    op.drop_table("inbox_items", schema="notifications")
    op.drop_index(
        "ix_digest_entries_pending",
        table_name="digest_entries",
        schema="notifications",
        postgresql_where=sa.text("digest_id IS NULL"),
    )
    op.drop_table("digest_entries", schema="notifications")
    op.drop_index("ix_deliveries_recipient", table_name="deliveries", schema="notifications")
    op.drop_index("ix_deliveries_log", table_name="deliveries", schema="notifications")
    op.drop_index(
        "ix_deliveries_lease",
        table_name="deliveries",
        schema="notifications",
        postgresql_where=sa.text("status = 'sending'"),
    )
    op.drop_index("ix_deliveries_event_type", table_name="deliveries", schema="notifications")
    op.drop_table("deliveries", schema="notifications")
    op.drop_index(
        "ix_webhook_endpoints_org_unit",
        table_name="webhook_endpoints",
        schema="notifications",
        postgresql_where=sa.text("active"),
    )
    op.drop_table("webhook_endpoints", schema="notifications")
    op.drop_table("template_versions", schema="notifications")
    op.drop_table("routing_rules", schema="notifications")
    op.drop_index(
        "ix_recipients_subscriptions", table_name="recipients", schema="notifications", postgresql_using="gin"
    )
    op.drop_index(
        "ix_recipients_roles", table_name="recipients", schema="notifications", postgresql_using="gin"
    )
    op.drop_index("ix_recipients_org_unit", table_name="recipients", schema="notifications")
    op.drop_table("recipients", schema="notifications")
    op.drop_table("idempotency_keys", schema="notifications")
    op.drop_index("ix_events_type_occurred", table_name="events", schema="notifications")
    op.drop_index(
        "ix_events_pending",
        table_name="events",
        schema="notifications",
        postgresql_where=sa.text("fanned_out_at IS NULL"),
    )
    op.drop_table("events", schema="notifications")
    _drop_job_queue()
