"""Every query on results: periods, the set-based write of an import, listing values and their revisions."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from targets.periods import Period as PeriodValue
from targets.results.models import DataImport, DataValue, DataValueRevision, Period, PeriodLock


async def ensure_periods(session: AsyncSession, periods: Sequence[PeriodValue]) -> dict[str, int]:
    """The ids of the given periods, creating the rows of the ones never seen before."""
    if not periods:
        return {}
    # In one order (by identifier): two imports creating the same new periods cannot deadlock.
    ordered = sorted(periods, key=lambda period: period.id)
    await session.execute(
        insert(Period)
        .values(
            [{"iso": p.id, "type": str(p.type), "start_date": p.start, "end_date": p.end} for p in ordered]
        )
        .on_conflict_do_nothing(index_elements=["iso"])
    )
    rows = await session.execute(select(Period.iso, Period.id).where(Period.iso.in_([p.id for p in periods])))
    return dict(rows.all())


async def lock_org_units(session: AsyncSession, org_unit_ids: Sequence[int]) -> None:
    """Serialise imports touching the same org units (sorted, so two imports cannot deadlock)."""
    await session.execute(
        text(
            "SELECT pg_advisory_xact_lock(hashtext('targets.data_values'), id)"
            " FROM unnest(CAST(:ids AS int[])) AS id ORDER BY id"
        ),
        {"ids": sorted(set(org_unit_ids))},
    )


@dataclass(frozen=True, slots=True)
class WriteCounts:
    created: int
    updated: int
    deleted: int
    # The org units and periods of the values created, updated or deleted.
    org_unit_ids: frozenset[int] = frozenset()
    period_ids: frozenset[int] = frozenset()


# One statement: classify every incoming value against what is stored, then create, update or delete, and
# write a revision for each change. Data-modifying CTEs all run exactly once against the same snapshot.
_WRITE = text(
    """
WITH parsed AS (
    SELECT u.org_unit_id, u.indicator_id, u.period_id, u.comment, u.is_delete,
           CAST(u.number_text AS numeric) AS number,
           u.value_text
    FROM unnest(CAST(:org_unit_ids AS int[]), CAST(:indicator_ids AS int[]), CAST(:period_ids AS int[]),
                CAST(:values AS text[]), CAST(:numbers AS text[]), CAST(:comments AS text[]),
                CAST(:deletes AS boolean[]))
         AS u(org_unit_id, indicator_id, period_id, value_text, number_text, comment, is_delete)
),
incoming AS (
    -- Numbers are stored as text in their canonical form, so equal numbers compare equal as text.
    SELECT s.org_unit_id, s.indicator_id, s.period_id, s.number, s.comment, s.is_delete,
           COALESCE(s.value_text, trim_scale(s.number)::text) AS value,
           d.value AS old_value, d.comment AS old_comment, d.indicator_id IS NOT NULL AS present
    FROM parsed s
    LEFT JOIN targets.data_values d
           ON d.org_unit_id = s.org_unit_id AND d.indicator_id = s.indicator_id AND d.period_id = s.period_id
),
created AS (
    INSERT INTO targets.data_values
        (indicator_id, org_unit_id, period_id, value, number, comment, stored_by, created, last_updated,
         import_id)
    SELECT indicator_id, org_unit_id, period_id, value, number, comment, :who, :now, :now, :import_id
    FROM incoming WHERE NOT present AND NOT is_delete AND :allow_create
    RETURNING indicator_id, org_unit_id, period_id, value
),
updated AS (
    UPDATE targets.data_values d
       SET value = i.value, number = i.number, comment = i.comment, stored_by = :who, last_updated = :now,
           import_id = :import_id
      FROM incoming i
     WHERE d.indicator_id = i.indicator_id AND d.org_unit_id = i.org_unit_id AND d.period_id = i.period_id
       AND i.present AND NOT i.is_delete AND :allow_update
       AND (i.old_value IS DISTINCT FROM i.value OR i.old_comment IS DISTINCT FROM i.comment)
    RETURNING d.indicator_id, d.org_unit_id, d.period_id, i.old_value, d.value
),
deleted AS (
    DELETE FROM targets.data_values d
     USING incoming i
     WHERE d.indicator_id = i.indicator_id AND d.org_unit_id = i.org_unit_id AND d.period_id = i.period_id
       AND i.present AND i.is_delete AND :allow_delete
    RETURNING d.indicator_id, d.org_unit_id, d.period_id, d.value
),
revisions AS (
    INSERT INTO targets.data_value_revisions
        (indicator_id, org_unit_id, period_id, change, old_value, new_value, changed_by, changed_at, source,
         import_id)
    SELECT indicator_id, org_unit_id, period_id, 'CREATE', NULL, value, :who, :now, :source, :import_id
      FROM created
    UNION ALL
    SELECT indicator_id, org_unit_id, period_id, 'UPDATE', old_value, value, :who, :now, :source, :import_id
      FROM updated
    UNION ALL
    SELECT indicator_id, org_unit_id, period_id, 'DELETE', value, NULL, :who, :now, :source, :import_id
      FROM deleted
),
changed AS (
    SELECT org_unit_id, period_id FROM created
    UNION SELECT org_unit_id, period_id FROM updated
    UNION SELECT org_unit_id, period_id FROM deleted
)
SELECT (SELECT count(*) FROM created), (SELECT count(*) FROM updated), (SELECT count(*) FROM deleted),
       (SELECT coalesce(array_agg(DISTINCT org_unit_id), '{}') FROM changed),
       (SELECT coalesce(array_agg(DISTINCT period_id), '{}') FROM changed)
