"""The org-unit directory: the hierarchy on any date, and its upkeep as the law restructures it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.concurrency import check_if_match
from shared.pagination import Page, as_code, decode_keyset, encode_cursor
from shared.problems import Conflict, NotFound, UnprocessableContent
from targets.cache.counters import bump_catalogue
from targets.org_units import repository
from targets.org_units.hierarchy import Hierarchy
from targets.org_units.models import (
    OrgUnit,
    OrgUnitParent,
    OrgUnitRestructuring,
    OrgUnitSuccession,
    RestructuringKind,
)
from targets.org_units.schemas import (
    OrgUnitDetail,
    OrgUnitIn,
    OrgUnitOut,
    OrgUnitPatch,
    ParentLinkOut,
    RestructuringIn,
    RestructuringOut,
    SuccessionOut,
)

if TYPE_CHECKING:
    from targets.cache.service import CatalogueCache

ONE_DAY = dt.timedelta(days=1)


class OrgUnitNotFound(NotFound):
    slug = "org-unit-not-found"
    title = "Org unit not found"


class OrgUnitExists(Conflict):
    slug = "org-unit-exists"
    title = "Org unit code already used"


class RestructuringRecorded(Conflict):
    slug = "restructuring-recorded"
    title = "Restructuring already recorded"


class InvalidHierarchyChange(UnprocessableContent):
    slug = "invalid-hierarchy-change"
    title = "Invalid hierarchy change"


def _exists_on(unit: OrgUnit, day: dt.date) -> bool:
    return unit.valid_from <= day and (unit.valid_to is None or day <= unit.valid_to)


def _earliest(*days: dt.date | None) -> dt.date | None:
    return min((day for day in days if day is not None), default=None)


def _out(unit: OrgUnit, hierarchy: Hierarchy, day: dt.date) -> OrgUnitOut:
    exists = _exists_on(unit, day)
    parent = hierarchy.parent_on(unit.id, day) if exists else None
    return OrgUnitOut(
        code=unit.code,
        official_code=unit.official_code,
        name=unit.name,
        name_en=unit.name_en,
        type=unit.type,
        level=hierarchy.level_on(unit.id, day) if exists else None,
        parent=hierarchy.units[parent].code if parent is not None else None,
        valid_from=unit.valid_from,
        valid_to=unit.valid_to,
        remote=unit.remote,
        border=unit.border,
        mountainous=unit.mountainous,
        notes=unit.notes,
    )


async def list_org_units(
    session: AsyncSession,
    catalogue: CatalogueCache,
    *,
    day: dt.date,
    parent: str | None,
    level: int | None,
    unit_type: str | None,
    limit: int,
    cursor: str | None,
    official_code: str | None = None,
) -> Page[OrgUnitOut]:
    """Units that existed on ``day``, ordered by code, with their parent and level on that day; with
    ``official_code``, the unit that held that official code on that day (the lists give an ended unit's
    code to a new one: 18073 is Nam Hà to 30/6/2025, Thành Sen from 1/7/2025)."""
    snapshot, _ = await catalogue.get(session)
    hierarchy = snapshot.hierarchy
    key = decode_keyset(cursor, as_code)
    ids = [unit.id for unit in hierarchy.units.values() if unit.exists_on(day)]
    if parent is not None:
        parent_unit = hierarchy.by_code(parent)
        if parent_unit is None:
            raise OrgUnitNotFound(f"No org unit has the code {parent!r}.")
        children = set(hierarchy.children_on(parent_unit.id, day))
        ids = [unit_id for unit_id in ids if unit_id in children]
    if level is not None:
        ids = [unit_id for unit_id in ids if hierarchy.level_on(unit_id, day) == level]
    if unit_type is not None:
        ids = [unit_id for unit_id in ids if hierarchy.units[unit_id].type == unit_type]
    if official_code is not None:
        ids = [unit_id for unit_id in ids if hierarchy.units[unit_id].official_code == official_code]
    codes = sorted(hierarchy.units[unit_id].code for unit_id in ids)
    if key is not None:
        codes = [code for code in codes if code > key[0]]
    page = codes[: limit + 1]
    units = await repository.get_by_codes(session, page[:limit])
    items = [_out(units[code], hierarchy, day) for code in page[:limit]]
    next_cursor = encode_cursor([page[limit - 1]]) if len(page) > limit else None
    return Page(items=items, next_cursor=next_cursor)


async def get_org_unit(
    session: AsyncSession, catalogue: CatalogueCache, code: str, day: dt.date
) -> OrgUnitDetail:
    snapshot, _ = await catalogue.get(session)
    unit = await repository.get_by_code(session, code)
    if unit is None:
        raise OrgUnitNotFound(f"No org unit has the code {code!r}.")
    hierarchy = snapshot.hierarchy
    units = hierarchy.units
    links = await repository.parent_links(session, unit.id)
    successions = await repository.successions_of(session, unit.id)

    def succession(restructuring: OrgUnitRestructuring, predecessor: int, successor: int) -> SuccessionOut:
        return SuccessionOut(
            kind=restructuring.kind,
            effective_date=restructuring.effective_date,
            predecessor=units[predecessor].code,
            successor=units[successor].code,
            legal_source=restructuring.legal_source,
        )

    return OrgUnitDetail(
        **_out(unit, hierarchy, day).model_dump(),
        parents=[
            ParentLinkOut(
                parent=units[link.parent_id].code, valid_from=link.valid_from, valid_to=link.valid_to
            )
            for link in links
        ],
        predecessors=[succession(r, p, s) for r, p, s in successions if s == unit.id and p != unit.id],
        successors=[succession(r, p, s) for r, p, s in successions if p == unit.id and s != unit.id],
        version=unit.version,
    )


async def _parent_or_fail(session: AsyncSession, code: str) -> OrgUnit:
    parent = await repository.get_by_code(session, code)
    if parent is None:
        raise OrgUnitNotFound(f"No org unit has the code {code!r} (given as parent).")
    return parent


async def create_org_unit(session: AsyncSession, principal: Principal, body: OrgUnitIn) -> OrgUnit:
    parent = await _parent_or_fail(session, body.parent) if body.parent else None
    # The link starts on valid_from, so the parent must exist then (not only not have ended).
    if parent is not None and not _exists_on(parent, body.valid_from):
        raise InvalidHierarchyChange(
            f"The parent {parent.code} does not exist on {body.valid_from}"
            f" (from {parent.valid_from} to {parent.valid_to or 'now'})."
        )
    unit = OrgUnit(
        code=body.code,
        official_code=body.official_code,
        name=body.name,
        name_en=body.name_en,
        type=body.type.value,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        remote=body.remote,
        border=body.border,
        mountainous=body.mountainous,
        notes=body.notes,
    )
    try:
        async with session.begin_nested():
            session.add(unit)
            await session.flush()
    except IntegrityError:
        raise OrgUnitExists(f"The code {body.code!r} is already used by another org unit.") from None
    if parent is not None:
        session.add(
            OrgUnitParent(
                org_unit_id=unit.id,
                parent_id=parent.id,
                valid_from=body.valid_from,
                valid_to=_earliest(body.valid_to, parent.valid_to),
            )
        )
    await bump_catalogue(session)
    await session.flush()
    return unit


async def update_org_unit(
    session: AsyncSession, code: str, body: OrgUnitPatch, if_match: str | None
) -> OrgUnit:
    unit = await repository.get_by_code(session, code)
    if unit is None:
        raise OrgUnitNotFound(f"No org unit has the code {code!r}.")
    check_if_match(if_match, unit.version)
    old_valid_to = unit.valid_to
    changes = body.model_dump(exclude_unset=True, exclude={"parent", "parent_from"})
    for field, value in changes.items():
        setattr(unit, field, value.value if hasattr(value, "value") else value)
    if unit.valid_to is not None and unit.valid_to < unit.valid_from:
        raise InvalidHierarchyChange("valid_to must not be before valid_from.")
    links = await repository.parent_links(session, unit.id)
    if "valid_to" in changes:
        # Cutting such a link would leave it ending before it begins (a check violation, i.e. a 500).
        late = [link for link in links if unit.valid_to is not None and link.valid_from > unit.valid_to]
        if late:
            raise InvalidHierarchyChange(
                f"{unit.code} has a parent link from {late[0].valid_from}; it cannot end before that."
            )
        if unit.valid_to is not None and (old_valid_to is None or unit.valid_to < old_valid_to):
            stranded = [
                child.code
                for child in await repository.children_on(session, unit.id, unit.valid_to)
                if child.valid_to is None or child.valid_to > unit.valid_to
            ]
            if stranded:
                # Ending a unit is a restructuring when units below it go on: the act says where they go.
                listed = ", ".join(sorted(stranded)[:20])
                raise InvalidHierarchyChange(
                    f"{unit.code} still has units below it after {unit.valid_to} ({listed}); end it with"
                    " POST /api/v1/org-units/restructurings and move_children_to.",
                    stranded=sorted(stranded),
                )
        for link in links:
            if link.valid_to is None or (unit.valid_to is not None and link.valid_to > unit.valid_to):
                link.valid_to = unit.valid_to
            elif old_valid_to is not None and link.valid_to == old_valid_to:
                # Reopened or extended: the link cut when the unit ended goes on with it.
                link.valid_to = unit.valid_to
    if body.parent is not None and body.parent_from is not None:
        parent = await _parent_or_fail(session, body.parent)
        if parent.id == unit.id:
            raise InvalidHierarchyChange("An org unit cannot be its own parent.")
        await _refuse_cycle(session, unit, parent, body.parent_from)
        _move(links, unit, parent, body.parent_from, session)
    await bump_catalogue(session)
    await session.flush()
    return unit


async def _refuse_cycle(session: AsyncSession, unit: OrgUnit, parent: OrgUnit, day: dt.date) -> None:
    """Refuse to put ``unit`` under one of its own descendants, on ``day`` or on any later day.

    A cycle would make levels and scopes wrong (``Hierarchy.ancestors_on`` only stops at one). The parent's
    ancestry can change after ``day``, so it is checked on every day on which some link begins or ends.
    """
    hierarchy = await repository.load_hierarchy(session)
    days = {day}
    for link in hierarchy.links:
        days.update(edge for edge in (link.valid_from, link.valid_to and link.valid_to + ONE_DAY) if edge)
    for checked in sorted(edge for edge in days if edge >= day):
        if unit.valid_to is not None and checked > unit.valid_to:
            break
        if unit.id in hierarchy.ancestors_on(parent.id, checked):
            raise InvalidHierarchyChange(
                f"{parent.code} is below {unit.code} on {checked}; the move would make a cycle."
            )


def _move(
    links: list[OrgUnitParent], unit: OrgUnit, parent: OrgUnit, day: dt.date, session: AsyncSession
) -> None:
    # A link outside the unit's or the parent's life would end before it begins (a check violation) or
    # point at a unit that does not exist.
    if not _exists_on(unit, day):
        raise InvalidHierarchyChange(f"{unit.code} does not exist on {day}.")
    if not _exists_on(parent, day):
        raise InvalidHierarchyChange(f"The parent {parent.code} does not exist on {day}.")
    if any(link.valid_from >= day for link in links):
        raise InvalidHierarchyChange(f"{unit.code} already has a parent link starting on or after {day}.")
    for link in links:
        if link.valid_to is None or link.valid_to >= day:
            link.valid_to = day - ONE_DAY
    session.add(
        OrgUnitParent(
            org_unit_id=unit.id,
            parent_id=parent.id,
            valid_from=day,
            valid_to=_earliest(unit.valid_to, parent.valid_to),
        )
    )
    # The parents are part of the unit's representation, so a move is a new version (a new ETag) even when
    # no column of the unit itself changed; touching a column makes the ORM bump version_id_col.
    unit.updated_at = func.now()


async def _placed_elsewhere(session: AsyncSession, unit: OrgUnit, ended_ids: set[int], day: dt.date) -> bool:
    """Whether ``unit`` already sits under a parent that goes on, from ``day`` (the act sent it elsewhere).

    Resolution 1283 merged Lộc Hà into Thạch Hà but sent its commune Hộ Độ to TP Hà Tĩnh: once Hộ Độ has its
    new parent from 2025-01-01, the merger leaves it there instead of moving it to Thạch Hà.
    """
    return any(
        link.parent_id not in ended_ids
        and link.valid_from <= day
        and (link.valid_to is None or day <= link.valid_to)
        for link in await repository.parent_links(session, unit.id)
    )


def _ended_by(units: dict[str, OrgUnit], codes: list[str], day: dt.date) -> bool:
    """Whether all these units already end the day before ``day`` (a dissolution recorded for them)."""
    return all(units[code].valid_to == day - ONE_DAY for code in codes)


async def restructure(session: AsyncSession, principal: Principal, body: RestructuringIn) -> RestructuringOut:
    """Record a restructuring and apply it to the hierarchy.

    Predecessors that are not also successors end the day before ``effective_date`` (with their parent
    links). For a merge or a rename (one successor that continues them), the units below the ended
    predecessors move under the successor on that date, except those already placed under another parent
    from that date.
    """
    codes = {
        *body.predecessors,
        *body.successors,
        *([body.move_children_to] if body.move_children_to else []),
    }
    units = await repository.get_by_codes(session, sorted(codes))
    missing = sorted(codes - units.keys())
    if missing:
        raise OrgUnitNotFound(f"No org unit has the code(s): {', '.join(missing)}.")
    day = body.effective_date
    predecessor_ids = {units[code].id for code in body.predecessors}
    if any(
        recorded == predecessor_ids or (not recorded and _ended_by(units, body.predecessors, day))
        for recorded in await repository.predecessors_of_acts(session, body.kind.value, day)
    ):
        raise RestructuringRecorded(
            f"A {body.kind.value} of {', '.join(body.predecessors)} on {day} is already recorded."
        )
    last_day = day - ONE_DAY
    for code in body.predecessors:
        unit = units[code]
        if not (unit.valid_from <= last_day and (unit.valid_to is None or unit.valid_to >= last_day)):
            raise InvalidHierarchyChange(f"{code} did not exist on {last_day}, the day before the change.")
    for code in [*body.successors, *([body.move_children_to] if body.move_children_to else [])]:
        if not _exists_on(units[code], day):
            raise InvalidHierarchyChange(f"{code} does not exist on {day}, when the change takes effect.")
    ended = [code for code in body.predecessors if code not in body.successors]
    ended_ids = {units[code].id for code in ended}
    orphans = {
        code: [
            child
            for child in await repository.children_on(session, units[code].id, last_day)
            if (child.valid_to is None or child.valid_to >= day)
            and not await _placed_elsewhere(session, child, ended_ids, day)
        ]
        for code in ended
    }
    destination_code = body.move_children_to or (
        body.successors[0] if body.kind in {RestructuringKind.MERGE, RestructuringKind.RENAME} else None
    )
    if destination_code is None and any(orphans.values()):
        stranded = sorted(child.code for children in orphans.values() for child in children)
        raise InvalidHierarchyChange(
            f"Say where the {len(stranded)} unit(s) below the ended units go (move_children_to):"
            f" {', '.join(stranded[:20])}{' …' if len(stranded) > 20 else ''}.",
            stranded=stranded,
        )

    record = OrgUnitRestructuring(
        kind=body.kind.value,
        effective_date=day,
        legal_source=body.legal_source,
        notes=body.notes,
        created_by=principal.subject,
    )
    session.add(record)
    await session.flush()
    for predecessor_code in body.predecessors:
        for successor_code in body.successors:
            session.add(
                OrgUnitSuccession(
                    restructuring_id=record.id,
                    predecessor_id=units[predecessor_code].id,
                    successor_id=units[successor_code].id,
                )
            )
    for code in ended:
        unit = units[code]
        unit.valid_to = last_day
        for link in await repository.parent_links(session, unit.id):
            if link.valid_to is None or link.valid_to > last_day:
                link.valid_to = last_day
    moved: list[str] = []
    # No unit is left under a parent that has ended: a merged or renamed unit's children go to the successor
    # that continues it; for a split or a dissolution the act says where (move_children_to).
    if destination_code is not None:
        destination = units[destination_code]
        for children in orphans.values():
            for child in children:
                _move(await repository.parent_links(session, child.id), child, destination, day, session)
                moved.append(child.code)
    await bump_catalogue(session)
    await session.flush()
    return RestructuringOut(
        id=record.id,
        kind=record.kind,
        effective_date=day,
        predecessors=body.predecessors,
        successors=body.successors,
        ended=ended,
        moved_children=sorted(moved),
        legal_source=record.legal_source,
        notes=record.notes,
    )


async def load_hierarchy(session: AsyncSession) -> Hierarchy:
    """Every org unit with its dated parents, predecessors and successors (the catalogue snapshot's)."""
    return await repository.load_hierarchy(session)


async def all_units(session: AsyncSession) -> list[OrgUnit]:
    """Every org unit, of every date (the seed compares them with its data)."""
    return await repository.all_units(session)


async def replace_acts_without_successors(
    session: AsyncSession, kind: str, effective_date: dt.date, created_by: str
) -> int:
    """Remove the acts of ``created_by`` of this kind and date that name no successor, so acts that name
    them can be recorded in their place (the seed's single dissolution of 2025-07-01, written before the new
    communes were known, gives way to one act per district with its successors). Units and parent links
    are not touched: the acts that replace them end the same units on the same day."""
    acts = await repository.acts_without_successors(session, kind, effective_date, created_by)
    await repository.delete_acts(session, acts)
    return len(acts)
