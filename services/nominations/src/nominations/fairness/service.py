"""Commendation fairness (Kế hoạch thi đua 2021-2025, IV.4): whether awards reach the groups the plan names
(workers, farmers, direct labourers, small collectives, the grassroots, remote, mountainous and border
areas; women and ethnic minorities) as often as they are nominated, by year and unit.

The groups are fields of the nominee, personal data: the report counts only the dossiers the caller may
read (its unit and the units below, or every unit for province-wide roles), on the hierarchy of the year's
last day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from nominations.fairness.schemas import FairnessReport, GroupShare, UnitFairness
from nominations.nominations import service as nominations
from nominations.nominations.schemas import NomineeGroup
from nominations.org_scope import ScopeCheck
from nominations.rounds import service as rounds
from shared.problems import NotFound

LABELS = {
    NomineeGroup.WORKER: "Công nhân",
    NomineeGroup.FARMER: "Nông dân",
    NomineeGroup.DIRECT_LABOURER: "Người lao động trực tiếp",
    NomineeGroup.SMALL_COLLECTIVE: "Tập thể nhỏ",
    NomineeGroup.WOMAN: "Phụ nữ",
    NomineeGroup.ETHNIC_MINORITY: "Người dân tộc thiểu số",
    NomineeGroup.REMOTE_AREA: "Vùng sâu, vùng xa",
    NomineeGroup.BORDER_AREA: "Vùng biên giới",
}


class FairnessUnitUnknown(NotFound):
    slug = "fairness-unit-unknown"
    title = "No such org unit in that year"


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


async def fairness(session: AsyncSession, scope: ScopeCheck, *, year: int, org_unit: str) -> FairnessReport:
    day = dt.date(year, 12, 31)
    hierarchy = await scope.targets.hierarchy(day, scope.token)
    if hierarchy.get(org_unit) is None:
        raise FairnessUnitUnknown(f"No org unit has the code {org_unit!r} on {day}.")
    await scope.require(org_unit, day)
    units = hierarchy.below(org_unit)
    visible = await scope.visible_units(day)
    if visible is not None:
        units &= visible
    rows = await nominations.group_counts(
        session, round_ids=await rounds.ids_of_year(session, year), units=sorted(units)
    )
    totals: dict[str, tuple[int, int, int]] = {}
    by_unit: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for unit, group, nominated, awarded, decided in rows:
        if unit is None:
            totals[group] = (nominated, awarded, decided)
        else:
            by_unit[unit][group] = [nominated, awarded]
    everyone = totals.get(nominations.ALL_GROUPS, (0, 0, 0))
    shares: list[GroupShare] = []
    for group in NomineeGroup:
        nominated, awarded, _ = totals.get(group.value, (0, 0, 0))
        nomination_share = _share(nominated, everyone[0])
        award_share = _share(awarded, everyone[1])
        shares.append(
            GroupShare(
                group=group.value,
                label=LABELS[group],
                nominations=nominated,
                awards=awarded,
                nomination_share=nomination_share,
                award_share=award_share,
                award_rate=_share(awarded, nominated),
                # From the counts, not the rounded shares.
                representation=round((awarded * everyone[0]) / (nominated * everyone[1]), 4)
                if nominated and everyone[1]
                else None,
            )
        )
    return FairnessReport(
        year=year,
        org_unit=org_unit,
        nominations=everyone[0],
        awards=everyone[1],
        decided=everyone[2],
        groups=shares,
        units=[
            UnitFairness(
                org_unit=unit,
                nominations=counts[nominations.ALL_GROUPS][0],
                awards=counts[nominations.ALL_GROUPS][1],
                groups={
                    group: value for group, value in sorted(counts.items()) if group != nominations.ALL_GROUPS
                },
            )
            for unit, counts in sorted(by_unit.items())
        ],
    )
