"""The nomination workflow as tables, and the one door every change of a nomination goes through.

``WORKFLOW`` says, for each action, from which states it leads to which, who may take it, and whether it
needs a written reason; ``GUARDS`` names what else each action must satisfy (deadlines, eligibility, the
disclosure period, open objections, the level of the authority), ``EFFECTS`` what it changes besides the
state, ``ANNOUNCEMENTS`` the events it writes to the outbox for the notifications service
(docs/events.md; an action not there is audited only). :func:`transition` (and :func:`transition_all` for
a council's count or a decision over many nominations) checks the state, the caller and every guard, then
applies the effects, the state, the audit record and the outbox events in the caller's transaction: a
state never changes without its audit record, neither the record nor an event exists without the change,
and nothing else writes ``status`` or ``outcome`` (a listener refuses any other writer).

States: ``draft → submitted → screening → council → disclosure → decided`` (outcome ``awarded`` or
``rejected``), with ``returned`` (back to the unit for changes), ``withdrawn`` and ``forwarded`` (sent up to
the Prime Minister or the President, whose decision is recorded later). Where the award type version puts
the public's say before the council (Nghị định 98/2023/NĐ-CP, Điều 46, for high honours), the list is
published from ``screening`` and goes to the council once the period is over, then to ``approved``
(``screening → public_comment → council → approved → decided``); with no public period the council's pass
leads to ``approved`` too. The version's ``disclosure_stage`` says which way, and the guards hold each
nomination to it. Sets of states used elsewhere (:data:`AWAITING_COUNCIL`, :data:`UNDER_DISCLOSURE`,
:func:`sources`) are derived from the table, never written again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import event, inspect

from nominations.models import outbox
from nominations.nominations import announcements, effects, guards
from nominations.nominations.announcements import Announcement
from nominations.nominations.attempt import Attempt
from nominations.nominations.effects import Effect
from nominations.nominations.guards import Guard
from nominations.nominations.models import Nomination, NominationEvent, Outcome, Status
from nominations.org_scope import ScopeCheck
from shared.auth import Role
from shared.outbox import Event, emit_many
from shared.problems import BadRequest, Conflict, Forbidden, ProblemError


class Action(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    ATTACH = "attachment_added"
    DETACH = "attachment_removed"
    CAPTURE_EVIDENCE = "evidence"
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    RETURN = "return"
    RESUBMIT = "resubmit"
    SCREEN = "screen"
    OVERRIDE = "override"
    DISCLOSE = "disclose"  # publish for comment before the council (disclosure_stage before_council)
    SEND_TO_COUNCIL = "send_to_council"
    REJECT = "reject"
    COUNCIL_PASS = "council_pass"  # noqa: S105 - an action's name, not a password
    COUNCIL_APPROVE = "council_approve"  # passed, with no disclosure after the council
    COUNCIL_FAIL = "council_fail"
    FORWARD = "forward"
    AWARD = "award"
    DECLINE = "decline"
    OBJECTION_FILED = "objection_filed"
    DISMISS_OBJECTION = "dismiss_objection"
    UPHOLD_OBJECTION = "uphold_objection"
    UPHOLD_OBJECTION_AGAIN = "uphold_objection_again"  # on a nomination already rejected by another


class Actor(StrEnum):
    """Who may take an action: the nominating unit (in scope), a province-wide role, or anyone."""

    UNIT = "unit"  # a unit officer of the nominating unit or a unit above it on the round's reference date
    SECRETARIAT = "secretariat"  # province-wide
    AUTHORITY = "authority"  # the deciding office of the nominating unit or of a unit above it
    PUBLIC = "public"  # anyone, without a login (an objection during the disclosure period)


@dataclass(frozen=True, slots=True)
class Rule:
    sources: frozenset[Status | None]  # None: the nomination does not exist yet
    target: Status | None  # None: the state does not change (an override, an edit, a file)
    actors: frozenset[Actor]
    note_required: bool = False
    # Taken through its own endpoint (a ballot count, a decision, an objection), not /actions/{action}.
    internal: bool = False


S, A = Status, Actor
# A unit's own dossier, while it may still change it.
_UNIT_EDITS = frozenset({S.DRAFT, S.RETURNED})
WORKFLOW: dict[Action, Rule] = {
    Action.CREATE: Rule(frozenset({None}), S.DRAFT, frozenset({A.UNIT}), internal=True),
    Action.EDIT: Rule(_UNIT_EDITS, None, frozenset({A.UNIT}), internal=True),
    Action.ATTACH: Rule(_UNIT_EDITS, None, frozenset({A.UNIT}), internal=True),
    Action.DETACH: Rule(_UNIT_EDITS, None, frozenset({A.UNIT}), internal=True),
    Action.CAPTURE_EVIDENCE: Rule(_UNIT_EDITS, None, frozenset({A.UNIT}), internal=True),
    Action.SUBMIT: Rule(frozenset({S.DRAFT}), S.SUBMITTED, frozenset({A.UNIT})),
    Action.WITHDRAW: Rule(frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED}), S.WITHDRAWN, frozenset({A.UNIT})),
    Action.RETURN: Rule(
        frozenset({S.SUBMITTED, S.SCREENING, S.PUBLIC_COMMENT}),
        S.RETURNED,
        frozenset({A.SECRETARIAT}),
        note_required=True,
    ),
    Action.RESUBMIT: Rule(frozenset({S.RETURNED}), S.SUBMITTED, frozenset({A.UNIT})),
    Action.SCREEN: Rule(frozenset({S.SUBMITTED}), S.SCREENING, frozenset({A.SECRETARIAT})),
    # Before the council, while the public comments, the secretariat still judges the dossier.
    Action.OVERRIDE: Rule(
        frozenset({S.SCREENING, S.PUBLIC_COMMENT}), None, frozenset({A.SECRETARIAT}), note_required=True
    ),
    Action.DISCLOSE: Rule(frozenset({S.SCREENING}), S.PUBLIC_COMMENT, frozenset({A.SECRETARIAT})),
    Action.SEND_TO_COUNCIL: Rule(
        frozenset({S.SCREENING, S.PUBLIC_COMMENT}), S.COUNCIL, frozenset({A.SECRETARIAT})
    ),
    Action.REJECT: Rule(
        frozenset({S.SCREENING, S.PUBLIC_COMMENT}), S.DECIDED, frozenset({A.SECRETARIAT}), note_required=True
    ),
    Action.COUNCIL_PASS: Rule(
        frozenset({S.COUNCIL}), S.DISCLOSURE, frozenset({A.SECRETARIAT}), internal=True
    ),
    Action.COUNCIL_APPROVE: Rule(
        frozenset({S.COUNCIL}), S.APPROVED, frozenset({A.SECRETARIAT}), internal=True
    ),
    Action.COUNCIL_FAIL: Rule(frozenset({S.COUNCIL}), S.DECIDED, frozenset({A.SECRETARIAT}), internal=True),
    Action.FORWARD: Rule(frozenset({S.DISCLOSURE, S.APPROVED}), S.FORWARDED, frozenset({A.SECRETARIAT})),
    # The Prime Minister or the President did not award a forwarded nomination: the province records it.
    Action.DECLINE: Rule(frozenset({S.FORWARDED}), S.DECIDED, frozenset({A.AUTHORITY}), note_required=True),
    Action.AWARD: Rule(
        frozenset({S.DISCLOSURE, S.APPROVED, S.FORWARDED}),
        S.DECIDED,
        frozenset({A.AUTHORITY}),
        internal=True,
    ),
    # Audited without a change of state: an objection from the public, and its dismissal by the secretariat.
    Action.OBJECTION_FILED: Rule(
        frozenset({S.PUBLIC_COMMENT, S.DISCLOSURE}), None, frozenset({A.PUBLIC}), internal=True
    ),
    Action.DISMISS_OBJECTION: Rule(
        frozenset({S.PUBLIC_COMMENT, S.DISCLOSURE, S.DECIDED}),
        None,
        frozenset({A.SECRETARIAT}),
        note_required=True,
        internal=True,
    ),
    Action.UPHOLD_OBJECTION: Rule(
        frozenset({S.PUBLIC_COMMENT, S.DISCLOSURE}),
        S.DECIDED,
        frozenset({A.SECRETARIAT}),
        note_required=True,
        internal=True,
    ),
    Action.UPHOLD_OBJECTION_AGAIN: Rule(
        frozenset({S.DECIDED}), None, frozenset({A.SECRETARIAT}), note_required=True, internal=True
    ),
}
# What each action must satisfy besides its state, its caller and its note, checked in this order.
GUARDS: dict[Action, tuple[Guard, ...]] = {
    Action.CREATE: (guards.submission_open,),
    Action.SUBMIT: (guards.submission_open, guards.in_force_when_sent),
    Action.RESUBMIT: (guards.resubmission_open,),
    Action.OVERRIDE: (guards.override_names_a_rule_not_passed,),
    Action.DISCLOSE: (guards.disclosed_before_the_council, guards.no_rule_failed_without_override),
    Action.SEND_TO_COUNCIL: (
        guards.no_rule_failed_without_override,
        guards.public_heard_before_the_council,
        guards.disclosure_over,
        guards.no_open_objection,
    ),
    Action.COUNCIL_PASS: (guards.disclosed_after_the_council,),
    Action.COUNCIL_APPROVE: (guards.not_disclosed_after_the_council,),
    Action.FORWARD: (
        guards.decided_above_the_province,
        guards.forwarding_given,
        guards.disclosure_over,
        guards.no_open_objection,
    ),
    Action.DECLINE: (guards.recorded_by_the_forwarding_office,),
    Action.AWARD: (
        guards.disclosure_over,
        guards.no_open_objection,
        guards.signed_after_disclosure,
        guards.award_type_in_force,
        guards.decided_by_this_authority,
    ),
    Action.OBJECTION_FILED: (guards.disclosure_running,),
    Action.UPHOLD_OBJECTION_AGAIN: (guards.already_rejected,),
}
# What each action changes besides the state; the audit record keeps what they return.
EFFECTS: dict[Action, tuple[Effect, ...]] = {
    Action.EDIT: (effects.apply_edit,),
    Action.SUBMIT: (effects.fix_the_catalogue_date,),
    Action.SCREEN: (effects.store_eligibility,),
    Action.DISCLOSE: (effects.store_eligibility, effects.open_disclosure),
    Action.OVERRIDE: (effects.record_override,),
    Action.SEND_TO_COUNCIL: (effects.store_eligibility,),
    Action.COUNCIL_PASS: (effects.record_count,),
    Action.COUNCIL_APPROVE: (effects.record_count,),
    Action.COUNCIL_FAIL: (effects.record_count,),
    Action.FORWARD: (effects.record_forwarding,),
    Action.AWARD: (effects.record_decision,),
    Action.OBJECTION_FILED: (effects.count_objection,),
    Action.DISMISS_OBJECTION: (effects.resolve_objection,),
    Action.UPHOLD_OBJECTION: (effects.resolve_objection,),
    Action.UPHOLD_OBJECTION_AGAIN: (effects.resolve_objection,),
}
# What each action tells the notifications service, in this order (docs/events.md); the others (a draft's
# edits and files, an override, a council's approval without a public period) are audited only.
ANNOUNCEMENTS: dict[Action, tuple[Announcement, ...]] = {
    Action.SUBMIT: (announcements.submitted(resubmitted=False),),
    Action.RESUBMIT: (announcements.submitted(resubmitted=True),),
    Action.RETURN: (announcements.RETURNED,),
    Action.WITHDRAW: (announcements.WITHDRAWN,),
    Action.SCREEN: (announcements.SCREENED,),
    Action.DISCLOSE: (announcements.disclosure_opened("before_council"),),
    Action.SEND_TO_COUNCIL: (announcements.SENT_TO_COUNCIL,),
    Action.REJECT: (announcements.DECIDED,),
    Action.COUNCIL_PASS: (announcements.disclosure_opened("after_council"),),
    Action.COUNCIL_FAIL: (announcements.DECIDED,),
    Action.FORWARD: (announcements.FORWARDED,),
    Action.DECLINE: (announcements.DECIDED,),
    Action.AWARD: (announcements.DECIDED,),
    Action.OBJECTION_FILED: (announcements.OBJECTION_FILED,),
    Action.DISMISS_OBJECTION: (announcements.objection_resolved("dismissed"),),
    Action.UPHOLD_OBJECTION: (announcements.objection_resolved("upheld"), announcements.DECIDED),
    Action.UPHOLD_OBJECTION_AGAIN: (announcements.objection_resolved("upheld"), announcements.DECIDED),
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


def sources(action: Action) -> frozenset[Status]:
    """The states ``action`` may be taken from."""
    return frozenset(state for state in WORKFLOW[action].sources if state is not None)


AWAITING_COUNCIL = sources(Action.COUNCIL_PASS)
UNDER_DISCLOSURE = sources(Action.OBJECTION_FILED)
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


class StatusWrittenOutsideWorkflow(RuntimeError):
    """A programming error: a nomination's state changed other than through :func:`transition`."""


