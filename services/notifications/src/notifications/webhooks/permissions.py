"""Who manages an org unit's webhook endpoints: the one scope rule, and the typed dependencies.

Admins manage every unit's endpoints. A district system's service account (``reporter``) and a unit's
officers (``unit_officer``) manage only those of the org unit their token names, exactly: the notifications
service holds no hierarchy, and a district's endpoints are the district's own.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from notifications.config import Settings
from notifications.models import idempotency_keys
from shared.auth import Principal, Role, RoleGuard
from shared.idempotency import Idempotency, idempotency
from shared.problems import Forbidden

OWN_UNIT_ONLY = frozenset({Role.REPORTER, Role.UNIT_OFFICER})


class OutOfScope(Forbidden):
    slug = "out-of-scope"
    title = "Outside your org unit"


def manages(principal: Principal, org_unit: str | None) -> bool:
    """Whether ``principal`` may see and change the webhook endpoints of ``org_unit`` (None: of every unit).

    The only place that decides it: every route of the webhooks API asks it."""
    if principal.has_any({Role.ADMIN}):
        return True
    own = principal.org_unit
    return principal.has_any(OWN_UNIT_ONLY) and own is not None and own == org_unit


def require_scope(principal: Principal, org_unit: str | None) -> None:
    if not manages(principal, org_unit):
        managers = "admins and that unit" if org_unit else "admins"
        raise OutOfScope(
            f"The webhook endpoints of {org_unit or 'every unit'} are managed by {managers}"
            f" (your token is for {principal.org_unit or 'no org unit'}).",
            your_org_unit=principal.org_unit,
        )


def default_unit(principal: Principal) -> str | None:
    """Whose endpoints a list without ``org_unit`` shows: every unit's to an admin, else the caller's own."""
    return None if principal.has_any({Role.ADMIN}) else principal.org_unit


WebhookManager = Annotated[Principal, Depends(RoleGuard(Role.ADMIN, Role.REPORTER, Role.UNIT_OFFICER))]

# Registrations repeatable with the same Idempotency-Key (the caller's own).
Idempotent = Annotated[Idempotency, Depends(idempotency(idempotency_keys))]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


ServiceSettings = Annotated[Settings, Depends(get_settings)]
