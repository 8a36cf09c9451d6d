"""Nominations keep their award's name and their count of open objections.

The award's name (of the version in force on the round's reference date) is taken once, like the nominating
unit's name, so the public disclosure list reads one table; the count of open objections is kept by the
workflow as objections are filed and resolved, so the guard that blocks a decision reads the nomination. A
council's vote threshold kept in its results becomes a JSON number, as every decimal of the API is.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("nominations", sa.Column("award_name", sa.Text(), nullable=True), schema="nominations")
    op.execute(
        """
        UPDATE nominations.nominations n
           SET award_name = coalesce(
                   (SELECT t.name FROM nominations.award_types t
                      JOIN nominations.rounds r ON r.id = n.round_id
                     WHERE t.code = n.award_type_code AND t.valid_from <= r.reference_date
                       AND (t.valid_to IS NULL OR t.valid_to >= r.reference_date)
                     ORDER BY t.valid_from DESC LIMIT 1),
                   n.award_type_code)
        """
    )
    op.alter_column("nominations", "award_name", nullable=False, schema="nominations")
    op.add_column(
        "nominations",
        sa.Column("open_objections", sa.Integer(), server_default=sa.text("0"), nullable=False),
        schema="nominations",
    )
    op.execute(
        """
        UPDATE nominations.nominations n
           SET open_objections = (SELECT count(*) FROM nominations.objections o
                                   WHERE o.nomination_id = n.id AND o.status = 'open')
        """
    )
    op.create_check_constraint(
        op.f("ck_nominations_open_objections"), "nominations", "open_objections >= 0", schema="nominations"
    )
    # A council's threshold is a JSON number, like the award type's (it was written as a string).
    op.execute(
        """
        UPDATE nominations.nominations
           SET council_result = jsonb_set(
                   council_result, '{threshold}', to_jsonb((council_result->>'threshold')::numeric))
         WHERE jsonb_typeof(council_result->'threshold') = 'string'
        """
    )
    op.execute(
        """
        UPDATE nominations.nomination_events
           SET details = jsonb_set(details, '{threshold}', to_jsonb((details->>'threshold')::numeric))
         WHERE jsonb_typeof(details->'threshold') = 'string'
        """
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("ck_nominations_open_objections"), "nominations", type_="check", schema="nominations"
    )
    op.drop_column("nominations", "open_objections", schema="nominations")
    op.drop_column("nominations", "award_name", schema="nominations")
