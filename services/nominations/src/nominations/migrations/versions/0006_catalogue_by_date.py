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

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "nominations"
# The rows the seed wrote before this revision, by their keys (the seed's data at revision 0005): they become
# the seed's own; any other row was entered through the API.
SEEDED_AWARD_TYPES = [
    ("BANG_KHEN_CT_TINH", "2024-01-01"),
    ("BANG_KHEN_CT_TINH_TT", "2024-01-01"),
    ("BANG_KHEN_TTG", "2024-01-01"),
    ("CO_THI_DUA_CP", "2024-01-01"),
    ("CO_THI_DUA_TINH", "2024-01-01"),
    ("CSTD_CAP_TINH", "2021-01-01"),
    ("CSTD_CAP_TINH", "2024-01-01"),
    ("CSTD_CO_SO", "2021-01-01"),
    ("CSTD_CO_SO", "2024-01-01"),
    ("CSTD_TOAN_QUOC", "2024-01-01"),
    ("GIAY_KHEN", "2024-01-01"),
    ("GIAY_KHEN_CT_HUYEN", "2024-01-01"),
    ("GIAY_KHEN_CT_XA", "2024-01-01"),
    ("GIA_DINH_VAN_HOA", "2024-01-01"),
    ("HUAN_CHUONG_LD_3", "2024-01-01"),
    ("LDTT", "2024-01-01"),
    ("THON_VAN_HOA", "2024-01-01"),
    ("TT_LDTT", "2024-01-01"),
    ("TT_LDXS", "2024-01-01"),
]
SEEDED_RULES = [
    ("BANG_KHEN_CT_TINH", "no_open_discipline", "2021-01-01"),
    ("BANG_KHEN_CT_TINH", "one_achievement_one_award", "2021-01-01"),
    ("BANG_KHEN_CT_TINH_TT", "no_open_discipline", "2021-01-01"),
    ("BANG_KHEN_CT_TINH_TT", "one_achievement_one_award", "2021-01-01"),
    ("BANG_KHEN_TTG", "no_open_discipline", "2021-01-01"),
    ("BANG_KHEN_TTG", "one_achievement_one_award", "2021-01-01"),
    ("CO_THI_DUA_CP", "no_open_discipline", "2021-01-01"),
    ("CO_THI_DUA_CP", "one_achievement_one_award", "2021-01-01"),
    ("CO_THI_DUA_TINH", "no_open_discipline", "2021-01-01"),
    ("CO_THI_DUA_TINH", "one_achievement_one_award", "2021-01-01"),
    ("CSTD_CAP_TINH", "consecutive_titles", "2021-01-01"),
    ("CSTD_CAP_TINH", "consecutive_titles", "2024-01-01"),
    ("CSTD_CAP_TINH", "initiative", "2021-01-01"),
    ("CSTD_CAP_TINH", "no_open_discipline", "2021-01-01"),
    ("CSTD_CAP_TINH", "one_achievement_one_award", "2021-01-01"),
    ("CSTD_CO_SO", "holds_title", "2021-01-01"),
    ("CSTD_CO_SO", "initiative", "2021-01-01"),
    ("CSTD_CO_SO", "initiative", "2024-01-01"),
    ("CSTD_CO_SO", "no_open_discipline", "2021-01-01"),
    ("CSTD_CO_SO", "one_achievement_one_award", "2021-01-01"),
    ("CSTD_CO_SO", "quota", "2024-01-01"),
    ("CSTD_TOAN_QUOC", "consecutive_titles", "2021-01-01"),
    ("CSTD_TOAN_QUOC", "initiative", "2021-01-01"),
    ("CSTD_TOAN_QUOC", "no_open_discipline", "2021-01-01"),
    ("CSTD_TOAN_QUOC", "one_achievement_one_award", "2021-01-01"),
    ("GIAY_KHEN", "no_open_discipline", "2021-01-01"),
    ("GIAY_KHEN", "one_achievement_one_award", "2021-01-01"),
    ("GIAY_KHEN_CT_HUYEN", "no_open_discipline", "2021-01-01"),
    ("GIAY_KHEN_CT_HUYEN", "one_achievement_one_award", "2021-01-01"),
    ("GIAY_KHEN_CT_XA", "no_open_discipline", "2021-01-01"),
    ("GIAY_KHEN_CT_XA", "one_achievement_one_award", "2021-01-01"),
    ("HUAN_CHUONG_LD_3", "no_open_discipline", "2021-01-01"),
    ("HUAN_CHUONG_LD_3", "one_achievement_one_award", "2021-01-01"),
    ("LDTT", "no_open_discipline", "2021-01-01"),
    ("LDTT", "one_achievement_one_award", "2021-01-01"),
    ("TT_LDTT", "member_share", "2021-01-01"),
    ("TT_LDTT", "members_completed_duties", "2021-01-01"),
    ("TT_LDTT", "no_open_discipline", "2021-01-01"),
    ("TT_LDTT", "one_achievement_one_award", "2021-01-01"),
    ("TT_LDXS", "member_count", "2021-01-01"),
    ("TT_LDXS", "member_share", "2021-01-01"),
    ("TT_LDXS", "members_completed_duties", "2021-01-01"),
    ("TT_LDXS", "no_open_discipline", "2021-01-01"),
    ("TT_LDXS", "one_achievement_one_award", "2021-01-01"),
]
SEEDED_QUOTAS = [("CSTD_CO_SO", "award:LDTT", "2024-01-01")]
SEEDED_SALARIES = ["2019-07-01", "2023-07-01", "2024-07-01"]


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
    bind = op.get_bind()
    for code, start in SEEDED_AWARD_TYPES:
        bind.execute(
            sa.text(
                "UPDATE nominations.award_types SET origin = 'seed'"
                " WHERE code = :code AND valid_from = :start"
            ),
            {"code": code, "start": dt.date.fromisoformat(start)},
        )
    for code, kind, start in SEEDED_RULES:
        bind.execute(
            sa.text(
                "UPDATE nominations.eligibility_rules SET origin = 'seed'"
                " WHERE award_type_code = :code AND kind = :kind AND valid_from = :start"
            ),
            {"code": code, "kind": kind, "start": dt.date.fromisoformat(start)},
        )
    for code, basis, start in SEEDED_QUOTAS:
        bind.execute(
            sa.text(
                "UPDATE nominations.quotas SET origin = 'seed'"
                " WHERE award_type_code = :code AND basis = :basis AND valid_from = :start"
            ),
            {"code": code, "basis": basis, "start": dt.date.fromisoformat(start)},
        )
    for start in SEEDED_SALARIES:
        bind.execute(
            sa.text("UPDATE nominations.base_salaries SET origin = 'seed' WHERE valid_from = :start"),
            {"start": dt.date.fromisoformat(start)},
        )
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
    op.add_column("nominations", sa.Column("catalogue_date", sa.Date(), nullable=True), schema=SCHEMA)
    # The date whose catalogue judges each nomination, by the rule the service now follows (Nghị định
    # 152/2025/NĐ-CP Điều 60 khoản 3): the regime its first sending came under, if it began after the round's
    # reference date; drafts take their round's date until they are sent.
    op.execute(
        """
        UPDATE nominations.nominations n
           SET catalogue_date = CASE
                 WHEN n.first_submitted_at IS NULL THEN r.reference_date
                 WHEN r.reference_date < DATE '2025-07-01'
                  AND (n.first_submitted_at AT TIME ZONE 'UTC' + INTERVAL '7 hours')::date
                      >= DATE '2025-07-01'
                   THEN DATE '2025-07-01'
                 WHEN r.reference_date < DATE '2024-01-01'
                  AND (n.first_submitted_at AT TIME ZONE 'UTC' + INTERVAL '7 hours')::date
                      >= DATE '2024-01-01'
                   THEN DATE '2024-01-01'
                 ELSE r.reference_date
               END
          FROM nominations.rounds r
         WHERE r.id = n.round_id
        """
    )
    # A council's pass with no public period used to leave the nomination in 'disclosure' with no end:
    # such a nomination now awaits its decision as 'approved', and is no longer listed for objections.
    op.execute(
        """
        UPDATE nominations.nominations
           SET status = 'approved', disclosure_from = NULL
         WHERE status = 'disclosure' AND disclosure_until IS NULL
           AND (council_result->>'passed')::boolean IS TRUE
        """
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
