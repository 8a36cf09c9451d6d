"""Results: DHIS2 ``dataValueSets`` checked value by value (:mod:`targets.results.checks`) and written in one
set-based statement; the values and their revisions read back with codes; period locks.

* ``atomicMode=ALL``: one conflict and nothing is stored. ``NONE``: the values without conflicts are stored.
* ``dryRun``: everything is checked and counted inside a savepoint that is rolled back.
* Every change writes a revision (who, when, old, new, source), and moves the data counter.
* A locked period (and every period inside it) refuses values, for one org unit's subtree or everyone.
* ``async=true`` (DHIS2's job): the import runs in the request all the same; its summary is kept with the
  import's record, which is written for every job (a dry run's too), and read back by the job's id.
* Every import but a dry run is announced (``results.imported``, docs/events.md) in its transaction, with
  its summary's counts and the org units and periods whose values it changed, whatever its status.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared import clock
from shared.auth import Principal, Role
from shared.bounds import BIGINT_MAX
from shared.outbox import Event, emit_many
from shared.pagination import (
    InvalidCursor,
    Page,
    as_day,
    as_id,
    decode_cursor,
    decode_int_cursor,
    decode_keyset,
    encode_cursor,
    fits,
)
from shared.problems import BadRequest, Conflict, NotFound
from targets.cache.counters import begin_catalogue_change, bump_catalogue, bump_data, hold_catalogue_steady
from targets.models import outbox
from targets.org_units.scope import scope_of
from targets.periods import InvalidPeriod, parse_period
from targets.results import repository
from targets.results.checks import (
    Accepted,
    AtomicMode,
    Checker,
    ImportOptions,
    ImportResult,
    ImportStatus,
    ImportStrategy,
)
from targets.results.formats import RawValue
from targets.results.models import DataImport, PeriodLock
from targets.results.repository import ValueColumns
from targets.results.schemas import DataValueOut, PeriodLockIn, PeriodLockOut, RevisionOut
from targets.results.values import echo

if TYPE_CHECKING:
    from targets.cache.service import CatalogueCache, CatalogueSnapshot


async def import_values(
    session: AsyncSession,
    cache: CatalogueCache,
    principal: Principal,
    rows: list[RawValue],
    options: ImportOptions,
    *,
    payload_format: str,
    payload_sha256: str,
    job_summary: Callable[[ImportResult], dict[str, object]] | None = None,
) -> ImportResult:
    """Check every value, then write the accepted ones in one statement (see the module's rules).

    With ``job_summary`` (an ``async=true`` import) the import is recorded whatever it did, under the id the
    job is known by, with the summary that function writes for it.
    """
    result = await _import_values(
        session, cache, principal, rows, options, payload_format=payload_format, payload_sha256=payload_sha256
    )
    if job_summary is not None or (result.changed and not options.dry_run):
        summary = summary_counts(result)
        if job_summary is not None:
            summary["import_summary"] = job_summary(result)
        repository.record_import(
            session,
            DataImport(
                id=result.record_id,
                created_at=clock.now(),  # the platform's clock, as the values' own times (a job shows it)
                created_by=principal.subject,
                org_unit=principal.org_unit,
                format=payload_format,
                import_strategy=options.strategy.value,
                atomic_mode=options.atomic_mode.value,
                payload_sha256=payload_sha256,
                value_count=result.total,
                summary=summary,
            ),
        )
    if not options.dry_run:
        await emit_many(session, outbox, [_imported(result, principal)], occurred_at=clock.now())
    return result


def _imported(result: ImportResult, principal: Principal) -> Event:
    """``results.imported``: who imported what into which units and periods, and the summary's counts."""
    import_id = str(result.record_id)  # the job's id, or the id the import's changes carry
    return Event(
        "results.imported",
        f"import/{import_id}",
        {
            "import_id": import_id,
            "reporter": principal.subject,
            "org_units": list(result.org_units),
            "periods": list(result.periods),
            **summary_counts(result),
        },
    )


async def _import_values(
    session: AsyncSession,
    cache: CatalogueCache,
    principal: Principal,
    rows: list[RawValue],
    options: ImportOptions,
    *,
    payload_format: str,
    payload_sha256: str,
) -> ImportResult:
    await hold_catalogue_steady(session)
    snapshot, _ = await cache.get(session, from_database=True)
    checker = Checker(snapshot, scope_of(principal, snapshot.hierarchy), options)
    accepted: dict[tuple[int, int, str], Accepted] = {}
    for raw in rows:
        value = checker.check(raw)
        if value is not None:
            accepted[value.key] = value  # the last occurrence of a value wins

    conflicts = checker.conflicts
    total = len(rows)
    import_id = uuid.uuid4()
    if conflicts and options.atomic_mode is AtomicMode.ALL:
        return ImportResult(
            ImportStatus.ERROR, 0, 0, total, 0, conflicts.all(), options, None, total, import_id
        )
    status = ImportStatus.WARNING if conflicts else ImportStatus.SUCCESS
    if not accepted:
        return ImportResult(status, 0, 0, total, 0, conflicts.all(), options, None, total, import_id)

    # A dry run happens inside a savepoint from its first write on, the new periods' rows included.
    savepoint = await session.begin_nested() if options.dry_run else None
    periods = {value.key[2]: value.period for value in accepted.values()}  # key[2]: the canonical id
    period_ids = await repository.ensure_periods(session, list(periods.values()))
    deleting = options.strategy is ImportStrategy.DELETE
    chosen = list(accepted.values())
    value_rows = ValueColumns(
        org_unit_ids=[value.key[0] for value in chosen],
        indicator_ids=[value.key[1] for value in chosen],
        period_ids=[period_ids[value.key[2]] for value in chosen],
        values=[value.value for value in chosen],
        numbers=[value.number for value in chosen],
        comments=[value.comment for value in chosen],
        deletes=[deleting or value.number is None for value in chosen],
    )
    await repository.lock_org_units(session, value_rows.org_unit_ids)
    counts = await repository.write_values(
        session,
        value_rows,
        who=principal.subject,
        now=clock.now(),
        source=f"data-value-sets:{payload_format}",
        import_id=import_id,
        allow_create=options.may_create,
        allow_update=options.may_update,
        allow_delete=options.may_delete,
    )
    if savepoint is not None:
        await savepoint.rollback()

    changed = counts.created + counts.updated + counts.deleted
    isos = {period_id: iso for iso, period_id in period_ids.items()}
    units = snapshot.hierarchy.units
    result = ImportResult(
        status=status,
        imported=counts.created,
        updated=counts.updated,
        ignored=total - changed,
        deleted=counts.deleted,
        conflicts=conflicts.all(),
        options=options,
        import_id=import_id if changed and not options.dry_run else None,
        total=total,
        record_id=import_id,
        org_units=tuple(sorted({units[unit_id].code for unit_id in counts.org_unit_ids})),
        periods=tuple(sorted(isos[period_id] for period_id in counts.period_ids)),
    )
    if changed and not options.dry_run:
        await bump_data(session)
    return result


class JobNotFound(NotFound):
    slug = "job-not-found"
    title = "Import job not found"


async def job(
    session: AsyncSession, principal: Principal, job_id: uuid.UUID
) -> tuple[DataImport, dict[str, object]]:
    """An ``async`` import's record and kept summary; only its sender and province-wide roles see it."""
    record = await repository.get_import(session, job_id)
    summary = record.summary.get("import_summary") if record is not None else None
    visible = record is not None and (
        record.created_by == principal.subject or principal.has_any((Role.SECRETARIAT, Role.ADMIN))
    )
    if record is None or not isinstance(summary, dict) or not visible:
        raise JobNotFound(f"No import job has the id {job_id}.")
    return record, summary


def summary_counts(result: ImportResult) -> dict[str, object]:
    return {
        "status": result.status.value,
        "imported": result.imported,
        "updated": result.updated,
        "ignored": result.ignored,
        "deleted": result.deleted,
        "conflicts": len(result.conflicts),
    }


# --- reading values and revisions ---------------------------------------------------------------------


class UnknownFilter(BadRequest):
    slug = "unknown-filter-value"
    title = "Unknown filter value"


def _indicator_ids(snapshot: CatalogueSnapshot, codes: Sequence[str] | None) -> list[int] | None:
    if codes is None:
        return None
    unknown = [code for code in codes if code not in snapshot.indicators]
    if unknown:
        raise UnknownFilter(f"No indicator has the code(s): {', '.join(unknown)}.", parameter="indicator")
    return [snapshot.indicators[code].id for code in codes]


def _org_unit_ids(snapshot: CatalogueSnapshot, codes: Sequence[str] | None) -> list[int] | None:
    if codes is None:
        return None
    found = {code: snapshot.hierarchy.by_code(code) for code in codes}
    unknown = [code for code, unit in found.items() if unit is None]
    if unknown:
        raise UnknownFilter(f"No org unit has the code(s): {', '.join(unknown)}.", parameter="org_unit")
    return [unit.id for unit in found.values() if unit is not None]


async def _period_ids(session: AsyncSession, isos: Sequence[str] | None) -> list[int] | None:
    if isos is None:
        return None
    canonical = []
    for iso in isos:
        try:
            canonical.append(parse_period(iso).id)
        except InvalidPeriod as exc:
            raise UnknownFilter(f"Period not valid: {iso!r} ({exc.reason}).", parameter="period") from None
    return list((await repository.period_ids_for(session, canonical)).values())


async def list_values(
    session: AsyncSession,
    cache: CatalogueCache,
    indicators: Sequence[str] | None,
    org_units: Sequence[str] | None,
    periods: Sequence[str] | None,
    limit: int,
    cursor: str | None,
) -> Page[DataValueOut]:
    snapshot, _ = await cache.get(session)
    after = decode_cursor(cursor)
    if after is not None and not (
        isinstance(after, list) and len(after) == 3 and all(fits(key) for key in after)
    ):
        raise InvalidCursor("The cursor belongs to another list; start again without it.")
    rows = (
        await session.execute(
            repository.values_query(
                indicator_ids=_indicator_ids(snapshot, indicators),
                org_unit_ids=_org_unit_ids(snapshot, org_units),
                period_ids=await _period_ids(session, periods),
                after=tuple(after) if after else None,
                limit=limit + 1,
            )
        )
    ).all()
    units = snapshot.hierarchy.units
    items = [
        DataValueOut(
            indicator=snapshot.indicators_by_id[value.indicator_id].code,
            org_unit=units[value.org_unit_id].code,
            period=period.iso,
            value=value.value,
            comment=value.comment,
            stored_by=value.stored_by,
            created=value.created,
            last_updated=value.last_updated,
        )
        for value, period in rows[:limit]
    ]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1][0]
        next_cursor = encode_cursor([last.org_unit_id, last.indicator_id, last.period_id])
    return Page(items=items, next_cursor=next_cursor)


