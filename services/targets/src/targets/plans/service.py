"""Plans and their targets: what the province committed to, in the plan's own words."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.concurrency import check_if_match
from shared.pagination import Page, as_code, as_day, decode_int_cursor, decode_keyset, encode_cursor
from shared.problems import Conflict, NotFound, UnprocessableContent
from targets.cache.counters import bump_catalogue
from targets.indicators import service as indicators
from targets.indicators.models import Direction
from targets.plans import repository
from targets.plans.models import Comparator, Plan, Target, TargetKind
from targets.plans.schemas import PlanIn, PlanOut, PlanPatch, TargetIn, TargetOut, TargetPatch

if TYPE_CHECKING:
    from targets.cache.service import CatalogueCache


class PlanNotFound(NotFound):
    slug = "plan-not-found"
    title = "Plan not found"


class PlanExists(Conflict):
    slug = "plan-exists"
    title = "Plan code already used"


class TargetNotFound(NotFound):
    slug = "target-not-found"
    title = "Target not found"


class TargetExists(Conflict):
    slug = "target-exists"
    title = "Target already set"


class InvalidTarget(UnprocessableContent):
    slug = "invalid-target"
    title = "Invalid target"


def _check_direction(code: str, direction: str, comparator: Comparator) -> None:
    """A goal points the indicator's way: "trên 52 %" for forest cover, never "dưới" (eq, approx fit both)."""
    wrong = (
        {Comparator.LT, Comparator.LTE}
        if direction == Direction.HIGHER_IS_BETTER
        else {Comparator.GT, Comparator.GTE}
    )
    if comparator in wrong:
        raise InvalidTarget(
            f"{code} is better when {'higher' if direction == Direction.HIGHER_IS_BETTER else 'lower'};"
            f" the comparator {comparator.value!r} points the other way."
        )


def plan_out(plan: Plan) -> PlanOut:
    return PlanOut(
        code=plan.code,
        name=plan.name,
        start_date=plan.start_date,
        end_date=plan.end_date,
        source=plan.source,
        at_risk_margin=float(plan.at_risk_margin),
        version=plan.version,
    )


async def list_plans(session: AsyncSession, *, limit: int, cursor: str | None) -> Page[PlanOut]:
    """By start date, then code."""
    rows = await repository.plans_page(session, limit=limit, after=decode_keyset(cursor, as_day, as_code))
    shown = rows[:limit]
    last = shown[-1] if shown else None
    return Page(
        items=[plan_out(plan) for plan in shown],
        next_cursor=encode_cursor([last.start_date.isoformat(), last.code])
        if len(rows) > limit and last
        else None,
    )


async def get_plan(session: AsyncSession, code: str) -> Plan:
    plan = await repository.get_plan(session, code)
    if plan is None:
        raise PlanNotFound(f"No plan has the code {code!r}.")
    return plan


async def create_plan(session: AsyncSession, body: PlanIn) -> Plan:
    plan = Plan(**body.model_dump())
    try:
        async with session.begin_nested():
            session.add(plan)
            await session.flush()
    except IntegrityError:
        raise PlanExists(f"The code {body.code!r} is already used by another plan.") from None
    await bump_catalogue(session)
    return plan


async def update_plan(session: AsyncSession, code: str, body: PlanPatch, if_match: str | None) -> Plan:
    plan = await get_plan(session, code)
    check_if_match(if_match, plan.version)
    for field, value in body.model_dump(exclude_unset=True).items():
        setattr(plan, field, value)
    await bump_catalogue(session)
    await session.flush()
    return plan


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


async def target_out(session: AsyncSession, catalogue: CatalogueCache, target: Target) -> TargetOut:
    snapshot, _ = await catalogue.get(session)
    plan = await session.get(Plan, target.plan_id)
    assert plan is not None  # noqa: S101 - a foreign key
    return TargetOut(
        id=target.id,
        plan=plan.code,
        indicator=snapshot.indicators_by_id[target.indicator_id].code,
        org_unit=snapshot.hierarchy.units[target.org_unit_id].code,
        kind=target.kind,
        comparator=target.comparator,
        value=_float(target.value),
        tolerance=_float(target.tolerance),
        baseline=_float(target.baseline),
        baseline_year=target.baseline_year,
        reference_indicator=(
            snapshot.indicators_by_id[target.reference_indicator_id].code
            if target.reference_indicator_id
            else None
        ),
        projection=target.projection,
        source_text=target.source_text,
        notes=target.notes,
        version=target.version,
    )


async def list_targets(
    session: AsyncSession,
    catalogue: CatalogueCache,
    *,
    plan_code: str | None,
    indicator_code: str | None,
    org_unit_code: str | None,
    limit: int,
    cursor: str | None,
) -> Page[TargetOut]:
    snapshot, _ = await catalogue.get(session)
    plan = await get_plan(session, plan_code) if plan_code else None
    indicator = snapshot.indicators.get(indicator_code) if indicator_code else None
    if indicator_code and indicator is None:
        raise NotFound(f"No indicator has the code {indicator_code!r}.")
    unit = snapshot.hierarchy.by_code(org_unit_code) if org_unit_code else None
    if org_unit_code and unit is None:
        raise NotFound(f"No org unit has the code {org_unit_code!r}.")
    after = decode_int_cursor(cursor)
    query = repository.targets_query(
        plan_id=plan.id if plan else None,
        indicator_id=indicator.id if indicator else None,
        org_unit_id=unit.id if unit else None,
        after=after,
        limit=limit + 1,
    )
    targets = list((await session.execute(query)).scalars())
    items = [await target_out(session, catalogue, target) for target in targets[:limit]]
    return Page(
        items=items, next_cursor=encode_cursor(targets[limit - 1].id) if len(targets) > limit else None
    )


