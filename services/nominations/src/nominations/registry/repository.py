"""Every query on the awards registry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Insert, Select, Text, bindparam, func, insert, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.registry.models import Award

# Rows per INSERT (one array parameter per column, so the size is bounded by memory, not parameters).
INSERT_CHUNK = 10_000
ARRAY_SEPARATOR = "\x1f"  # ASCII unit separator
IMPORT_COLUMNS = (
    "source",
    "recipient_kind",
    "recipient_key",
    "recipient_name",
    "recipient_position",
    "org_unit",
    "org_unit_name",
    "org_unit_path",
    "award_type_code",
    "award_name",
    "year",
    "occasion",
    "achievement_key",
    "decision_number",
    "decision_date",
    "decision_authority",
    "bonus_vnd",
    "search_tokens",
    "created_by",
)
# Recipients per look-up of what is already recorded.
LOOKUP_CHUNK = 5000
# Imports of the registry run one at a time, so two uploads of the same file cannot both insert its rows.
IMPORT_LOCK = 0x6177_6172_6473  # "awards"

DuplicateKey = tuple[str, str, int, str]  # recipient_key, award_type_code, year, decision_number


def awards(
    *,
    tokens: Sequence[str] = (),
    year: int | None = None,
    award_type: str | None = None,
    areas: Sequence[str] = (),
    recipient_key: str | None = None,
    before_id: int | None = None,
    limit: int,
) -> Select[Award]:
    """Awards newest first (by id), one more than ``limit`` so the caller knows whether a page follows.

    ``tokens`` must all be among the award's ``search_tokens`` (GIN ``ix_awards_search``); each of ``areas``
    must be on its ``org_unit_path``, i.e. the award's unit is that area or lies below it (GIN
    ``ix_awards_area``).
    """
    query = select(Award)
    if tokens:
        query = query.where(Award.search_tokens.contains(list(tokens)))
    for area in areas:
        query = query.where(Award.org_unit_path.contains([area]))
    if year is not None:
        query = query.where(Award.year == year)
    if award_type is not None:
        query = query.where(Award.award_type_code == award_type)
    if recipient_key is not None:
        query = query.where(Award.recipient_key == recipient_key)
    if before_id is not None:
        query = query.where(Award.id < before_id)
    return query.order_by(Award.id.desc()).limit(limit + 1)


async def plan_for_these_values(session: AsyncSession) -> None:
    """Plan the next searches of this transaction for their actual values, never with a cached generic plan.

    Statements are prepared; after five runs PostgreSQL may reuse a generic plan, which cannot know whether a
    word or an area matches 3 % of the rows or 30 %, and then picks the GIN bitmap for "nguyen" in a district
    (55 ms on 1M rows) where walking the primary key back finds 50 rows in 2 ms.
    """
    await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


async def held_by(session: AsyncSession, recipient_keys: Sequence[str]) -> list[Award]:
    query = (
        select(Award)
        .where(Award.recipient_key.in_(recipient_keys))
        .order_by(Award.recipient_key, Award.year, Award.id)
    )
    return list((await session.execute(query)).scalars())


async def recorded_keys(session: AsyncSession, recipient_keys: Iterable[str]) -> set[DuplicateKey]:
    """What identifies a recorded award, for every award of these recipients (``ix_awards_recipient``)."""
    keys = sorted(set(recipient_keys))
    found: set[DuplicateKey] = set()
    for start in range(0, len(keys), LOOKUP_CHUNK):
        query = select(Award.recipient_key, Award.award_type_code, Award.year, Award.decision_number).where(
            Award.recipient_key.in_(keys[start : start + LOOKUP_CHUNK])
        )
        found.update((key, code, year, number) for key, code, year, number in await session.execute(query))
    return found


async def lock_imports(session: AsyncSession) -> None:
    """Wait for any other import to commit or roll back; released with this transaction."""
    await session.execute(select(func.pg_advisory_xact_lock(IMPORT_LOCK)))


def _unnest_insert(rows: Sequence[Mapping[str, Any]]) -> Insert:
    """``INSERT … SELECT … FROM unnest(column arrays)``: one statement and one parameter per column, however
    many rows (``VALUES`` would compile a parameter per cell, which for 100,000 rows takes a minute).

    Array columns travel as text joined with a separator no org-unit code or normalized word contains.
    """
    table = Award.__table__
    arrays = []
    for name in IMPORT_COLUMNS:
        column_type = table.c[name].type
        if isinstance(column_type, ARRAY):
            values: list[Any] = [ARRAY_SEPARATOR.join(row[name]) for row in rows]
            arrays.append(bindparam(name, values, type_=ARRAY(Text())))
        else:
            arrays.append(bindparam(name, [row[name] for row in rows], type_=ARRAY(column_type)))
    source = func.unnest(*arrays).table_valued(*IMPORT_COLUMNS).render_derived(name="imported")
    selected = [
        func.string_to_array(source.c[name], ARRAY_SEPARATOR).cast(table.c[name].type)
        if isinstance(table.c[name].type, ARRAY)
        else source.c[name]
        for name in IMPORT_COLUMNS
    ]
    return insert(Award).from_select(list(IMPORT_COLUMNS), select(*selected))


async def insert_awards(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows (column → value, every column of :data:`IMPORT_COLUMNS`), one statement per chunk."""
    for start in range(0, len(rows), INSERT_CHUNK):
        await session.execute(_unnest_insert(rows[start : start + INSERT_CHUNK]))