_applying: ContextVar[bool] = ContextVar("nomination_workflow_applying", default=False)


@event.listens_for(Nomination.status, "set")
@event.listens_for(Nomination.outcome, "set")
def _only_through_the_workflow(target: Nomination, value: Any, old: Any, initiator: Any) -> None:
    if not _applying.get():
        raise StatusWrittenOutsideWorkflow(
            f"nomination {target.id}: {initiator.key} set to {value!r} outside the workflow's transition"
        )


@contextlib.contextmanager
def _writing_state() -> Iterator[None]:
    token = _applying.set(True)
    try:
        yield
    finally:
        _applying.reset(token)


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


def _status(nomination: Nomination) -> Status | None:
    return None if nomination.status is None else Status(nomination.status)


async def _may_act(caller: ScopeCheck | None, rule: Rule, nomination: Nomination, day: Any) -> bool:
    if Actor.PUBLIC in rule.actors:
        return True
    if caller is None:
        return False
    for actor in rule.actors:
        if not caller.principal.has_any(ACTOR_ROLES[actor]):
            continue
        if actor is Actor.SECRETARIAT or await caller.covers(nomination.nominating_org_unit, day):
            return True
    return False


async def may_read(scope: ScopeCheck, nomination: Nomination, day: Any) -> bool:
    """Province-wide roles read every nomination; a unit officer those of their unit and the units below."""
    if scope.principal.has_any({Role.ADMIN, Role.SECRETARIAT, Role.COUNCIL_MEMBER}):
        return True
    return await scope.covers(nomination.nominating_org_unit, day)


