"""Nominations: drafting, reading, editing, judging eligibility, and the actions of the workflow.

Every change goes through :func:`nominations.nominations.workflow.transition`; this module prepares what an
action needs (the attempt) and answers the questions other domains ask about nominations (locks, briefs,
what is under public disclosure, the moments timeliness is measured by).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nominations.catalogue import service as catalogue
from nominations.catalogue.models import AwardType, RecipientKind
from nominations.nominations import eligibility, repository, workflow
from nominations.nominations.attempt import Attempt
from nominations.nominations.eligibility import QuotaBasis
from nominations.nominations.models import Nomination, NominationEvent
from nominations.nominations.schemas import (
    ActionIn,
    EligibilityOut,
    EventOut,
    NominationIn,
    NominationOut,
    NominationPatch,
    NominationSummary,
    Nominee,
    NomineeGroup,
)
from nominations.nominations.workflow import Action
from nominations.org_scope import ScopeCheck
from nominations.registry import service as registry
from nominations.rounds import service as rounds
from nominations.rounds.models import Round
from shared import clock
from shared.pagination import Page, encode_cursor
from shared.problems import BadRequest, NotFound, UnprocessableContent


class NominationNotFound(NotFound):
    slug = "nomination-not-found"
    title = "Nomination not found"


class InvalidNomination(UnprocessableContent):
    slug = "invalid-nomination"
    title = "The nomination does not fit its round or award type"


class NominatingUnitRequired(BadRequest):
    slug = "nominating-unit-required"
    title = "Say which unit nominates"


def to_out(nomination: Nomination, allowed: list[str]) -> NominationOut:
    return NominationOut(
        id=nomination.id,
        round_id=nomination.round_id,
        award_type_code=nomination.award_type_code,
        award_name=nomination.award_name,
        catalogue_date=nomination.catalogue_date,
        occasion=nomination.occasion,
        nominee=Nominee(
            kind=RecipientKind(nomination.nominee_kind),
            name=nomination.nominee_name,
            key=nomination.nominee_key,
            position=nomination.nominee_position,
            org_unit=nomination.nominee_org_unit,
            groups=[NomineeGroup(group) for group in nomination.nominee_groups],
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
        open_objections=nomination.open_objections,
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


async def out(scope: ScopeCheck, nomination: Nomination, round_: Round) -> NominationOut:
    """The nomination with the actions this caller may take on it now."""
    return to_out(nomination, await workflow.allowed_actions(scope, nomination, round_.reference_date))


async def _award_type(session: AsyncSession, code: str, day: dt.date) -> AwardType:
    award_type = await catalogue.version_in_force(session, code, day)
    if award_type is None:
        raise InvalidNomination(
            f"{code} is not an award type in force on {day}, the date whose catalogue judges this round's"
            " nominations sent today.",
            errors=[{"name": "award_type_code", "reason": "not in force"}],
        )
    return award_type


def _fits(award_type: AwardType, occasion: str, nominee_kind: str) -> None:
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


def _nominee_fields(nominee: Nominee) -> dict[str, Any]:
    return {
        "nominee_kind": nominee.kind.value,
        "nominee_name": nominee.name,
        "nominee_key": nominee.key,
        "nominee_position": nominee.position,
        "nominee_org_unit": nominee.org_unit,
        "nominee_groups": [group.value for group in nominee.groups],
    }


async def create(session: AsyncSession, scope: ScopeCheck, body: NominationIn) -> tuple[Nomination, Round]:
    """Draft a nomination for a person, collective or household of the caller's unit, while the round takes
    nominations; it is judged by the hierarchy of the round's reference date and the catalogue of its
    catalogue date (nominations.catalogue.regimes)."""
    round_ = await rounds.get(session, body.round_id)
    unit = body.nominating_org_unit or scope.principal.org_unit
    if unit is None:
        raise NominatingUnitRequired("Say which unit nominates (nominating_org_unit): your token names none.")
    await scope.require(unit, round_.reference_date)
    catalogue_date = await catalogue.judging_day(session, round_.reference_date, clock.today())
    award_type = await _award_type(session, body.award_type_code, catalogue_date)
    occasion = body.occasion.value if body.occasion else round_.kind
    _fits(award_type, occasion, body.nominee.kind.value)
    unit_name = await _unit_name(scope, body.nominee.org_unit, unit, round_.reference_date)
    nomination = Nomination(
        round_id=round_.id,
        award_type_code=award_type.code,
        catalogue_date=catalogue_date,
        award_name=award_type.name,
        occasion=occasion,
        **_nominee_fields(body.nominee),
        nominating_org_unit=unit,
        nominating_org_unit_name=unit_name,
        achievements=body.achievements,
        achievement_keys=body.achievement_keys,
        initiatives=[initiative.model_dump() for initiative in body.initiatives],
        members=body.members.model_dump() if body.members else None,
        open_discipline=body.open_discipline,
        unit_headcount=body.unit_headcount,
        overrides=[],
        open_objections=0,
        created_by=scope.principal.subject,
    )
    await workflow.transition(Attempt(session, scope, nomination, round_), Action.CREATE)
    await session.refresh(nomination)
    return nomination, round_


async def get(session: AsyncSession, scope: ScopeCheck, nomination_id: int) -> tuple[Nomination, Round]:
    """A nomination the caller may read; one they may not is reported as missing, not forbidden."""
    nomination = await repository.get(session, nomination_id)
    if nomination is None:
        raise NominationNotFound(f"No nomination has the id {nomination_id}.")
    round_ = await rounds.get(session, nomination.round_id)
    if not await workflow.may_read(scope, nomination, round_.reference_date):
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
    rows = await repository.page(
        session,
        visible=await scope.visible_units(day),
        round_id=round_id,
        status=status,
        award_type=award_type,
        org_unit=org_unit,
        q=q,
        limit=limit,
        after_id=after_id,
    )
    items = [NominationSummary.model_validate(row._mapping) for row in rows[:limit]]
    return Page(items=items, next_cursor=encode_cursor(items[-1].id) if len(rows) > limit else None)


async def update(
    session: AsyncSession, scope: ScopeCheck, nomination: Nomination, round_: Round, body: NominationPatch
) -> None:
    """Edit a draft or returned dossier; a new nominee must still fit the award type and the unit."""
    attempt = Attempt(session, scope, nomination, round_)
    await workflow.check(attempt, Action.EDIT)
    given: dict[str, Any] = body.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    if body.nominee is not None:
        award_type = await _award_type(session, nomination.award_type_code, nomination.catalogue_date)
        _fits(award_type, nomination.occasion, body.nominee.kind.value)
        await _unit_name(scope, body.nominee.org_unit, nomination.nominating_org_unit, round_.reference_date)
        changes.update(_nominee_fields(body.nominee))
    changes.update({name: value for name, value in given.items() if name != "nominee"})
    attempt.changes = changes
    attempt.details = {"fields": sorted(given)}
    await workflow.transition(attempt, Action.EDIT)


async def _quota(session: AsyncSession, nomination: Nomination, round_: Round) -> QuotaBasis | None:
    code, unit = nomination.award_type_code, nomination.nominating_org_unit
    quotas = await catalogue.quotas_in_force(session, [code], nomination.catalogue_date)
    quota = eligibility.applicable_quota(quotas, unit)
    if quota is None:
        return None
    used = await repository.live_count(session, round_id=round_.id, award_type=code, unit=unit)
    share = f"{float(quota.max_share):.0%}"
    if quota.basis == "headcount":
        headcount = nomination.unit_headcount
        return QuotaBasis(quota, used, headcount, f"{share} of a headcount of {headcount}")
    if quota.basis.startswith("award:"):
        title = quota.basis.removeprefix("award:")
        # Holders of the basis title this year: decided already, or nominated in this round and still live.
        decided = await registry.count_holders(session, award_type=title, year=round_.year, area=unit)
        pending = await repository.live_count(
            session, round_id=round_.id, award_type=title, unit=unit, undecided_only=True
        )
        holders = decided + pending
        return QuotaBasis(quota, used, holders, f"{share} of {holders} holding {title} in {round_.year}")
    return None


async def judge(session: AsyncSession, nomination: Nomination, round_: Round) -> EligibilityOut:
    """Each rule of the award type in force on the nomination's catalogue date, judged on the dossier, the
    nominee's award history and the round's quota."""
    rules = await catalogue.rules_in_force(session, [nomination.award_type_code], nomination.catalogue_date)
    history = await registry.nominee_history(
        session,
        nomination.nominee_key,
        nomination.nominee_name,
        by_name=nomination.nominee_kind == RecipientKind.INDIVIDUAL.value,
    )
    return eligibility.judge(nomination, round_, rules, history, await _quota(session, nomination, round_))


async def act(
    session: AsyncSession,
    scope: ScopeCheck,
    nomination: Nomination,
    round_: Round,
    action: Action,
    body: ActionIn,
) -> None:
    """Take a workflow action through the one transition function; what it needs comes with the attempt."""
    attempt = Attempt(
        session,
        scope,
        nomination,
        round_,
        note=body.note,
        override_rule=body.override.rule if body.override else None,
        forwarding=body.forwarding.model_dump(mode="json") if body.forwarding else None,
        judge=lambda: judge(session, nomination, round_),
    )
    await workflow.transition(attempt, action)


def _event_out(event: NominationEvent) -> EventOut:
    return EventOut(
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


async def events(
    session: AsyncSession, nomination_id: int, *, limit: int, after_id: int | None
) -> Page[EventOut]:
    """The audit trail, oldest first."""
    rows = await repository.events_of(session, nomination_id, limit=limit, after_id=after_id)
    items = [_event_out(event) for event in rows[:limit]]
    return Page(items=items, next_cursor=encode_cursor(items[-1].id) if len(rows) > limit else None)


# --- for the other domains ------------------------------------------------------------------------------


async def lock(session: AsyncSession, ids: Sequence[int]) -> list[Nomination]:
    """The nominations, locked in id order until the transaction ends."""
    return await repository.lock(session, ids)


async def lock_one(session: AsyncSession, nomination: Nomination) -> None:
    """Lock a nomination already read and read it again (after a slow upload or fetch)."""
    await session.refresh(nomination, with_for_update=True)


@dataclass(frozen=True, slots=True)
class Brief:
    """What a council's agenda shows of a nomination."""

    award_type_code: str
    nominee_name: str
    nominating_org_unit: str
    status: str
    council_result: dict[str, Any] | None


