"""Org units carry their official administrative code (mã đơn vị hành chính), not unique over time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The seed leaves existing units as they are, so a database seeded before this revision gets the province's
# and the districts' codes here (the communes are new rows and bring theirs).
_SEEDED = {
    "HT": "42",
    "HT-HTI": "436",
    "HT-HLI": "437",
    "HT-HSO": "439",
    "HT-DTH": "440",
    "HT-VQU": "441",
    "HT-NXU": "442",
    "HT-CLO": "443",
    "HT-HKH": "444",
    "HT-THA": "445",
    "HT-CXU": "446",
    "HT-KAH": "447",
    "HT-LHA": "448",
    "HT-KAT": "449",
}


def upgrade() -> None:
    op.add_column(
        "org_units", sa.Column("official_code", sa.String(length=10), nullable=True), schema="targets"
    )
    op.create_index(
        op.f("ix_targets_org_units_official_code"),
        "org_units",
        ["official_code"],
        unique=False,
        schema="targets",
    )
    units = sa.table(
        "org_units", sa.column("code", sa.String), sa.column("official_code", sa.String), schema="targets"
    )
    for code, official_code in _SEEDED.items():
        op.execute(
            units.update()
            .where(units.c.code == code, units.c.official_code.is_(None))
            .values(official_code=official_code)
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_targets_org_units_official_code"), table_name="org_units", schema="targets")
    op.drop_column("org_units", "official_code", schema="targets")
