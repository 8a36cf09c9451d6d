"""Typed dependencies of the nominations service: who may call."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, Role, RoleGuard

# The award catalogue, rounds and the working calendar: the secretariat (Ban Thi đua - Khen thưởng), admins.
CatalogueEditor = Annotated[Principal, Depends(RoleGuard(Role.SECRETARIAT, Role.ADMIN))]