"""
)


@dataclass
class ValueColumns:
    """The values of one import, column by column (the shape the write statement takes them in).

    ``values`` holds the canonical text of booleans; numbers come as checked text in ``numbers`` and
    PostgreSQL writes their canonical text. ``deletes`` marks the values to remove.
    """

    org_unit_ids: list[int]
    indicator_ids: list[int]
    period_ids: list[int]
    values: list[str | None]
    numbers: list[str | None]
    comments: list[str | None]
    deletes: list[bool]


async def write_values(
    session: AsyncSession,
    rows: ValueColumns,
    *,
    who: str,
    now: dt.datetime,
    source: str,
    import_id: uuid.UUID,
    allow_create: bool,
    allow_update: bool,
    allow_delete: bool,
) -> WriteCounts:
    result = await session.execute(
        _WRITE,
        {
            "org_unit_ids": rows.org_unit_ids,
            "indicator_ids": rows.indicator_ids,
            "period_ids": rows.period_ids,
            "values": rows.values,
            "numbers": rows.numbers,
            "comments": rows.comments,
            "deletes": rows.deletes,
            "who": who,
            "now": now,
            "source": source,
            "import_id": import_id,
            "allow_create": allow_create,
            "allow_update": allow_update,
            "allow_delete": allow_delete,
        },
    )
    created, updated, deleted, org_unit_ids, period_ids = result.one()
    return WriteCounts(
        created=created,
        updated=updated,
        deleted=deleted,
        org_unit_ids=frozenset(org_unit_ids),
        period_ids=frozenset(period_ids),
    )


def record_import(session: AsyncSession, record: DataImport) -> None:
    session.add(record)


async def get_import(session: AsyncSession, import_id: uuid.UUID) -> DataImport | None:
    return await session.get(DataImport, import_id)


def values_query(
    *,
    indicator_ids: Sequence[int] | None,
    org_unit_ids: Sequence[int] | None,
    period_ids: Sequence[int] | None,
    after: tuple[int, int, int] | None,
    limit: int,
) -> Select[DataValue, Period]:
    """Values in key order (org unit, indicator, period) for keyset pagination."""
    query = select(DataValue, Period).join(Period, Period.id == DataValue.period_id)
    if indicator_ids is not None:
        query = query.where(DataValue.indicator_id.in_(indicator_ids))
    if org_unit_ids is not None:
        query = query.where(DataValue.org_unit_id.in_(org_unit_ids))
    if period_ids is not None:
        query = query.where(DataValue.period_id.in_(period_ids))
    if after is not None:
        query = query.where(
            tuple_(DataValue.org_unit_id, DataValue.indicator_id, DataValue.period_id) > tuple_(*after)
        )
    return query.order_by(DataValue.org_unit_id, DataValue.indicator_id, DataValue.period_id).limit(limit)


def revisions_query(
    *,
    indicator_ids: Sequence[int] | None,
    org_unit_ids: Sequence[int] | None,
    period_ids: Sequence[int] | None,
    after: int | None,
    limit: int,
) -> Select[DataValueRevision, Period]:
    query = select(DataValueRevision, Period).join(Period, Period.id == DataValueRevision.period_id)
    conditions: list[ColumnElement[bool]] = []
    if indicator_ids is not None:
        conditions.append(DataValueRevision.indicator_id.in_(indicator_ids))
    if org_unit_ids is not None:
        conditions.append(DataValueRevision.org_unit_id.in_(org_unit_ids))
    if period_ids is not None:
        conditions.append(DataValueRevision.period_id.in_(period_ids))
    if after is not None:
        conditions.append(DataValueRevision.id > after)
    # where(*conditions), not where(and_(*conditions)): an empty and_() is deprecated (a warning now, an error
    # in a later SQLAlchemy) and the history without filters is the common case.
    return query.where(*conditions).order_by(DataValueRevision.id).limit(limit)


async def period_ids_for(session: AsyncSession, isos: Sequence[str]) -> dict[str, int]:
    rows = await session.execute(select(Period.iso, Period.id).where(Period.iso.in_(isos)))
    return dict(rows.all())


async def locks_page(
    session: AsyncSession, *, limit: int, after: tuple[dt.date, int] | None
) -> list[tuple[PeriodLock, str, dt.date]]:
    """Locks with their period's code and start, by the period's start and the lock's id, keyset-paged."""
    query = (
        select(PeriodLock, Period.iso, Period.start_date)
        .join(Period, Period.id == PeriodLock.period_id)
        .order_by(Period.start_date, PeriodLock.id)
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(tuple_(Period.start_date, PeriodLock.id) > tuple_(*after))
    return [(lock, iso, start) for lock, iso, start in (await session.execute(query)).all()]


async def lock_rows(session: AsyncSession) -> list[tuple[str, dt.date, dt.date, int | None]]:
    rows = await session.execute(
        select(Period.iso, Period.start_date, Period.end_date, PeriodLock.org_unit_id).join(
            Period, Period.id == PeriodLock.period_id
        )
    )
    return [(iso, start, end, unit) for iso, start, end, unit in rows.all()]


# The one statement a report or a chart reads its values with, in asyncpg's own terms: the rows come as
# asyncpg records, without SQLAlchemy's per-row processing (a province's chart rolled up from its communes
# reads 13,000 of them, a whole plan's report a hundred thousand; docs/benchmarks.md); numbers as doubles.
PERIOD_VALUES_SQL = """
SELECT v.indicator_id, v.org_unit_id, p.type, p.start_date, v.number::float8
FROM targets.data_values AS v JOIN targets.periods AS p ON p.id = v.period_id
WHERE p.start_date >= $3 AND p.end_date <= $4
  AND v.indicator_id = ANY($1::int[]) AND v.org_unit_id = ANY($2::int[]) AND v.number IS NOT NULL
"""


async def period_values(
    session: AsyncSession,
    indicator_ids: Sequence[int],
    org_unit_ids: Sequence[int],
    start: dt.date,
    end: dt.date,
) -> Sequence[tuple[int, int, str, dt.date, float]]:
    """(indicator id, org unit id, period type, period start, number) of the numeric values of the periods
    that lie within [start, end], of any period type. One array each rather than a parameter per id: the
    statement is the same for any number of ids, so PostgreSQL keeps one plan for it."""
    if not indicator_ids or not org_unit_ids:
        return ()
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    rows: Sequence[tuple[int, int, str, dt.date, float]] = await driver.fetch(
        PERIOD_VALUES_SQL, list(indicator_ids), list(org_unit_ids), start, end
    )
    return rows


COMMENTS_SQL = """
SELECT v.indicator_id, v.org_unit_id, p.type, p.start_date, v.comment
FROM unnest($1::int[], $2::int[], $3::text[], $4::date[]) AS k(indicator_id, org_unit_id, type, start_date)
JOIN targets.periods AS p ON p.type = k.type AND p.start_date = k.start_date
JOIN targets.data_values AS v
  ON v.period_id = p.id AND v.indicator_id = k.indicator_id AND v.org_unit_id = k.org_unit_id
WHERE v.comment IS NOT NULL
"""


async def comments(
    session: AsyncSession, keys: Sequence[tuple[int, int, str, dt.date]]
) -> dict[tuple[int, int, str, dt.date], str]:
    """The comment of each stored value named by (indicator id, org unit id, period type, period start)."""
    if not keys:
        return {}
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    columns = list(zip(*keys, strict=True))
    rows = await driver.fetch(COMMENTS_SQL, *(list(column) for column in columns))
    return {(row[0], row[1], row[2], row[3]): row[4] for row in rows}


async def delete_lock(session: AsyncSession, lock_id: int) -> bool:
    deleted = await session.execute(
        delete(PeriodLock).where(PeriodLock.id == lock_id).returning(PeriodLock.id)
    )
    return deleted.first() is not None


def reported(period_iso: str, indicator_ids: Sequence[int]) -> Select[int, int]:
    """(indicator id, org unit id) with a value for the period, among these indicators, each pair once."""
    return (
        select(DataValue.indicator_id, DataValue.org_unit_id)
        .join(Period, Period.id == DataValue.period_id)
        .where(Period.iso == period_iso, DataValue.indicator_id.in_(indicator_ids))
        .distinct()
    )
