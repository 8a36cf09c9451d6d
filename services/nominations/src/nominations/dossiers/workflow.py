"""The nomination workflow as one table: which action leads from which states to which, and who may take it.

Every change of state goes through :func:`transition`, which checks the action, the state, the role and the
org unit (through :class:`nominations.org_scope.ScopeCheck`), then writes the audit record and the outbox
event in the caller's transaction: a state never changes without both, and neither exists without the change.

States: ``draft → submitted → screening → council → disclosure → decided`` (outcome ``awarded`` or
``rejected``), with ``returned`` (back to the unit for changes), ``withdrawn`` and ``forwarded`` (sent up to
the Prime Minister or the President, whose decision is recorded later).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nominations.dossiers.models import Nomination, NominationEvent, Outcome, Status
from nominations.models import outbox
from nominations.org_scope import ScopeCheck
from shared import clock
from shared.auth import Role
from shared.outbox import Event, emit_many
from shared.problems import BadRequest, Conflict, Forbidden


class Action(StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    RETURN = "return"
    RESUBMIT = "resubmit"
    SCREEN = "screen"
    OVERRIDE = "override"
    SEND_TO_COUNCIL = "send_to_council"
    REJECT = "reject"
    COUNCIL_PASS = "council_pass"  # noqa: S105 - an action's name, not a password
    COUNCIL_FAIL = "council_fail"
    FORWARD = "forward"
    AWARD = "award"
    DECLINE = "decline"
    UPHOLD_OBJECTION = "uphold_objection"
    OBJECTION_FILED = "objection_filed"
    DISMISS_OBJECTION = "dismiss_objection"
    UPHOLD_OBJECTION_AGAIN = "uphold_objection_again"  # on a nomination already rejected by another
    EDIT = "edit"


class Actor(StrEnum):
    """Who may take an action: the nominating unit (in scope), or a province-wide role."""

    UNIT = "unit"  # a unit officer of the nominating unit or a unit above it on the round's reference date
    SECRETARIAT = "secretariat"  # province-wide
    AUTHORITY = "authority"  # the deciding office of the nominating unit or of a unit above it


@dataclass(frozen=True, slots=True)
class Rule:
    sources: frozenset[Status]
    target: Status | None  # None: the state does not change (an override, an edit)
    actors: frozenset[Actor]
    note_required: bool = False
    # Taken through its own endpoint (a ballot count, a decision, an objection), not /actions/{action}.
    internal: bool = False


S = Status
WORKFLOW: dict[Action, Rule] = {
    Action.EDIT: Rule(frozenset({S.DRAFT, S.RETURNED}), None, frozenset({Actor.UNIT}), internal=True),
    Action.SUBMIT: Rule(frozenset({S.DRAFT}), S.SUBMITTED, frozenset({Actor.UNIT})),
    Action.WITHDRAW: Rule(
        frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED}), S.WITHDRAWN, frozenset({Actor.UNIT})
    ),
    Action.RETURN: Rule(
        frozenset({S.SUBMITTED, S.SCREENING}), S.RETURNED, frozenset({Actor.SECRETARIAT}), note_required=True
    ),
    Action.RESUBMIT: Rule(frozenset({S.RETURNED}), S.SUBMITTED, frozenset({Actor.UNIT})),
    Action.SCREEN: Rule(frozenset({S.SUBMITTED}), S.SCREENING, frozenset({Actor.SECRETARIAT})),
    Action.OVERRIDE: Rule(frozenset({S.SCREENING}), None, frozenset({Actor.SECRETARIAT}), note_required=True),
    Action.SEND_TO_COUNCIL: Rule(frozenset({S.SCREENING}), S.COUNCIL, frozenset({Actor.SECRETARIAT})),
    Action.REJECT: Rule(
        frozenset({S.SCREENING}), S.DECIDED, frozenset({Actor.SECRETARIAT}), note_required=True
    ),
    Action.COUNCIL_PASS: Rule(
        frozenset({S.COUNCIL}), S.DISCLOSURE, frozenset({Actor.SECRETARIAT}), internal=True
    ),
    Action.COUNCIL_FAIL: Rule(
        frozenset({S.COUNCIL}), S.DECIDED, frozenset({Actor.SECRETARIAT}), internal=True
    ),
    Action.FORWARD: Rule(frozenset({S.DISCLOSURE}), S.FORWARDED, frozenset({Actor.SECRETARIAT})),
    # The Prime Minister or the President did not award a forwarded nomination: the province records it.
    Action.DECLINE: Rule(
        frozenset({S.FORWARDED}), S.DECIDED, frozenset({Actor.AUTHORITY}), note_required=True
    ),
    Action.AWARD: Rule(
        frozenset({S.DISCLOSURE, S.FORWARDED}), S.DECIDED, frozenset({Actor.AUTHORITY}), internal=True
    ),
    # Audited without a change of state: an objection from the public, and its dismissal by the secretariat.
    Action.OBJECTION_FILED: Rule(frozenset({S.DISCLOSURE}), None, frozenset(), internal=True),
    Action.DISMISS_OBJECTION: Rule(
        frozenset({S.DISCLOSURE, S.DECIDED}),
        None,
        frozenset({Actor.SECRETARIAT}),
        note_required=True,
        internal=True,
    ),
    Action.UPHOLD_OBJECTION_AGAIN: Rule(
        frozenset({S.DECIDED}), None, frozenset({Actor.SECRETARIAT}), note_required=True, internal=True
    ),
    Action.UPHOLD_OBJECTION: Rule(
        frozenset({S.DISCLOSURE}),
        S.DECIDED,
        frozenset({Actor.SECRETARIAT}),
        note_required=True,
        internal=True,
    ),
}
OUTCOMES = {
    Action.REJECT: Outcome.REJECTED,
    Action.COUNCIL_FAIL: Outcome.REJECTED,
    Action.UPHOLD_OBJECTION: Outcome.REJECTED,
    Action.DECLINE: Outcome.REJECTED,
    Action.AWARD: Outcome.AWARDED,
}
ACTOR_ROLES = {
    Actor.UNIT: frozenset({Role.UNIT_OFFICER, Role.ADMIN}),
    Actor.SECRETARIAT: frozenset({Role.SECRETARIAT, Role.ADMIN}),
    Actor.AUTHORITY: frozenset({Role.AUTHORITY, Role.ADMIN}),
}
PUBLIC_ACTIONS = [action.value for action, rule in WORKFLOW.items() if not rule.internal]


class UnknownAction(BadRequest):
    slug = "unknown-action"
    title = "Unknown action"


class ActionNotAllowed(Conflict):
    slug = "action-not-allowed"
    title = "This action is not allowed now"


class ActionForbidden(Forbidden):
    slug = "action-forbidden"
    title = "You may not take this action"


class NoteRequired(BadRequest):
    slug = "note-required"
    title = "A written reason is required"


def parse_action(value: str) -> Action:
    try:
        action = Action(value)
    except ValueError:
        action = None
    if action is None or WORKFLOW[action].internal:
        raise UnknownAction(
            f"{value!r} is not an action; the actions are {', '.join(PUBLIC_ACTIONS)}.",
            actions=PUBLIC_ACTIONS,
        )
    return action


async def _may_act(scope: ScopeCheck, rule: Rule, nomination: Nomination, day: dt.date) -> bool:
    for actor in rule.actors:
        if not scope.principal.has_any(ACTOR_ROLES[actor]):
            continue
        if actor is Actor.SECRETARIAT or await scope.covers(nomination.nominating_org_unit, day):
            return True
    return False


async def may_read(scope: ScopeCheck, nomination: Nomination, day: dt.date) -> bool:
    """Province-wide roles read every nomination; a unit officer those of their unit and the units below."""
    if scope.principal.has_any({Role.ADMIN, Role.SECRETARIAT, Role.COUNCIL_MEMBER}):
        return True
    return await scope.covers(nomination.nominating_org_unit, day)


async def allowed_actions(scope: ScopeCheck, nomination: Nomination, day: dt.date) -> list[str]:
    """The actions of /actions/{action} this caller may take on this nomination now (state, role, unit)."""
    status = Status(nomination.status)
    return [
        action.value
        for action, rule in WORKFLOW.items()
        if not rule.internal and status in rule.sources and await _may_act(scope, rule, nomination, day)
    ]


async def check(scope: ScopeCheck, nomination: Nomination, action: Action, day: dt.date) -> Rule:
    """Refuse with 409 (wrong state) or 403 (wrong role or unit), naming the actions allowed instead."""
    rule = WORKFLOW[action]
    if Status(nomination.status) not in rule.sources:
        raise ActionNotAllowed(
            f"A nomination in state {nomination.status!r} cannot be {action.value!r}-ed; it must be in "
            + " or ".join(sorted(s.value for s in rule.sources))
            + ".",
            current_status=nomination.status,
            allowed_actions=await allowed_actions(scope, nomination, day),
        )
    if not await _may_act(scope, rule, nomination, day):
        raise ActionForbidden(
            f"{action.value!r} needs "
            + " or ".join(
                "a unit officer of the nominating unit" if actor is Actor.UNIT else f"the {actor.value}"
                for actor in sorted(rule.actors)
            )
            + ".",
            current_status=nomination.status,
            allowed_actions=await allowed_actions(scope, nomination, day),
        )
    return rule


async def transition(
    session: AsyncSession,
    scope: ScopeCheck,
    nomination: Nomination,
    action: Action,
    day: dt.date,
    *,
    note: str | None = None,
    details: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Check and apply ``action``; write the audit record and the outbox event in the same transaction."""
    rule = await check(scope, nomination, action, day)
    if rule.note_required and not (note and note.strip()):
        raise NoteRequired(f"{action.value!r} needs a note saying why.")
    await record(
        session,
        scope.principal.subject,
        sorted(scope.principal.roles),
        nomination,
        action,
        note,
        details,
        now,
    )


