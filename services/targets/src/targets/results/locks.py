"""Period locks: once a period's figures are final (e.g. after the year's review), nobody may change them."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.problems import BadRequest, Conflict, NotFound
from targets.catalogue.counters import begin_catalogue_change, bump_catalogue
from targets.catalogue.snapshot import CatalogueCache
from targets.periods import InvalidPeriod, parse_period
from targets.results import repository
from targets.results.models import PeriodLock
from targets.results.schemas import PeriodLockIn, PeriodLockOut


class LockExists(Conflict):
    slug = "period-lock-exists"
    title = "Period already locked"


async def list_locks(session: AsyncSession) -> list[PeriodLockOut]:
    rows = await session.execute(repository.locks_query())
    return [
        PeriodLockOut(
            id=lock.id,
            period=iso,
            org_unit=code,
            reason=lock.reason,
            locked_by=lock.locked_by,
            locked_at=lock.locked_at,
        )
        for lock, iso, code in rows.all()
    ]


async def create_lock(
    session: AsyncSession, catalogue: CatalogueCache, principal: Principal, body: PeriodLockIn
) -> PeriodLockOut:
    try:
        period = parse_period(body.period)
    except InvalidPeriod as exc:
        raise BadRequest(f"Period not valid: {body.period!r} ({exc.reason}).") from None
    org_unit_id = None
    if body.org_unit is not None:
        snapshot, _ = await catalogue.get(session)
        unit = snapshot.hierarchy.by_code(body.org_unit)
        if unit is None:
            raise NotFound(f"No org unit has the code {body.org_unit!r}.")
        org_unit_id = unit.id
    # Before creating the period row an import may be creating too (see begin_catalogue_change).
    await begin_catalogue_change(session)
    period_id = (await repository.ensure_periods(session, [period]))[period.id]
    # The unique constraint is NULLS NOT DISTINCT, so it also refuses a second province-wide lock.
    lock = PeriodLock(
        period_id=period_id, org_unit_id=org_unit_id, reason=body.reason, locked_by=principal.subject
    )
    try:
        async with session.begin_nested():
            session.add(lock)
            await session.flush()
    except IntegrityError:
        raise LockExists(
            f"Period {period.id} is already locked for {body.org_unit or 'every unit'}."
        ) from None
    await bump_catalogue(session)
    await session.refresh(lock)
    return PeriodLockOut(
        id=lock.id,
        period=period.id,
        org_unit=body.org_unit,
        reason=lock.reason,
        locked_by=lock.locked_by,
        locked_at=lock.locked_at,
    )


async def delete_lock(session: AsyncSession, lock_id: int) -> None:
    if not await repository.delete_lock(session, lock_id):
        raise NotFound(f"No period lock has the id {lock_id}.")
    await bump_catalogue(session)
