"""Every query on org units."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from targets.org_units.hierarchy import Hierarchy, ParentLink, UnitInfo
from targets.org_units.models import OrgUnit, OrgUnitParent, OrgUnitRestructuring, OrgUnitSuccession


async def load_hierarchy(session: AsyncSession) -> Hierarchy:
    units = (await session.execute(select(OrgUnit))).scalars().all()
    links = (await session.execute(select(OrgUnitParent))).scalars().all()
    successions = (
        await session.execute(select(OrgUnitSuccession.predecessor_id, OrgUnitSuccession.successor_id))
    ).all()
    successors: dict[int, set[int]] = {}
    for predecessor, successor in successions:
        if predecessor != successor:
            successors.setdefault(predecessor, set()).add(successor)
    return Hierarchy(
        units={
            unit.id: UnitInfo(
                id=unit.id,
                code=unit.code,
                name=unit.name,
                type=unit.type,
                valid_from=unit.valid_from,
                valid_to=unit.valid_to,
                remote=unit.remote,
                border=unit.border,
                mountainous=unit.mountainous,
                official_code=unit.official_code,
            )
            for unit in units
        },
        links=[
            ParentLink(
                org_unit_id=link.org_unit_id,
                parent_id=link.parent_id,
                valid_from=link.valid_from,
                valid_to=link.valid_to,
            )
            for link in links
        ],
        successors={unit: frozenset(found) for unit, found in successors.items()},
    )


def by_code(code: str) -> Select[OrgUnit]:
    return select(OrgUnit).where(OrgUnit.code == code)


async def get_by_code(session: AsyncSession, code: str) -> OrgUnit | None:
    return (await session.execute(by_code(code))).scalar_one_or_none()


async def get_by_codes(session: AsyncSession, codes: Sequence[str]) -> dict[str, OrgUnit]:
    rows = (await session.execute(select(OrgUnit).where(OrgUnit.code.in_(codes)))).scalars()
    return {unit.code: unit for unit in rows}


async def parent_links(session: AsyncSession, org_unit_id: int) -> list[OrgUnitParent]:
    query = (
        select(OrgUnitParent)
        .where(OrgUnitParent.org_unit_id == org_unit_id)
        .order_by(OrgUnitParent.valid_from)
    )
    return list((await session.execute(query)).scalars())


async def successions_of(
    session: AsyncSession, org_unit_id: int
) -> list[tuple[OrgUnitRestructuring, int, int]]:
    """Restructurings the unit took part in, with each (predecessor_id, successor_id) link."""
    query = (
        select(OrgUnitRestructuring, OrgUnitSuccession.predecessor_id, OrgUnitSuccession.successor_id)
        .join(OrgUnitSuccession, OrgUnitSuccession.restructuring_id == OrgUnitRestructuring.id)
        .where(
            (OrgUnitSuccession.predecessor_id == org_unit_id)
            | (OrgUnitSuccession.successor_id == org_unit_id)
        )
        # Fully ordered, so that the successors of a split come back in the same order every time.
        .order_by(
            OrgUnitRestructuring.effective_date,
            OrgUnitRestructuring.id,
            OrgUnitSuccession.predecessor_id,
            OrgUnitSuccession.successor_id,
        )
    )
    return [(row[0], row[1], row[2]) for row in (await session.execute(query)).all()]


async def children_on(session: AsyncSession, parent_id: int, day: dt.date) -> list[OrgUnit]:
    query = (
        select(OrgUnit)
        .join(OrgUnitParent, OrgUnitParent.org_unit_id == OrgUnit.id)
        .where(
            OrgUnitParent.parent_id == parent_id,
            OrgUnitParent.valid_from <= day,
            (OrgUnitParent.valid_to.is_(None)) | (OrgUnitParent.valid_to >= day),
        )
    )
    return list((await session.execute(query)).scalars())


async def predecessors_of_acts(session: AsyncSession, kind: str, effective_date: dt.date) -> list[set[int]]:
    """The predecessor ids of each recorded restructuring of this kind and date."""
    query = (
        select(OrgUnitSuccession.restructuring_id, OrgUnitSuccession.predecessor_id)
        .join(OrgUnitRestructuring, OrgUnitRestructuring.id == OrgUnitSuccession.restructuring_id)
        .where(OrgUnitRestructuring.kind == kind, OrgUnitRestructuring.effective_date == effective_date)
    )
    acts: dict[int, set[int]] = {}
    for act, predecessor in (await session.execute(query)).all():
        acts.setdefault(act, set()).add(predecessor)
    recorded = select(OrgUnitRestructuring.id).where(
        OrgUnitRestructuring.kind == kind, OrgUnitRestructuring.effective_date == effective_date
    )
    # An act with no successors (a dissolution) has no succession rows; its predecessors are its ended units.
    for act in (await session.execute(recorded)).scalars():
        acts.setdefault(act, set())
    return list(acts.values())


async def all_units(session: AsyncSession) -> list[OrgUnit]:
    return list((await session.execute(select(OrgUnit))).scalars())


async def acts_without_successors(
    session: AsyncSession, kind: str, effective_date: dt.date, created_by: str
) -> list[OrgUnitRestructuring]:
    """The acts of this kind and date, written by ``created_by``, that link no successor."""
    linked = select(OrgUnitSuccession.restructuring_id)
    query = select(OrgUnitRestructuring).where(
        OrgUnitRestructuring.kind == kind,
        OrgUnitRestructuring.effective_date == effective_date,
        OrgUnitRestructuring.created_by == created_by,
        OrgUnitRestructuring.id.not_in(linked),
    )
    return list((await session.execute(query)).scalars())


async def delete_acts(session: AsyncSession, acts: list[OrgUnitRestructuring]) -> None:
    for act in acts:
        await session.delete(act)
    await session.flush()
