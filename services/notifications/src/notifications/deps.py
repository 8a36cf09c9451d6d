"""Typed dependencies of the notifications service: who may call each endpoint, and repeatable creates."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from notifications.models import idempotency_keys
from shared.auth import Principal, Role, RoleGuard
from shared.idempotency import Idempotency, idempotency

Idempotent = Annotated[Idempotency, Depends(idempotency(idempotency_keys))]

# A sibling service's relay (a client-credentials token with the `service` role), never a person.
ServiceCaller = Annotated[Principal, Depends(RoleGuard(Role.SERVICE))]

# The recipients directory and the routing rules: admins; the secretariat reads the directory.
DirectoryAdmin = Annotated[Principal, Depends(RoleGuard(Role.ADMIN))]
DirectoryReader = Annotated[Principal, Depends(RoleGuard(Role.ADMIN, Role.SECRETARIAT))]

# The delivery log and its re-drive: the operators (admins) and the secretariat that answers for the messages.
DeliveryOperator = Annotated[Principal, Depends(RoleGuard(Role.ADMIN, Role.SECRETARIAT))]
