"""Decisions (quyết định khen thưởng): the deciding authority's signed act, and the awards it makes.

Recording a decision awards every nomination it names in one transaction, or none: each must have come out
of public disclosure with no objection open (or have been forwarded to the Prime Minister or the President),
and its award type must be one the decision's authority decides (Luật Thi đua, khen thưởng 06/2022/QH15,
Điều 78-79: the provincial chairman decides provincial titles, Cờ thi đua and Bằng khen; higher forms are
decided by the Prime Minister and the President on the province's proposal). Each award joins the awards
registry, with the cash bonus the decision carries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.catalogue import repository as catalogue
from nominations.catalogue.models import AwardType
from nominations.decisions import repository
from nominations.decisions.models import Decision
from nominations.decisions.schemas import DecidedAward, DecisionIn, DecisionOut, DecisionSummary
from nominations.dossiers.models import Nomination, Status
from nominations.dossiers.service import DisclosureNotOver, OpenObjections, ready_for_decision
from nominations.dossiers.workflow import Action, ActionNotAllowed, Change, record_many
from nominations.org_scope import Hierarchy, ScopeCheck
from nominations.registry.models import Award
from nominations.registry.service import record_award
from nominations.rounds.models import Round
from shared import clock
from shared.pagination import Page, decode_int_cursor, encode_cursor
from shared.problems import Conflict, Forbidden, NotFound, ProblemError

DECIDABLE = frozenset({Status.DISCLOSURE.value, Status.FORWARDED.value})
# Bonuses are paid in whole tens of thousands of đồng, rounded up.
BONUS_STEP_VND = Decimal(10_000)


class DecisionNotFound(NotFound):
    slug = "decision-not-found"
    title = "Decision not found"


class DecisionNumberTaken(Conflict):
    slug = "decision-number-taken"
    title = "A decision with this number is already recorded"


class InvalidDecision(ProblemError):
    status = 422
    slug = "invalid-decision"
    title = "The decision cannot be recorded as given"


class UnknownNomination(ProblemError):
    status = 422
    slug = "unknown-nomination"
    title = "No such nomination"


class WrongAuthority(ProblemError):
    status = 422
    slug = "wrong-authority"
    title = "The award type is decided by another authority"


class NominationsNotDecidable(Conflict):
    """Several nominations of one decision fail for different reasons; each is listed."""

    slug = "nominations-not-decidable"
    title = "Some nominations cannot be decided"


@dataclass(frozen=True, slots=True)
class Refusal:
    nomination_id: int
    error: type[ProblemError]
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"nomination_id": self.nomination_id, "problem": self.error.slug, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Decidable:
    nomination: Nomination
    round_: Round
    award_type: AwardType


def cash_bonus(coefficient: Decimal, base_salary_vnd: Decimal) -> Decimal:
    """The cash bonus: coefficient × the base salary (mức lương cơ sở) in force on the decision's date,
    rounded UP to the next 10,000 VND (0.3 × 2,340,000 = 702,000 → 710,000).

    Legal source: Nghị định 98/2023/NĐ-CP, the article on bonus amounts ("tiền thưởng sau khi nhân với mức
    lương cơ sở được làm tròn số lên hàng chục nghìn đồng") — cần đối chiếu: the article number and wording
    are to be checked against the decree's text (Nghị định 91/2017/NĐ-CP, Điều 70 had the same rule).
    """
    steps = (coefficient * base_salary_vnd / BONUS_STEP_VND).to_integral_value(rounding=ROUND_CEILING)
    return steps * BONUS_STEP_VND


def _refusal(refusals: list[Refusal]) -> ProblemError:
    """One problem naming every refused nomination; its type is the common reason when there is one."""
    kinds = {refusal.error for refusal in refusals}
    error = kinds.pop() if len(kinds) == 1 else NominationsNotDecidable
    shown = refusals[:5]
    more = f" (and {len(refusals) - len(shown)} more)" if len(refusals) > len(shown) else ""
    return error(
        f"{len(refusals)} nomination(s) cannot be decided; nothing was recorded: "
        + "; ".join(refusal.detail for refusal in shown)
        + more
        + ".",
        nominations=[refusal.as_json() for refusal in refusals],
    )


async def _check(
    session: AsyncSession, body: DecisionIn, nominations: dict[int, Nomination], today: dt.date
) -> list[Decidable]:
    rounds = await repository.rounds_by_id(session, (n.round_id for n in nominations.values()))
    versions: dict[tuple[str, dt.date], AwardType | None] = {}
    refusals: list[Refusal] = []
    decidable: list[Decidable] = []
    for nomination_id in body.nomination_ids:
        nomination = nominations.get(nomination_id)
        if nomination is None:
            refusals.append(Refusal(nomination_id, UnknownNomination, f"{nomination_id}: no such nomination"))
            continue
        if nomination.status not in DECIDABLE:
            refusals.append(
                Refusal(
                    nomination_id,
                    ActionNotAllowed,
                    f"{nomination_id}: in state {nomination.status}, not disclosure or forwarded",
                )
            )
            continue
        try:
            await ready_for_decision(session, nomination, today)
        except (DisclosureNotOver, OpenObjections) as exc:
            refusals.append(Refusal(nomination_id, type(exc), f"{nomination_id}: {exc.detail}"))
            continue
        # A decision signed before the public had its full say is not valid, whatever day it is recorded.
        # (With no public period, it may not predate the council's vote that sent the nomination on.)
        until, since = nomination.disclosure_until, nomination.disclosure_from
        signed_too_early = (until is not None and body.signed_on <= until) or (
            until is None and since is not None and body.signed_on < since
        )
        if signed_too_early:
            refusals.append(
                Refusal(
                    nomination_id,
                    DisclosureNotOver,
                    f"{nomination_id}: signed on {body.signed_on}, within its disclosure period"
                    f" (until {nomination.disclosure_until})",
                )
            )
            continue
        round_ = rounds[nomination.round_id]
        key = (nomination.award_type_code, round_.reference_date)
        if key not in versions:
            versions[key] = await catalogue.version_in_force(session, *key)
        award_type = versions[key]
        if award_type is None:
            refusals.append(
                Refusal(
                    nomination_id,
                    InvalidDecision,
                    f"{nomination_id}: {key[0]} is not in the catalogue in force on {key[1]}",
                )
            )
        elif award_type.deciding_authority != body.authority.value:
            refusals.append(
                Refusal(
                    nomination_id,
                    WrongAuthority,
                    f"{nomination_id}: {award_type.code} is decided by {award_type.deciding_authority}, "
                    f"not {body.authority.value}",
                )
            )
        else:
            decidable.append(Decidable(nomination, round_, award_type))
    if refusals:
        raise _refusal(refusals)
    return decidable


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


class NotYourAuthority(Forbidden):
    slug = "not-your-authority"
    title = "This decision is not your office's to record"


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
    rows = await repository.units_of(session, ids)
    return [nomination_id for nomination_id, unit, day in rows if await scope.covers(unit, day)]


async def issue(session: AsyncSession, scope: ScopeCheck, body: DecisionIn) -> Decision:
    """Record a signed decision and award every nomination it names, all or nothing.

    Each nomination must be in ``disclosure`` with the period over and no objection open, or ``forwarded``
    (:func:`nominations.dossiers.service.ready_for_decision`); its award type (the version in force on the
    round's reference date) must be decided by ``body.authority``. One award row per nomination
    (``awards.nomination_id`` is unique): ``achievement_key`` is the nomination's first achievement key.
    """
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
    await _office(scope, body)
    mine = await _in_scope(session, scope, body.nomination_ids)
    nominations = await repository.nominations_for_update(session, mine)
    decidable = await _check(session, body, nominations, today)

    actor, roles = scope.principal.subject, sorted(role.value for role in scope.principal.roles)
    decision = Decision(
        number=body.number,
        signed_on=body.signed_on,
        signer=body.signer,
        signer_title=body.signer_title,
        authority=body.authority.value,
        note=body.note or None,
        issued_by=actor,
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

    base_salary = salary.amount_vnd
    on_signing = await scope.targets.hierarchy(body.signed_on, scope.token)
    details = {"decision_id": decision.id, "decision_number": decision.number}
    changes = []
    for item in decidable:
        nomination, round_, award_type = item.nomination, item.round_, item.award_type
        nomination.decision_id = decision.id
        changes.append(Change(nomination, Action.AWARD, body.note or None, details))
        unit_name, unit_path = await _unit(scope, nomination, on_signing, round_)
        coefficient = award_type.bonus_coefficient
        record_award(
            session,
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
            created_by=actor,
        )
    await record_many(session, actor, roles, changes, clock.now())
    await session.flush()
    return decision


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
    row = (await session.execute(repository.one(decision_id))).one_or_none()
    if row is None:
        raise DecisionNotFound(f"No decision has the id {decision_id}.")
    summary = _summary(row.Decision, row.award_count, row.bonus_total_vnd)
    awards = [_award_out(award) for award in await repository.awards_of(session, decision_id)]
    return DecisionOut(**summary.model_dump(), awards=awards)


async def list_decisions(
    session: AsyncSession, *, authority: str | None, limit: int, cursor: str | None
) -> Page[DecisionSummary]:
    query = repository.page(authority=authority, limit=limit, before_id=decode_int_cursor(cursor))
    rows = (await session.execute(query)).all()
    items = [_summary(row.Decision, row.award_count, row.bonus_total_vnd) for row in rows[:limit]]
    more = len(rows) > limit
    return Page[DecisionSummary](items=items, next_cursor=encode_cursor(items[-1].id) if more else None)
