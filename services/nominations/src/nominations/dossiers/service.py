"""Nominations: drafting, reading, editing, and the actions of the workflow."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.calendar.service import load_calendar
from nominations.catalogue import repository as catalogue
from nominations.catalogue.models import Authority, AwardType, RecipientKind
from nominations.dossiers import eligibility, repository
from nominations.dossiers.models import Nomination, NominationEvent, Status
from nominations.dossiers.schemas import (
    ActionIn,
    EligibilityOut,
    EventOut,
    NominationIn,
    NominationOut,
    NominationPatch,
    NominationSummary,
    Nominee,
)
from nominations.dossiers.workflow import Action, ActionForbidden, check, may_read, record, transition
from nominations.org_scope import ScopeCheck
from nominations.rounds import service as rounds
from nominations.rounds.models import Round
from shared import clock
from shared.pagination import Page
from shared.problems import BadRequest, Conflict, NotFound, ProblemError

NATIONAL_AUTHORITIES = frozenset({Authority.PRIME_MINISTER.value, Authority.PRESIDENT.value})


class NominationNotFound(NotFound):
    slug = "nomination-not-found"
    title = "Nomination not found"


class InvalidNomination(ProblemError):
    status = 422
    slug = "invalid-nomination"
    title = "The nomination does not fit its round or award type"


class DeadlinePassed(Conflict):
    slug = "deadline-passed"
    title = "The deadline has passed"


class NotEligible(Conflict):
    slug = "not-eligible"
    title = "Rules failed without an override"


class OpenObjections(Conflict):
    slug = "open-objections"
    title = "Objections are still open"


class DisclosureNotOver(Conflict):
    slug = "disclosure-not-over"
    title = "The public disclosure period is not over"


def to_out(nomination: Nomination, allowed: list[str]) -> NominationOut:
    return NominationOut(
        id=nomination.id,
        round_id=nomination.round_id,
        award_type_code=nomination.award_type_code,
        occasion=nomination.occasion,
        nominee=Nominee(
            kind=RecipientKind(nomination.nominee_kind),
            name=nomination.nominee_name,
            key=nomination.nominee_key,
            position=nomination.nominee_position,
            org_unit=nomination.nominee_org_unit,
        ),
        nominating_org_unit=nomination.nominating_org_unit,
        nominating_org_unit_name=nomination.nominating_org_unit_name,
        achievements=nomination.achievements,
        achievement_keys=nomination.achievement_keys,
        initiatives=nomination.initiatives,
        members=nomination.members,
        open_discipline=nomination.open_discipline,
        unit_headcount=nomination.unit_headcount,
        status=nomination.status,
        outcome=nomination.outcome,
        eligibility=nomination.eligibility,
        overrides=nomination.overrides,
        council_result=nomination.council_result,
        disclosure_from=nomination.disclosure_from,
        disclosure_until=nomination.disclosure_until,
        forwarding=nomination.forwarding,
        decision_id=nomination.decision_id,
        submitted_at=nomination.submitted_at,
        decided_at=nomination.decided_at,
        created_by=nomination.created_by,
        created_at=nomination.created_at,
        updated_at=nomination.updated_at,
        version=nomination.version,
        allowed_actions=allowed,
    )


async def _award_type(session: AsyncSession, code: str, round_: Round) -> AwardType:
    award_type = await catalogue.version_in_force(session, code, round_.reference_date)
    if award_type is None:
        raise InvalidNomination(
            f"{code} is not an award type in force on the round's reference date {round_.reference_date}.",
            errors=[{"name": "award_type_code", "reason": "not in force"}],
        )
    return award_type


def _fits(award_type: AwardType, round_: Round, occasion: str, nominee_kind: str) -> None:
    problems = []
    if occasion not in award_type.occasions:
        problems.append(
            {
                "name": "occasion",
                "reason": f"{award_type.code} is given on {', '.join(award_type.occasions)}, not {occasion}",
            }
        )
    if nominee_kind != award_type.recipient_kind:
        problems.append(
            {
                "name": "nominee.kind",
                "reason": f"{award_type.code} is for a {award_type.recipient_kind}, not a {nominee_kind}",
            }
        )
    if problems:
        raise InvalidNomination("; ".join(problem["reason"] for problem in problems) + ".", errors=problems)


async def _unit_name(scope: ScopeCheck, nominee_unit: str, nominating_unit: str, day: dt.date) -> str:
    """Check both units existed on the round's date and the nominee belongs to the nominating unit."""
    hierarchy = await scope.targets.hierarchy(day, scope.token)
    unit = hierarchy.get(nominating_unit)
    if unit is None:
        raise InvalidNomination(
            f"{nominating_unit} was not an org unit on {day}.",
            errors=[{"name": "nominating_org_unit", "reason": "unknown on the round's date"}],
        )
    if not hierarchy.within(nominee_unit, nominating_unit):
        raise InvalidNomination(
            f"The nominee's unit {nominee_unit} is not {nominating_unit} or a unit below it on {day}.",
            errors=[{"name": "nominee.org_unit", "reason": "outside the nominating unit"}],
        )
    return unit.name


