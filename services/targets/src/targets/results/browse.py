"""Reading stored values and their revisions, with codes in and codes out."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from shared.bounds import BIGINT_MAX
from shared.pagination import InvalidCursor, Page, decode_cursor, decode_int_cursor, encode_cursor, fits
from shared.problems import BadRequest
from targets.catalogue.snapshot import CatalogueCache, CatalogueSnapshot
from targets.periods import InvalidPeriod, parse_period
from targets.results import repository
from targets.results.schemas import DataValueOut, RevisionOut


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
