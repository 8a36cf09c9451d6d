"""The org-unit hierarchy as it stood on any date, held in memory.

Hà Tĩnh has a few hundred units and a few hundred parent links, so the whole history fits in memory and
every question ("who was under Thạch Hà on 2024-06-30?") is answered without a query. The snapshot is
rebuilt when the catalogue counter moves (see :mod:`targets.cache`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from targets.org_units.models import TERRITORIAL_TYPES


@dataclass(frozen=True, slots=True)
class UnitInfo:
    id: int
    code: str
    name: str
    type: str
    valid_from: dt.date
    valid_to: dt.date | None
    remote: bool = False
    border: bool = False
    mountainous: bool = False
    official_code: str | None = None

    def exists_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return self.valid_from <= end and (self.valid_to is None or start <= self.valid_to)


@dataclass(frozen=True, slots=True)
class ParentLink:
    org_unit_id: int
    parent_id: int
    valid_from: dt.date
    valid_to: dt.date | None

    def holds_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass
class Hierarchy:
    units: dict[int, UnitInfo]
    links: list[ParentLink]
    # The units that succeeded each ended unit (restructurings), when any did.
    successors: dict[int, frozenset[int]] = field(default_factory=dict)
    _by_code: dict[str, UnitInfo] = field(init=False, repr=False)
    _links_of: dict[int, list[ParentLink]] = field(init=False, repr=False)
    _children_links: dict[int, list[ParentLink]] = field(init=False, repr=False)
    # children_for_period's answers: a snapshot never changes, and a roll-up asks the same few thousand
    # (unit, period) questions on every request (a province's sixty months, through every district).
    _children_memo: dict[tuple[int, dt.date, dt.date], tuple[int, ...]] = field(init=False, repr=False)
    _territorial_memo: dict[tuple[int, dt.date, dt.date], tuple[int, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._children_memo = {}
        self._territorial_memo = {}
        self._by_code = {unit.code: unit for unit in self.units.values()}
        self._links_of = defaultdict(list)
        self._children_links = defaultdict(list)
        for link in self.links:
            self._links_of[link.org_unit_id].append(link)
            self._children_links[link.parent_id].append(link)

    def by_code(self, code: str) -> UnitInfo | None:
        return self._by_code.get(code)

    def parent_on(self, unit_id: int, day: dt.date) -> int | None:
        for link in self._links_of.get(unit_id, ()):
            if link.holds_on(day):
                return link.parent_id
        return None

    def ancestors_on(self, unit_id: int, day: dt.date) -> Iterator[int]:
        """The unit's parent, grandparent … on ``day`` (a cycle in bad data stops the walk)."""
        seen = {unit_id}
        parent = self.parent_on(unit_id, day)
        while parent is not None and parent not in seen:
            yield parent
            seen.add(parent)
            parent = self.parent_on(parent, day)

    def children_on(self, unit_id: int, day: dt.date) -> list[int]:
        return [
            link.org_unit_id
            for link in self._children_links.get(unit_id, ())
            if link.holds_on(day) and self.units[link.org_unit_id].exists_on(day)
        ]

    def level_on(self, unit_id: int, day: dt.date) -> int:
        """1 for a unit without a parent on ``day`` (the province), 2 below it, and so on."""
        return 1 + sum(1 for _ in self.ancestors_on(unit_id, day))

    def is_within(self, unit_id: int, scope_unit_id: int, day: dt.date) -> bool:
        """Whether ``unit_id`` is ``scope_unit_id`` or below it on ``day``."""
        return unit_id == scope_unit_id or scope_unit_id in self.ancestors_on(unit_id, day)

    def reference_day(self, unit_id: int, start: dt.date, end: dt.date) -> dt.date | None:
        """The first day of [start, end] on which the unit existed; where it sat then decides scope, roll-up.

        ``None`` when the unit did not exist at any time in the period.
        """
        unit = self.units[unit_id]
        if not unit.overlaps(start, end):
            return None
        return max(start, unit.valid_from)

    def has_children(self, unit_id: int) -> bool:
        """Whether any unit was ever under this one (a commune never had any)."""
        return bool(self._children_links.get(unit_id))

    def territorial_children_for_period(self, unit_id: int, start: dt.date, end: dt.date) -> tuple[int, ...]:
        """Those of :meth:`children_for_period` that add up to a territory (a department reports on itself,
        not on an area), kept as long as the snapshot: a chart of sixty months asks for each month again."""
        key = (unit_id, start, end)
        found = self._territorial_memo.get(key)
        if found is None:
            found = tuple(
                child
                for child in self.children_for_period(unit_id, start, end)
                if self.units[child].type in TERRITORIAL_TYPES
            )
            self._territorial_memo[key] = found
        return found

    def children_for_period(self, unit_id: int, start: dt.date, end: dt.date) -> tuple[int, ...]:
        """The units whose values roll up into ``unit_id`` for the period [start, end].

        A unit counts towards the parent it had on its reference day in the period (the first day it existed
        in it), so a unit that moves or ends during the period counts once, under one parent. A unit that
        ended during the period and whose successors also count here is represented by them (the districts of
        2025, ended on 30/6, by the communes that succeeded them on 1/7): a year's figure is the generation's
        that stands at its end, never both generations added together.
        """
        if not self.has_children(unit_id):
            return ()
        key = (unit_id, start, end)
        found = self._children_memo.get(key)
        if found is None:
            children: list[int] = []
            for link in self._children_links[unit_id]:
                child = link.org_unit_id
                day = self.reference_day(child, start, end)
                if day is not None and self.parent_on(child, day) == unit_id and child not in children:
                    children.append(child)
            counted = set(children)
            found = tuple(child for child in children if not self._succeeded_within(child, end, counted))
            self._children_memo[key] = found
        return found

    def descendants_within(self, unit_id: int, start: dt.date, end: dt.date) -> list[int]:
        """The unit and every unit below it at some time in [start, end], in tree order (each once).

        Children come by code under their parent; a unit that moved during the window is listed under the
        first parent the walk meets.
        """
        found: list[int] = []
        seen: set[int] = set()
        stack = [unit_id]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            found.append(current)
            children = {
                link.org_unit_id
                for link in self._children_links.get(current, ())
                if link.valid_from <= end
                and (link.valid_to is None or start <= link.valid_to)
                and self.units[link.org_unit_id].overlaps(start, end)
            }
            stack.extend(sorted(children - seen, key=lambda child: self.units[child].code, reverse=True))
        return found

    def _succeeded_within(self, unit_id: int, end: dt.date, counted: set[int]) -> bool:
        ended = self.units[unit_id].valid_to
        return ended is not None and ended < end and bool(self.successors.get(unit_id, frozenset()) & counted)