async def briefs(session: AsyncSession, ids: Sequence[int]) -> dict[int, Brief]:
    return {
        row.id: Brief(
            row.award_type_code, row.nominee_name, row.nominating_org_unit, row.status, row.council_result
        )
        for row in await repository.briefs(session, ids)
    }


async def scope_days(session: AsyncSession, ids: Sequence[int]) -> list[tuple[int, str, dt.date]]:
    """Each nomination's unit and its round's reference date: what scope is judged on (no lock taken)."""
    rows = await repository.units_and_rounds(session, ids)
    days = await rounds.reference_dates(session, {round_id for _, _, round_id in rows})
    return [(nomination_id, unit, days[round_id]) for nomination_id, unit, round_id in rows]


async def under_disclosure(
    session: AsyncSession,
    today: dt.date,
    *,
    award_type: str | None,
    round_id: int | None,
    limit: int,
    before_id: int | None,
) -> Sequence[Any]:
    """The nominations whose public disclosure period runs on ``today``, newest first, public fields."""
    return await repository.under_disclosure(
        session,
        today,
        workflow.UNDER_DISCLOSURE,
        award_type=award_type,
        round_id=round_id,
        limit=limit,
        before_id=before_id,
    )


async def stage_day_counts(session: AsyncSession, scope: ScopeCheck, round_: Round) -> Sequence[Any]:
    """A round's nominations the caller may read, counted by award type, status, day of first submission
    and of decision."""
    visible = await scope.visible_units(round_.reference_date)
    return await repository.stage_day_counts(session, round_.id, visible=visible)


