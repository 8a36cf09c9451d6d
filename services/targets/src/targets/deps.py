"""Typed dependencies of the targets service: who may call, and the per-process caches."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from shared.auth import Principal, Role, RoleGuard
from shared.idempotency import Idempotency, idempotency
from targets.cache.service import CatalogueCache
from targets.config import Settings
from targets.models import idempotency_keys

# Posting results: district and department systems for their own units; the secretariat and admins for all.
Reporter = Annotated[Principal, Depends(RoleGuard(Role.REPORTER, Role.SECRETARIAT, Role.ADMIN))]
# The catalogue (org units, indicators, plans, targets, period locks).
CatalogueEditor = Annotated[Principal, Depends(RoleGuard(Role.SECRETARIAT, Role.ADMIN))]
# The org-unit directory changes with the law (mergers, the end of the district tier): admins only.
Administrator = Annotated[Principal, Depends(RoleGuard(Role.ADMIN))]
# A sibling service (a client-credentials token with the `service` role), never a person: /internal/ only.
ServiceCaller = Annotated[Principal, Depends(RoleGuard(Role.SERVICE))]


# async: a plain "def" dependency would be run in a worker thread, costing more than the lookup itself.
async def get_catalogue(request: Request) -> CatalogueCache:
    cache: Any = request.app.state.catalogue
    assert isinstance(cache, CatalogueCache)  # noqa: S101 - set by create_app
    return cache


Catalogue = Annotated[CatalogueCache, Depends(get_catalogue)]


async def get_settings(request: Request) -> Settings:
    settings: Any = request.app.state.settings
    assert isinstance(settings, Settings)  # noqa: S101 - set by create_app
    return settings


ServiceSettings = Annotated[Settings, Depends(get_settings)]

# Creates repeatable with the same Idempotency-Key (the key is the caller's own).
Idempotent = Annotated[Idempotency, Depends(idempotency(idempotency_keys))]
