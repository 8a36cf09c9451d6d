"""Org-unit scope: the one place that decides which org units a caller may act for, and on which day.

Province-wide roles (``admin``, ``secretariat``) act for every unit. Every other role acts for the org unit in
its token and the units below it **as the hierarchy stood on the day in question** (a district system may post
for its communes for periods before they moved up to the province, not after). A token whose org unit is
unknown acts for nothing. ``tests/.../test_scope_matrix.py`` checks every role against every relation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.auth import Principal, Role
from targets.org_units.hierarchy import Hierarchy

PROVINCE_WIDE_ROLES = frozenset({Role.ADMIN, Role.SECRETARIAT})


@dataclass(frozen=True, slots=True)
class Scope:
    """``unit_id is None`` with ``everywhere`` means province-wide; without it, nowhere."""

    everywhere: bool
    unit_id: int | None
    unit_code: str | None

    def allows(self, hierarchy: Hierarchy, org_unit_id: int, day: dt.date) -> bool:
        if self.everywhere:
            return True
        if self.unit_id is None:
            return False
        return hierarchy.is_within(org_unit_id, self.unit_id, day)

    def describe(self) -> str:
        if self.everywhere:
            return "all org units"
        return self.unit_code or "no org unit"


def scope_of(principal: Principal, hierarchy: Hierarchy) -> Scope:
    if principal.has_any(PROVINCE_WIDE_ROLES):
        return Scope(everywhere=True, unit_id=None, unit_code=None)
    unit = hierarchy.by_code(principal.org_unit) if principal.org_unit else None
    return Scope(everywhere=False, unit_id=unit.id if unit else None, unit_code=principal.org_unit)