async def late_nominations(
    session: AsyncSession,
    scope: ScopeCheck,
    round_: Round,
    *,
    unsubmitted: Sequence[str],
    unsubmitted_late: bool,
    submission_deadline: dt.date,
    late_submissions: bool,
    waiting_late: Sequence[str],
    limit: int,
    after: int | None,
) -> Sequence[Any]:
    """The round's late nominations the caller may read, a page by id (the states chosen by the
    timeliness service, see repository.late_nominations)."""
    return await repository.late_nominations(
        session,
        round_.id,
        unsubmitted=unsubmitted,
        unsubmitted_late=unsubmitted_late,
        submission_deadline=submission_deadline,
        late_submissions=late_submissions,
        waiting_late=waiting_late,
        visible=await scope.visible_units(round_.reference_date),
        limit=limit,
        after=after,
    )


# The row of group_counts that counts every group.
ALL_GROUPS = repository.ALL_GROUPS


async def group_counts(
    session: AsyncSession, *, round_ids: Sequence[int], units: Sequence[str] | None
) -> list[tuple[str | None, str, int, int, int]]:
    """Sent nominations and awards per priority group and nominating unit (the fairness report)."""
    return await repository.group_counts(session, round_ids=round_ids, units=units)


async def awarded_ids(session: AsyncSession, round_ids: Sequence[int]) -> list[int]:
    """The nominations of these rounds decided with an award."""
    return await repository.awarded_ids(session, round_ids)
