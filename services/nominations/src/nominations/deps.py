"""Typed dependencies of the nominations service: who may call, and repeatable creates."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from nominations.models import idempotency_keys
from shared.auth import Principal, Role, RoleGuard
from shared.idempotency import Idempotency, idempotency

# A sibling service (a client-credentials token with the `service` role), never a person: /internal/ only.
ServiceCaller = Annotated[Principal, Depends(RoleGuard(Role.SERVICE))]

# Creates repeatable with the same Idempotency-Key (the key is the caller's own).
Idempotent = Annotated[Idempotency, Depends(idempotency(idempotency_keys))]

# The award catalogue, rounds and the working calendar: the secretariat (Ban Thi đua - Khen thưởng), admins.
CatalogueEditor = Annotated[Principal, Depends(RoleGuard(Role.SECRETARIAT, Role.ADMIN))]

# Only a unit drafts a nomination for its people (admins too, for corrections).
NominationDrafter = Annotated[Principal, Depends(RoleGuard(Role.UNIT_OFFICER, Role.ADMIN))]

# Dossiers hold personal data: only those who work on them read them (viewers and reporters do not).
NominationReader = Annotated[
    Principal,
    Depends(RoleGuard(Role.UNIT_OFFICER, Role.SECRETARIAT, Role.COUNCIL_MEMBER, Role.AUTHORITY, Role.ADMIN)),
]

# The awards registry: the secretariat imports the awards decided before the platform; staff read full rows.
RegistryEditor = Annotated[Principal, Depends(RoleGuard(Role.SECRETARIAT, Role.ADMIN))]
RegistryReader = Annotated[
    Principal, Depends(RoleGuard(Role.SECRETARIAT, Role.ADMIN, Role.UNIT_OFFICER, Role.AUTHORITY))
]

# Public objections are read with the objector's contact and resolved by the secretariat alone.
ObjectionHandler = Annotated[Principal, Depends(RoleGuard(Role.SECRETARIAT, Role.ADMIN))]

# Decisions: the deciding authority records what it signed; the secretariat follows them up.
DecisionIssuer = Annotated[Principal, Depends(RoleGuard(Role.AUTHORITY, Role.ADMIN))]
DecisionReader = Annotated[Principal, Depends(RoleGuard(Role.AUTHORITY, Role.SECRETARIAT, Role.ADMIN))]

# Council sessions (Hội đồng Thi đua - Khen thưởng): the secretariat convenes and closes them; those who sit
# on or act on the council read them; only a council member votes, and only in a session they sit on.
CouncilSecretary = Annotated[Principal, Depends(RoleGuard(Role.SECRETARIAT, Role.ADMIN))]
CouncilReader = Annotated[
    Principal, Depends(RoleGuard(Role.SECRETARIAT, Role.ADMIN, Role.COUNCIL_MEMBER, Role.AUTHORITY))
]
CouncilVoter = Annotated[Principal, Depends(RoleGuard(Role.COUNCIL_MEMBER))]

# Movements: a unit's officers register it and report; the secretariat records for any unit.
MovementParticipant = Annotated[
    Principal, Depends(RoleGuard(Role.UNIT_OFFICER, Role.SECRETARIAT, Role.ADMIN))
]

# Exemplars: a unit's officers record and bring on their unit's exemplars; the secretariat any unit's.
ExemplarKeeper = Annotated[Principal, Depends(RoleGuard(Role.UNIT_OFFICER, Role.SECRETARIAT, Role.ADMIN))]

# Emulation blocks: members' officers pledge and score; the leader's officers cross-check and adopt; the
# secretariat does any of it for any block.
BlockParticipant = Annotated[Principal, Depends(RoleGuard(Role.UNIT_OFFICER, Role.SECRETARIAT, Role.ADMIN))]