async def create(session: AsyncSession, scope: ScopeCheck, body: NominationIn) -> Nomination:
    round_ = await rounds.get(session, body.round_id)
    unit = body.nominating_org_unit or scope.principal.org_unit
    if unit is None:
        raise BadRequest("Say which unit nominates (nominating_org_unit): your token names none.")
    await scope.require(unit, round_.reference_date)
    if clock.today() > round_.submission_deadline:
        raise DeadlinePassed(
            f"Round {round_.code} closed for nominations on {round_.submission_deadline}.",
            deadline=round_.submission_deadline.isoformat(),
        )
    award_type = await _award_type(session, body.award_type_code, round_)
    occasion = (body.occasion.value if body.occasion else None) or _default_occasion(round_)
    _fits(award_type, round_, occasion, body.nominee.kind.value)
    unit_name = await _unit_name(scope, body.nominee.org_unit, unit, round_.reference_date)
    nomination = Nomination(
        round_id=round_.id,
        award_type_code=award_type.code,
        occasion=occasion,
        nominee_kind=body.nominee.kind.value,
        nominee_name=body.nominee.name,
        nominee_key=body.nominee.key,
        nominee_position=body.nominee.position,
        nominee_org_unit=body.nominee.org_unit,
        nominating_org_unit=unit,
        nominating_org_unit_name=unit_name,
        achievements=body.achievements,
        achievement_keys=body.achievement_keys,
        initiatives=[initiative.model_dump() for initiative in body.initiatives],
        members=body.members.model_dump() if body.members else None,
        open_discipline=body.open_discipline,
        unit_headcount=body.unit_headcount,
        status=Status.DRAFT.value,
        overrides=[],
        created_by=scope.principal.subject,
    )
    session.add(nomination)
    await session.flush()
    session.add(
        NominationEvent(
            nomination_id=nomination.id,
            action="create",
            from_status=None,
            to_status=Status.DRAFT.value,
            actor=scope.principal.subject,
            actor_roles=sorted(scope.principal.roles),
        )
    )
    await session.flush()
    await session.refresh(nomination)
    return nomination


def _default_occasion(round_: Round) -> str:
    return round_.kind


async def get(session: AsyncSession, scope: ScopeCheck, nomination_id: int) -> tuple[Nomination, Round]:
    """A nomination the caller may read; one they may not is reported as missing, not forbidden."""
    nomination = await session.get(Nomination, nomination_id)
    if nomination is None:
        raise NominationNotFound(f"No nomination has the id {nomination_id}.")
    round_ = await rounds.get(session, nomination.round_id)
    if not await may_read(scope, nomination, round_.reference_date):
        raise NominationNotFound(f"No nomination has the id {nomination_id}.")
    return nomination, round_


async def list_nominations(
    session: AsyncSession,
    scope: ScopeCheck,
    *,
    round_id: int | None,
    status: str | None,
    award_type: str | None,
    org_unit: str | None,
    q: str | None,
    limit: int,
    after_id: int | None,
) -> Page[NominationSummary]:
    day = (await rounds.get(session, round_id)).reference_date if round_id is not None else clock.today()
    visible = await scope.visible_units(day)
    rows = await repository.page(
        session,
        visible=visible,
        round_id=round_id,
        status=status,
        award_type=award_type,
        org_unit=org_unit,
        q=q,
        limit=limit,
        after_id=after_id,
    )
    return repository.as_page(rows, limit)


async def update(
    session: AsyncSession, scope: ScopeCheck, nomination: Nomination, round_: Round, body: NominationPatch
) -> None:
    await check(scope, nomination, Action.EDIT, round_.reference_date)
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    if "nominee" in changes and body.nominee is not None:
        _fits(
            await _award_type(session, nomination.award_type_code, round_),
            round_,
            nomination.occasion,
            body.nominee.kind.value,
        )
        await _unit_name(scope, body.nominee.org_unit, nomination.nominating_org_unit, round_.reference_date)
        nomination.nominee_kind = body.nominee.kind.value
        nomination.nominee_name = body.nominee.name
        nomination.nominee_key = body.nominee.key
        nomination.nominee_position = body.nominee.position
        nomination.nominee_org_unit = body.nominee.org_unit
    for name in (
        "achievements",
        "achievement_keys",
        "initiatives",
        "members",
        "open_discipline",
        "unit_headcount",
    ):
        if name in changes:
            setattr(nomination, name, changes[name])
    await record(
        session,
        scope.principal.subject,
        sorted(scope.principal.roles),
        nomination,
        Action.EDIT,
        None,
        {"fields": sorted(changes)},
    )
    await session.flush()


async def judge(session: AsyncSession, nomination: Nomination, round_: Round) -> EligibilityOut:
    verdicts, warnings = await eligibility.judge(session, nomination, round_)
    return eligibility.to_out(nomination, round_, verdicts, warnings)


