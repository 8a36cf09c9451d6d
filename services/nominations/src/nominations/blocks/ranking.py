"""A block's ranking from its score sheet: pure, so that 40 units × 60 criteria rank in well under 100 ms.

A leaf's adopted points are the leader's cross-check where there is one, else the automatic score of an
automatic criterion, else the unit's own score. A parent totals its children, capped at its maximum. Units
are ordered by total, then by each tie-break criterion's subtotal in the sheet's order; units still equal
share a rank (1, 1, 3) as the block's meeting must then decide between them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from nominations.blocks.models import ScoreStage

# Which stage's points a leaf adopts, first found first.
PRECEDENCE = (ScoreStage.CHECKED.value, ScoreStage.AUTO.value, ScoreStage.SELF.value)


@dataclass(frozen=True, slots=True)
class Line:
    code: str
    parent: str | None
    max_points: Decimal


@dataclass(frozen=True, slots=True)
class Ranked:
    rank: int
    org_unit: str
    total: Decimal
    subtotals: dict[str, Decimal]
    tie_break_values: list[Decimal]
    missing: list[str]


def rank(
    sheet: Sequence[Line],
    members: Sequence[str],
    scores: Iterable[tuple[str, str, str, Decimal]],
    tie_breaks: Sequence[str],
) -> list[Ranked]:
    """``scores`` are (org unit, criterion, stage, points)."""
    children: dict[str | None, list[Line]] = defaultdict(list)
    for line in sheet:
        children[line.parent].append(line)
    leaves = [line.code for line in sheet if not children.get(line.code)]
    order = {stage: index for index, stage in enumerate(PRECEDENCE)}
    adopted: dict[str, dict[str, tuple[int, Decimal]]] = {unit: {} for unit in members}
    for unit, code, stage, points in scores:
        kept = adopted.get(unit)
        if kept is None:
            continue
        found = kept.get(code)
        if found is None or order[stage] < found[0]:
            kept[code] = (order[stage], points)
    # Parents after their children: the sheet lists parents first, so walk it backwards.
    bottom_up = list(reversed(sheet))
    roots = [line.code for line in children[None]]
    rows: list[tuple[tuple[Decimal, ...], str, Decimal, dict[str, Decimal], list[Decimal], list[str]]] = []
    for unit in members:
        given = {code: value for code, (_, value) in adopted[unit].items()}
        totals: dict[str, Decimal] = {}
        for line in bottom_up:
            below = children.get(line.code)
            if below:
                totals[line.code] = min(line.max_points, sum((totals[c.code] for c in below), Decimal(0)))
            else:
                totals[line.code] = min(line.max_points, given.get(line.code, Decimal(0)))
        total = sum((totals[code] for code in roots), Decimal(0))
        breaks = [totals[code] for code in tie_breaks]
        missing = [code for code in leaves if code not in given]
        rows.append(
            (
                (-total, *(-value for value in breaks)),
                unit,
                total,
                {c: totals[c] for c in roots},
                breaks,
                missing,
            )
        )
    rows.sort(key=lambda row: (row[0], row[1]))
    ranked: list[Ranked] = []
    for index, (key, unit, total, subtotals, breaks, missing) in enumerate(rows):
        shared = index > 0 and key == rows[index - 1][0]
        ranked.append(
            Ranked(ranked[-1].rank if shared else index + 1, unit, total, subtotals, breaks, missing)
        )
    return ranked