@dataclass(frozen=True, slots=True)
class Change:
    """One already checked action on one nomination, for :func:`record_many`."""

    nomination: Nomination
    action: Action
    note: str | None = None
    details: dict[str, Any] | None = None


async def record(
    session: AsyncSession,
    actor: str,
    roles: list[str],
    nomination: Nomination,
    action: Action,
    note: str | None,
    details: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Apply an already checked action: the state, the audit record and the outbox event."""
    await record_many(session, actor, roles, [Change(nomination, action, note, details)], now)


async def record_many(
    session: AsyncSession,
    actor: str,
    roles: list[str],
    changes: list[Change],
    now: dt.datetime | None = None,
) -> None:
    """:func:`record` for many nominations at once (a council's closing): one insert for all their events."""
    now = now or clock.now()
    events: list[Event] = []
    for change in changes:
        nomination, action, note = change.nomination, change.action, change.note
        rule = WORKFLOW[action]
        before = nomination.status
        nomination.updated_at = now
        if rule.target is not None:
            nomination.status = rule.target.value
            nomination.outcome = OUTCOMES[action].value if action in OUTCOMES else None
            if rule.target is Status.DECIDED:
                nomination.decided_at = now
            if rule.target is Status.SUBMITTED:
                nomination.submitted_at = now
                nomination.first_submitted_at = nomination.first_submitted_at or now
            if rule.target is Status.RETURNED:
                nomination.returned_at = now
        session.add(
            NominationEvent(
                nomination_id=nomination.id,
                action=action.value,
                from_status=before,
                to_status=nomination.status,
                actor=actor,
                actor_roles=roles,
                note=note,
                details=change.details,
                occurred_at=now,
            )
        )
        events.append(
            Event(
                f"nomination.{action.value}",
                f"nomination/{nomination.id}",
                {
                    "nomination_id": nomination.id,
                    "round_id": nomination.round_id,
                    "award_type": nomination.award_type_code,
                    "nominee_name": nomination.nominee_name,
                    "nominating_org_unit": nomination.nominating_org_unit,
                    "from": before,
                    "to": nomination.status,
                    "outcome": nomination.outcome,
                    "note": note,
                },
            )
        )
    await emit_many(session, outbox, events, occurred_at=now)