async def allowed_actions(scope: ScopeCheck | None, nomination: Nomination, day: Any) -> list[str]:
    """The actions of /actions/{action} this caller may take on this nomination now (state, role, unit)."""
    status = _status(nomination)
    return [
        action.value
        for action, rule in WORKFLOW.items()
        if not rule.internal and status in rule.sources and await _may_act(scope, rule, nomination, day)
    ]


def _needs(rule: Rule) -> str:
    return " or ".join(
        "a unit officer of the nominating unit" if actor is Actor.UNIT else f"the {actor.value}"
        for actor in sorted(rule.actors)
    )


async def check(attempt: Attempt, action: Action) -> Rule:
    """Refuse ``action`` unless the state allows it (409, naming the actions allowed instead), the caller
    may take it (403), its note is given (400) and every guard of ``GUARDS`` passes. Changes nothing."""
    rule = WORKFLOW[action]
    nomination, caller = attempt.nomination, attempt.caller
    status = _status(nomination)
    if status not in rule.sources:
        raise ActionNotAllowed(
            f"A nomination in state {nomination.status!r} cannot be {action.value!r}-ed; it must be in "
            + " or ".join(sorted(s.value for s in rule.sources if s is not None))
            + ".",
            current_status=nomination.status,
            allowed_actions=await allowed_actions(caller, nomination, attempt.day),
        )
    if not await _may_act(caller, rule, nomination, attempt.day):
        raise ActionForbidden(
            f"{action.value!r} needs {_needs(rule)}.",
            current_status=nomination.status,
            allowed_actions=await allowed_actions(caller, nomination, attempt.day),
        )
    if rule.note_required and not (attempt.note and attempt.note.strip()):
        raise NoteRequired(f"{action.value!r} needs a note saying why.")
    for guard in GUARDS.get(action, ()):
        await guard(attempt)
    return rule