async def list_revisions(
    session: AsyncSession,
    cache: CatalogueCache,
    indicators: Sequence[str] | None,
    org_units: Sequence[str] | None,
    periods: Sequence[str] | None,
    limit: int,
    cursor: str | None,
) -> Page[RevisionOut]:
    snapshot, _ = await cache.get(session)
    after = decode_int_cursor(cursor, BIGINT_MAX)
    rows = (
        await session.execute(
            repository.revisions_query(
                indicator_ids=_indicator_ids(snapshot, indicators),
                org_unit_ids=_org_unit_ids(snapshot, org_units),
                period_ids=await _period_ids(session, periods),
                after=after,
                limit=limit + 1,
            )
        )
    ).all()
    units = snapshot.hierarchy.units
    items = [
        RevisionOut(
            id=revision.id,
            indicator=snapshot.indicators_by_id[revision.indicator_id].code,
            org_unit=units[revision.org_unit_id].code,
            period=period.iso,
            change=revision.change,
            old_value=revision.old_value,
            new_value=revision.new_value,
            changed_by=revision.changed_by,
            changed_at=revision.changed_at,
            source=revision.source,
            import_id=revision.import_id,
        )
        for revision, period in rows[:limit]
    ]
    next_cursor = encode_cursor(rows[limit - 1][0].id) if len(rows) > limit else None
    return Page(items=items, next_cursor=next_cursor)