async def count_holders(session: AsyncSession, *, award_type: str, year: int, area: str) -> int:
    """Awards of a type in a year within an area (the unit or below it, as it stood when decided)."""
    query = (
        select(func.count())
        .select_from(Award)
        .where(Award.award_type_code == award_type, Award.year == year, Award.org_unit_path.contains([area]))
    )
    return int(await session.scalar(query) or 0)


async def of_decision(session: AsyncSession, decision_id: int) -> list[Award]:
    query = select(Award).where(Award.decision_id == decision_id).order_by(Award.id)
    return list((await session.execute(query)).scalars())


async def totals_by_decision(
    session: AsyncSession, decision_ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """Decision id → (awards it made, their bonus total in đồng), for the decisions that made any."""
    query = (
        select(Award.decision_id, func.count(), func.coalesce(func.sum(Award.bonus_vnd), 0))
        .where(Award.decision_id.in_(list(decision_ids)))
        .group_by(Award.decision_id)
    )
    return {int(row[0] or 0): (int(row[1]), int(row[2] or 0)) for row in await session.execute(query)}


async def without_tokens(session: AsyncSession, *, after_id: int, limit: int) -> list[Award]:
    """Awards whose search words were never computed, by id."""
    query = (
        select(Award)
        .where(Award.id > after_id, func.cardinality(Award.search_tokens) == 0)
        .order_by(Award.id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def set_tokens(session: AsyncSession, tokens_by_id: Mapping[int, Sequence[str]]) -> None:
    """One UPDATE for the whole batch (the words travel joined, as in :func:`insert_awards`)."""
    ids = list(tokens_by_id)
    await session.execute(
        text(
            "UPDATE nominations.awards a SET search_tokens = string_to_array(t.words, :separator)"
            " FROM unnest(CAST(:ids AS bigint[]), CAST(:words AS text[])) AS t(id, words) WHERE a.id = t.id"
        ),
        {
            "ids": ids,
            "words": [ARRAY_SEPARATOR.join(tokens_by_id[award_id]) for award_id in ids],
            "separator": ARRAY_SEPARATOR,
        },
    )


async def of_nominations(session: AsyncSession, nomination_ids: Sequence[int]) -> list[Award]:
    query = (
        select(Award)
        .where(Award.nomination_id.in_(nomination_ids))
        .order_by(Award.decision_date, Award.award_type_code, Award.recipient_name, Award.id)
    )
    return list((await session.execute(query)).scalars())
