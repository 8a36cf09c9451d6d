"""docs/nominations.md holds a row for every seeded award type version, as the seed holds it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nominations.catalogue.seed import catalogue_data

DOC = Path(__file__).resolve().parents[2] / "docs" / "nominations.md"
COMPARISON = {"gte": "≥", "gt": ">"}
BASE = {"all_members": "of all members", "present": "of those present"}


def row(item: dict[str, Any]) -> str:
    """One award type version as docs/nominations.md tabulates it."""
    dates = f"{item['valid_from']} – {item['valid_to'] or 'open'}"
    vote = f"{COMPARISON[item['vote_comparison']]} {item['vote_threshold']:.0%} {BASE[item['vote_base']]}"
    stage = item["disclosure_stage"].replace("_", " ")
    if item["disclosure_working_days"]:
        stage += f", {item['disclosure_working_days']} working days"
    return (
        f"| `{item['code']}` | {dates} | {item['deciding_authority']} | {item['bonus_coefficient']} "
        f"| {vote} | {stage} | {item['legal_source']}; bonus: {item['bonus_source']} |"
    )


def test_every_seeded_version_is_in_the_table() -> None:
    lines = set(DOC.read_text(encoding="utf-8").splitlines())
    missing = [row(item) for item in catalogue_data()["award_types"] if row(item) not in lines]
    assert not missing, "regenerate the table in docs/nominations.md:\n" + "\n".join(missing)