# --- period locks ------------------------------------------------------------------------------------


class LockExists(Conflict):
    slug = "period-lock-exists"
    title = "Period already locked"


async def list_locks(
    session: AsyncSession, cache: CatalogueCache, *, limit: int, cursor: str | None
) -> Page[PeriodLockOut]:
    """Every lock, by its period's start; the org unit is named by its code (the catalogue's)."""
    snapshot, _ = await cache.get(session)
    rows = await repository.locks_page(session, limit=limit, after=decode_keyset(cursor, as_day, as_id))
    units = snapshot.hierarchy.units
    items = [
        PeriodLockOut(
            id=lock.id,
            period=iso,
            org_unit=units[lock.org_unit_id].code if lock.org_unit_id is not None else None,
            reason=lock.reason,
            locked_by=lock.locked_by,
            locked_at=lock.locked_at,
        )
        for lock, iso, _ in rows[:limit]
    ]
    more = len(rows) > limit and items
    next_cursor = None
    if more:
        last_lock, _, last_start = rows[limit - 1]
        next_cursor = encode_cursor([last_start.isoformat(), last_lock.id])
    return Page(items=items, next_cursor=next_cursor)


async def create_lock(
    session: AsyncSession, catalogue: CatalogueCache, principal: Principal, body: PeriodLockIn
) -> PeriodLockOut:
    try:
        period = parse_period(body.period)
    except InvalidPeriod as exc:
        raise BadRequest(f"Period not valid: {echo(body.period)!r} ({exc.reason}).") from None
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


async def lock_rows(session: AsyncSession) -> list[tuple[str, dt.date, dt.date, int | None]]:
    """Every lock's period (its code and dates) and org unit, for the catalogue snapshot."""
    return await repository.lock_rows(session)


async def period_values(
    session: AsyncSession,
    indicator_ids: Sequence[int],
    org_unit_ids: Sequence[int],
    start: dt.date,
    end: dt.date,
) -> Sequence[tuple[int, int, str, dt.date, float]]:
    """(indicator id, org unit id, period type, period start, number) for the numeric values of the periods
    within [start, end] (progress)."""
    return await repository.period_values(session, indicator_ids, org_unit_ids, start, end)


async def comments(
    session: AsyncSession, keys: Sequence[tuple[int, int, str, dt.date]]
) -> dict[tuple[int, int, str, dt.date], str]:
    """The comment posted with each of these values, (indicator id, org unit id, period type, period start);
    values without one are left out (progress: the note published with a unit's latest figure)."""
    return await repository.comments(session, keys)


async def reported(session: AsyncSession, period_iso: str, indicator_ids: list[int]) -> set[tuple[int, int]]:
    """(indicator id, org unit id) with a value for the period (its DHIS2 id), among these indicators."""
    if not indicator_ids:
        return set()
    rows = (await session.execute(repository.reported(period_iso, indicator_ids))).all()
    return {(indicator_id, org_unit_id) for indicator_id, org_unit_id in rows}