async def act(
    session: AsyncSession,
    scope: ScopeCheck,
    nomination: Nomination,
    round_: Round,
    action: Action,
    body: ActionIn,
) -> None:
    """Take a workflow action: the checks particular to the action, then the one transition function."""
    day = round_.reference_date
    today = clock.today()
    details: dict[str, Any] | None = None
    await check(scope, nomination, action, day)
    if action is Action.SUBMIT and today > round_.submission_deadline:
        raise DeadlinePassed(
            f"Round {round_.code} closed for submissions on {round_.submission_deadline}.",
            deadline=round_.submission_deadline.isoformat(),
        )
    if action is Action.RESUBMIT:
        calendar = await load_calendar(session)
        returned_on = clock.local_date(nomination.returned_at or clock.now())
        deadline = max(
            round_.submission_deadline,
            calendar.add_working_days(returned_on, round_.resubmission_working_days),
        )
        if today > deadline:
            raise DeadlinePassed(
                f"A returned dossier had to be resubmitted by {deadline}.", deadline=deadline.isoformat()
            )
    if action is Action.SCREEN:
        verdicts = await judge(session, nomination, round_)
        nomination.eligibility = verdicts.model_dump(mode="json")
        details = {"overall": verdicts.overall}
    if action is Action.OVERRIDE:
        if body.override is None:
            raise BadRequest("Name the rule to override (override.rule) and say why (note).")
        verdicts = await judge(session, nomination, round_)
        kinds = {v.kind: v.status for v in verdicts.verdicts}
        if kinds.get(body.override.rule) in (None, "passed"):
            raise BadRequest(
                f"{body.override.rule!r} is not a failed or unknown rule of this nomination; "
                f"those are {', '.join(k for k, s in kinds.items() if s != 'passed') or 'none'}."
            )
        nomination.overrides = [
            *nomination.overrides,
            {
                "rule": body.override.rule,
                "reason": body.note,
                "by": scope.principal.subject,
                "at": clock.now().isoformat(),
            },
        ]
        details = {"rule": body.override.rule}
    if action is Action.SEND_TO_COUNCIL:
        verdicts = await judge(session, nomination, round_)
        nomination.eligibility = verdicts.model_dump(mode="json")
        failing = eligibility.blocking(verdicts)
        if failing:
            raise NotEligible(
                f"Rules failed: {', '.join(failing)}. Return the dossier, reject it, or override each rule "
                "with a written reason.",
                failed_rules=failing,
            )
    if action is Action.FORWARD:
        award_type = await _award_type(session, nomination.award_type_code, round_)
        if award_type.deciding_authority not in NATIONAL_AUTHORITIES:
            raise InvalidNomination(
                f"{award_type.code} is decided by the {award_type.deciding_authority}, not forwarded."
            )
        if body.forwarding is None:
            raise BadRequest("Give the forwarding record: to, document_number, sent_on.")
        await ready_for_decision(session, nomination, today)
        nomination.forwarding = {**body.forwarding.model_dump(mode="json"), "by": scope.principal.subject}
        details = {"forwarding": nomination.forwarding}
    if action is Action.DECLINE:
        # Only the office that forwarded the nomination records the higher authority's refusal.
        _, levels = await scope.authority_levels(today)
        addressee = (nomination.forwarding or {}).get("to")
        if addressee not in levels:
            raise ActionForbidden(
                f"The refusal of the {addressee} is recorded by the office that forwarded the nomination.",
                allowed_actions=[],
            )
    await transition(session, scope, nomination, action, day, note=body.note, details=details)
    await session.flush()


async def ready_for_decision(session: AsyncSession, nomination: Nomination, today: dt.date) -> None:
    """Disclosure must be over with no objection left open (forwarding and deciding both need it)."""
    until = nomination.disclosure_until
    if nomination.status == Status.DISCLOSURE.value and until is not None and today <= until:
        raise DisclosureNotOver(
            f"Nomination {nomination.id} is publicly disclosed until {until}.",
            disclosure_until=until.isoformat(),
        )
    open_count = await repository.open_objections(session, nomination.id)
    if open_count:
        raise OpenObjections(
            f"Nomination {nomination.id} has {open_count} open objection(s) for the secretariat to resolve.",
            open_objections=open_count,
        )


async def events(session: AsyncSession, nomination_id: int) -> list[EventOut]:
    rows = await session.execute(
        select(NominationEvent)
        .where(NominationEvent.nomination_id == nomination_id)
        .order_by(NominationEvent.id)
    )
    return [
        EventOut(
            id=event.id,
            action=event.action,
            from_status=event.from_status,
            to_status=event.to_status,
            actor=event.actor,
            actor_roles=event.actor_roles,
            note=event.note,
            details=event.details,
            occurred_at=event.occurred_at,
        )
        for event in rows.scalars()
    ]