async def get_target(session: AsyncSession, target_id: int) -> Target:
    target = await repository.get_target(session, target_id)
    if target is None:
        raise TargetNotFound(f"No target has the id {target_id}.")
    return target


async def create_target(session: AsyncSession, catalogue: CatalogueCache, body: TargetIn) -> Target:
    snapshot, _ = await catalogue.get(session)
    plan = await get_plan(session, body.plan)
    indicator = snapshot.indicators.get(body.indicator)
    reference = snapshot.indicators.get(body.reference_indicator) if body.reference_indicator else None
    unit = snapshot.hierarchy.by_code(body.org_unit)
    missing = [
        what
        for what, found in (
            (f"indicator {body.indicator!r}", indicator),
            (f"org unit {body.org_unit!r}", unit),
            (
                f"reference indicator {body.reference_indicator!r}",
                reference if body.reference_indicator else True,
            ),
        )
        if found is None
    ]
    if missing or indicator is None or unit is None:
        raise NotFound(f"Not found: {', '.join(missing)}.")
    if body.kind is TargetKind.BOOLEAN and indicator.value_type != "boolean":
        raise InvalidTarget(
            f"A boolean target needs a boolean indicator; {indicator.code} is {indicator.value_type}."
        )
    if body.kind is TargetKind.BOOLEAN and body.comparator is not Comparator.EQ:
        raise InvalidTarget("A boolean target uses the comparator 'eq'.")
    _check_direction(indicator.code, indicator.direction, body.comparator)
    target = Target(
        plan_id=plan.id,
        indicator_id=indicator.id,
        org_unit_id=unit.id,
        kind=body.kind.value,
        comparator=body.comparator.value,
        value=body.value,
        tolerance=body.tolerance,
        baseline=body.baseline,
        baseline_year=body.baseline_year,
        reference_indicator_id=reference.id if reference else None,
        projection=body.chosen_projection().value,
        source_text=body.source_text,
        notes=body.notes,
    )
    try:
        async with session.begin_nested():
            session.add(target)
            await session.flush()
    except IntegrityError:
        raise TargetExists(
            f"Plan {plan.code} already has a {body.kind.value} target for {indicator.code} at {unit.code}."
        ) from None
    await bump_catalogue(session)
    return target


async def update_target(
    session: AsyncSession, target_id: int, body: TargetPatch, if_match: str | None
) -> Target:
    target = await get_target(session, target_id)
    check_if_match(if_match, target.version)
    for field, value in body.model_dump(exclude_unset=True).items():
        setattr(target, field, value.value if hasattr(value, "value") else value)
    # The rules TargetIn and create_target enforce, checked again on the target as patched.
    if target.comparator == Comparator.APPROX and target.tolerance is None:
        raise InvalidTarget("comparator 'approx' needs a tolerance.")
    if target.kind == TargetKind.RELATIVE:
        if target.value is not None:
            raise InvalidTarget(
                "A relative target has no value of its own (it is compared with the reference)."
            )
    elif target.value is None:
        raise InvalidTarget("This target needs a value.")
    if target.kind == TargetKind.BOOLEAN:
        if target.comparator != Comparator.EQ:
            raise InvalidTarget("A boolean target uses the comparator 'eq'.")
        if target.value not in {Decimal(0), Decimal(1)}:
            raise InvalidTarget("A boolean target's value is 1 (reached) or 0.")
    indicator = await indicators.get_by_id(session, target.indicator_id)
    assert indicator is not None  # noqa: S101 - a foreign key
    _check_direction(indicator.code, indicator.direction, Comparator(target.comparator))
    await bump_catalogue(session)
    await session.flush()
    return target


async def targets_for(session: AsyncSession, plan_id: int, org_unit_ids: list[int] | None) -> list[Target]:
    """The plan's targets set for the given org units (all of them when ``None``), in id order."""
    return await repository.targets_for(session, plan_id, org_unit_ids)


async def plans_with_main_org_unit(session: AsyncSession) -> list[tuple[Plan, int | None]]:
    """Each plan with the org unit of its first target (the unit the plan is about)."""
    return await repository.plans_with_main_org_unit(session)


async def find_plan(session: AsyncSession, code: str) -> Plan | None:
    return await repository.get_plan(session, code)


async def units_with_targets(
    session: AsyncSession, plan_ids: list[int], indicator_ids: list[int]
) -> set[tuple[int, int]]:
    """(indicator id, org unit id) of every target of these plans for these indicators."""
    if not plan_ids or not indicator_ids:
        return set()
    rows = (await session.execute(repository.units_with_targets(plan_ids, indicator_ids))).all()
    return {(indicator_id, org_unit_id) for indicator_id, org_unit_id in rows}
