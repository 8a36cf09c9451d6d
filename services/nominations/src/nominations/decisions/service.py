"""Decisions (quyết định khen thưởng): the deciding authority's signed act, and the awards it makes.

Recording a decision awards every nomination it names in one transaction, or none: each must have come out
of public disclosure with no objection open (or have been forwarded to the Prime Minister or the President),
and its award type must be one the decision's authority decides (Luật Thi đua, khen thưởng 06/2022/QH15,
Điều 78-79: the provincial chairman decides provincial titles, Cờ thi đua and Bằng khen; higher forms are
decided by the Prime Minister and the President on the province's proposal). Each award joins the awards
registry, with the cash bonus the decision carries, and is announced (``award.granted``, docs/events.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.catalogue import service as catalogue
from nominations.catalogue.models import BaseSalary
from nominations.decisions import repository
from nominations.decisions.models import Decision
from nominations.decisions.schemas import DecidedAward, DecisionIn, DecisionOut, DecisionSummary
from nominations.models import outbox
from nominations.nominations import service as nominations
from nominations.nominations import workflow
from nominations.nominations.attempt import Attempt, DecisionTerms
from nominations.nominations.guards import InvalidDecision
from nominations.nominations.models import Nomination
from nominations.nominations.workflow import Action, Refusal
from nominations.org_scope import Hierarchy, ScopeCheck
from nominations.registry import service as registry
from nominations.registry.models import Award
from nominations.rounds import service as rounds
from nominations.rounds.models import Round
from shared import clock
from shared.outbox import Event, emit_many
from shared.pagination import Page, decode_int_cursor, encode_cursor
from shared.problems import Conflict, Forbidden, NotFound, UnprocessableContent

# Bonuses are paid in whole tens of thousands of đồng, rounded up.
BONUS_STEP_VND = Decimal(10_000)


class DecisionNotFound(NotFound):
    slug = "decision-not-found"
    title = "Decision not found"


class DecisionNumberTaken(Conflict):
    slug = "decision-number-taken"
    title = "A decision with this number is already recorded"


class UnknownNomination(UnprocessableContent):
    slug = "unknown-nomination"
    title = "No such nomination"


class NominationsNotDecidable(Conflict):
    """Several nominations of one decision fail for different reasons; each is listed."""

    slug = "nominations-not-decidable"
    title = "Some nominations cannot be decided"


class NotYourAuthority(Forbidden):
    slug = "not-your-authority"
    title = "This decision is not your office's to record"


def cash_bonus(coefficient: Decimal, base_salary_vnd: Decimal) -> Decimal:
    """The cash bonus: coefficient × the base salary (mức lương cơ sở) in force on the decision's date,
    rounded UP to the next 10,000 VND (0.3 × 2,340,000 = 702,000 → 710,000).

    Legal sources: Nghị định 91/2017/NĐ-CP, Điều 68 khoản 2 ("làm tròn số lên hàng chục ngàn đồng"); Nghị định
    98/2023/NĐ-CP, Điều 53 (cần đối chiếu: the article's number, from secondary sources); Nghị định
    152/2025/NĐ-CP, Điều 49 khoản 1 (the base salary of the decision's date) and khoản 2 (the rounding).
    """
    steps = (coefficient * base_salary_vnd / BONUS_STEP_VND).to_integral_value(rounding=ROUND_CEILING)
    return steps * BONUS_STEP_VND


async def _unit(
    scope: ScopeCheck, nomination: Nomination, on_signing: Hierarchy, round_: Round
) -> tuple[str, list[str]]:
    """The nominee's unit's name and area as they stood when the decision was signed; a unit gone by then
    (a district abolished on 2025-07-01) is named as it stood on the round's reference date."""
    code = nomination.nominee_org_unit
    for hierarchy in (on_signing, await scope.targets.hierarchy(round_.reference_date, scope.token)):
        unit = hierarchy.get(code)
        if unit is not None:
            return unit.name, hierarchy.path(code)
    return nomination.nominating_org_unit_name if code == nomination.nominating_org_unit else code, [code]


async def _office(scope: ScopeCheck, body: DecisionIn) -> None:
    """An authority records decisions of its own office's level only (checked before anything is read)."""
    unit, levels = await scope.authority_levels(body.signed_on)
    if not levels:
        raise NotYourAuthority(
            f"Your token's org unit {scope.principal.org_unit!r} was not an office on {body.signed_on}."
        )
    if body.authority.value not in levels:
        name = unit.name if unit else scope.principal.org_unit
        raise NotYourAuthority(
            f"The office of {name} records decisions of {', '.join(sorted(levels))},"
            f" not {body.authority.value}.",
            allowed_authorities=sorted(levels),
        )


async def _in_scope(session: AsyncSession, scope: ScopeCheck, ids: Sequence[int]) -> list[int]:
    """The named nominations of the caller's units (the others are answered as unknown, and not locked)."""
    rows = await nominations.scope_days(session, ids)
    return [nomination_id for nomination_id, unit, day in rows if await scope.covers(unit, day)]


async def _refuse_what_cannot_be_signed(session: AsyncSession, body: DecisionIn) -> BaseSalary:
    """A decision is recorded once signed, with a base salary to pay its bonuses, under a new number."""
    today = clock.today()
    if body.signed_on > today:
        raise InvalidDecision(
            f"A decision is recorded once signed; {body.signed_on} is after today ({today}).",
            errors=[{"name": "signed_on", "reason": "in the future"}],
        )
    salary = await catalogue.base_salary_on(session, body.signed_on)
    if salary is None:
        raise InvalidDecision(
            f"No base salary (mức lương cơ sở) is recorded for {body.signed_on}, so no bonus can be computed."
            " Enter it in the catalogue first.",
            errors=[{"name": "signed_on", "reason": "no base salary in force"}],
        )
    if await repository.number_taken(session, body.number):
        raise DecisionNumberTaken(f"Decision {body.number} is already recorded.", number=body.number)
    return salary


async def _awards_to_make(
    session: AsyncSession, scope: ScopeCheck, body: DecisionIn
) -> list[tuple[Attempt, Action]]:
    """The nominations named, locked, each an ``award`` attempt; all refused at once, naming each, if any
    cannot be decided (unknown, or outside the office's units, included)."""
    mine = await _in_scope(session, scope, body.nomination_ids)
    locked = {nomination.id: nomination for nomination in await nominations.lock(session, mine)}
    by_round = await rounds.by_ids(session, {nomination.round_id for nomination in locked.values()})
    terms, now, note = (
        DecisionTerms(None, body.number, body.signed_on, body.authority.value),
        clock.now(),
        body.note,
    )
    batch = [
        (
            Attempt(session, scope, n, by_round[n.round_id], note=note or None, decision=terms, now=now),
            Action.AWARD,
        )
        for i in body.nomination_ids
        if (n := locked.get(i)) is not None
    ]
    unknown = [
        Refusal(i, UnknownNomination, f"{i}: no such nomination")
        for i in body.nomination_ids
        if i not in locked
    ]
    found = [*unknown, *await workflow.refusals(batch)]
    if found:
        position = {nomination_id: index for index, nomination_id in enumerate(body.nomination_ids)}
        found.sort(key=lambda refusal: position[refusal.nomination_id])
        raise workflow.refused(found, NominationsNotDecidable)
    return batch


async def _record(session: AsyncSession, scope: ScopeCheck, body: DecisionIn) -> Decision:
    decision = Decision(
        number=body.number,
        signed_on=body.signed_on,
        signer=body.signer,
        signer_title=body.signer_title,
        authority=body.authority.value,
        note=body.note or None,
        issued_by=scope.principal.subject,
    )
    try:
        async with session.begin_nested():
            session.add(decision)
            await session.flush()
        await session.refresh(decision)
    except IntegrityError:  # recorded by a concurrent request since the check above
        raise DecisionNumberTaken(
            f"Decision {body.number} is already recorded.", number=body.number
        ) from None
    return decision


async def issue(session: AsyncSession, scope: ScopeCheck, body: DecisionIn) -> Decision:
    """Record a signed decision and award every nomination it names, all or nothing.

    Each nomination must be in ``disclosure`` with the period over, no objection open and the decision
    signed after the period, or ``approved``, or ``forwarded``; its award type (the version in force on its
    catalogue date) must be decided by ``body.authority`` or the office that succeeded it (the guards of
    ``award`` in the workflow). One award row
    per nomination (``awards.nomination_id`` is unique): ``achievement_key`` is the nomination's first
    achievement key.
    """
    salary = await _refuse_what_cannot_be_signed(session, body)
    await _office(scope, body)
    batch = await _awards_to_make(session, scope, body)
    decision = await _record(session, scope, body)
    signed = DecisionTerms(decision.id, decision.number, decision.signed_on, decision.authority)
    for attempt, _ in batch:
        attempt.decision = signed
    await workflow.transition_all(batch, mixed=NominationsNotDecidable)
    on_signing = await scope.targets.hierarchy(body.signed_on, scope.token)
    awards = [
        await _record_award(attempt, decision, salary.amount_vnd, on_signing, scope) for attempt, _ in batch
    ]
    await session.flush()
    await emit_many(
        session, outbox, [_granted(award, decision) for award in awards], occurred_at=batch[0][0].now
    )
    await session.flush()
    return decision


def _granted(award: Award, decision: Decision) -> Event:
    """``award.granted``: the award as the registry holds it, and the decision that made it."""
    return Event(
        "award.granted",
        f"award/{award.id}",
        {
            "award_id": award.id,
            "decision_id": decision.id,
            "decision_number": decision.number,
            "decision_date": decision.signed_on.isoformat(),
            "award_type": award.award_type_code,
            "recipient_name": award.recipient_name,
            "org_unit": award.org_unit,
            "nomination_id": award.nomination_id,
            "bonus_vnd": int(award.bonus_vnd or 0),
        },
    )


async def _record_award(
    attempt: Attempt, decision: Decision, base_salary: Decimal, on_signing: Hierarchy, scope: ScopeCheck
) -> Award:
    nomination, round_ = attempt.nomination, attempt.round_
    award_type = await attempt.award_type()
    assert award_type is not None  # noqa: S101 - the award guard award_type_in_force passed
    unit_name, unit_path = await _unit(scope, nomination, on_signing, round_)
    coefficient = award_type.bonus_coefficient
    return registry.record_award(
        attempt.session,
        source="platform",
        nomination_id=nomination.id,
        decision_id=decision.id,
        recipient_kind=nomination.nominee_kind,
        recipient_key=nomination.nominee_key,
        recipient_name=nomination.nominee_name,
        recipient_position=nomination.nominee_position,
        org_unit=nomination.nominee_org_unit,
        org_unit_name=unit_name,
        org_unit_path=unit_path,
        award_type_code=award_type.code,
        award_name=award_type.name,
        year=round_.year,
        occasion=nomination.occasion,
        achievement_key=nomination.achievement_keys[0] if nomination.achievement_keys else None,
        decision_number=decision.number,
        decision_date=decision.signed_on,
        decision_authority=decision.authority,
        bonus_coefficient=coefficient,
        base_salary_vnd=base_salary,
        bonus_vnd=cash_bonus(coefficient, base_salary),
        created_by=scope.principal.subject,
    )


def _award_out(award: Award) -> DecidedAward:
    return DecidedAward(
        id=award.id,
        nomination_id=award.nomination_id,
        recipient_name=award.recipient_name,
        recipient_kind=award.recipient_kind,
        org_unit=award.org_unit,
        org_unit_name=award.org_unit_name,
        award_type_code=award.award_type_code,
        award_name=award.award_name,
        year=award.year,
        bonus_coefficient=float(award.bonus_coefficient) if award.bonus_coefficient is not None else None,
        base_salary_vnd=int(award.base_salary_vnd) if award.base_salary_vnd is not None else None,
        bonus_vnd=int(award.bonus_vnd) if award.bonus_vnd is not None else None,
    )


def _summary(decision: Decision, award_count: int, bonus_total: Decimal | int) -> DecisionSummary:
    return DecisionSummary(
        id=decision.id,
        number=decision.number,
        signed_on=decision.signed_on,
        signer=decision.signer,
        signer_title=decision.signer_title,
        authority=decision.authority,
        note=decision.note,
        issued_by=decision.issued_by,
        created_at=decision.created_at,
        award_count=award_count,
        bonus_total_vnd=int(bonus_total),
    )


async def get(session: AsyncSession, decision_id: int) -> DecisionOut:
    decision = await repository.get(session, decision_id)
    if decision is None:
        raise DecisionNotFound(f"No decision has the id {decision_id}.")
    awards = await registry.awards_of_decision(session, decision_id)
    total = sum(int(award.bonus_vnd or 0) for award in awards)
    summary = _summary(decision, len(awards), total)
    return DecisionOut(**summary.model_dump(), awards=[_award_out(award) for award in awards])


async def list_decisions(
    session: AsyncSession, *, authority: str | None, limit: int, cursor: str | None
) -> Page[DecisionSummary]:
    rows = await repository.page(
        session, authority=authority, limit=limit, before_id=decode_int_cursor(cursor)
    )
    shown = rows[:limit]
    totals = await registry.decision_totals(session, [decision.id for decision in shown])
    items = [_summary(decision, *totals.get(decision.id, (0, 0))) for decision in shown]
    more = len(rows) > limit
    return Page[DecisionSummary](items=items, next_cursor=encode_cursor(items[-1].id) if more else None)