async def transition(attempt: Attempt, action: Action) -> None:
    """Check ``action`` (:func:`check`) and apply it: its effects, the state, the audit record and the
    outbox events, in the attempt's transaction."""
    await check(attempt, action)
    await _apply([(attempt, action)])


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why one nomination of a batch cannot take its action."""

    nomination_id: int
    error: type[ProblemError]
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"nomination_id": self.nomination_id, "problem": self.error.slug, "detail": self.detail}


async def refusals(batch: Sequence[tuple[Attempt, Action]]) -> list[Refusal]:
    """What :func:`check` refuses in a batch, one refusal per nomination."""
    found = []
    for attempt, action in batch:
        try:
            await check(attempt, action)
        except ProblemError as exc:
            found.append(Refusal(attempt.nomination.id, type(exc), f"{attempt.nomination.id}: {exc.detail}"))
    return found


def refused(found: Sequence[Refusal], mixed: type[ProblemError]) -> ProblemError:
    """One problem naming every refused nomination: its type is their common reason, else ``mixed``."""
    kinds = {refusal.error for refusal in found}
    error = kinds.pop() if len(kinds) == 1 else mixed
    shown = found[:5]
    more = f" (and {len(found) - len(shown)} more)" if len(found) > len(shown) else ""
    return error(
        f"{len(found)} nomination(s) cannot be taken on; nothing was recorded: "
        + "; ".join(refusal.detail for refusal in shown)
        + more
        + ".",
        nominations=[refusal.as_json() for refusal in found],
    )


async def transition_all(
    batch: Sequence[tuple[Attempt, Action]], *, mixed: type[ProblemError], also: Sequence[Refusal] = ()
) -> None:
    """:func:`transition` for many nominations at once, all or none: every refusal (with ``also``, what the
    caller refused before) is named in one problem; otherwise every action is applied, the outbox events in
    one insert (a council's count, a decision)."""
    found = [*also, *await refusals(batch)]
    if found:
        raise refused(found, mixed)
    await _apply(batch)


async def _apply(batch: Sequence[tuple[Attempt, Action]]) -> None:
    if not batch:
        return
    events: list[Event] = []
    for attempt, action in batch:
        events.extend(await _apply_one(attempt, action))
    session = batch[0][0].session
    await emit_many(session, outbox, events, occurred_at=batch[0][0].now)
    await session.flush()


async def _apply_one(attempt: Attempt, action: Action) -> list[Event]:
    rule = WORKFLOW[action]
    nomination, now, caller = attempt.nomination, attempt.now, attempt.caller
    details: dict[str, Any] = dict(attempt.details or {})
    for effect in EFFECTS.get(action, ()):
        details.update(await effect(attempt) or {})
    before = nomination.status
    if rule.target is not None or action in EFFECTS:
        # A change of the nomination itself: its version moves. A file or a snapshot added to the dossier
        # is recorded in the audit trail without making the nomination's ETag stale.
        nomination.updated_at = now
    if rule.target is not None:
        with _writing_state():
            nomination.status = rule.target.value
            nomination.outcome = OUTCOMES[action].value if action in OUTCOMES else None
        if rule.target is Status.DECIDED:
            nomination.decided_at = now
        if rule.target is Status.SUBMITTED:
            nomination.submitted_at = now
            nomination.first_submitted_at = nomination.first_submitted_at or now
        if rule.target is Status.RETURNED:
            nomination.returned_at = now
    if inspect(nomination).transient:
        attempt.session.add(nomination)
        await attempt.session.flush()
    attempt.session.add(
        NominationEvent(
            nomination_id=nomination.id,
            action=action.value,
            from_status=before,
            to_status=nomination.status,
            actor=caller.principal.subject if caller else "public",
            actor_roles=sorted(caller.principal.roles) if caller else [],
            note=attempt.note,
            details=details or None,
            occurred_at=now,
        )
    )
    return [await announcement.event(attempt) for announcement in ANNOUNCEMENTS.get(action, ())]
