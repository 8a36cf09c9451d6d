"""Every query on blocks, their members, sheets, pledges, scores and flag proposals."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.blocks.models import Block, BlockMember, Criterion, FlagNomination, Pledge, Score


async def get(session: AsyncSession, block_id: int, *, lock: bool = False) -> Block | None:
    if not lock:
        return await session.get(Block, block_id)
    query = select(Block).where(Block.id == block_id).with_for_update()
    found: Block | None = await session.scalar(query.execution_options(populate_existing=True))
    return found


async def page(
    session: AsyncSession, *, year: int | None, limit: int, after: tuple[int, int] | None
) -> list[Block]:
    """Newest year first, then by id."""
    query = select(Block).order_by(Block.year.desc(), Block.id).limit(limit + 1)
    if year is not None:
        query = query.where(Block.year == year)
    if after is not None:
        query = query.where(tuple_(-Block.year, Block.id) > tuple_(-after[0], after[1]))
    return list((await session.execute(query)).scalars())


async def members(session: AsyncSession, block_id: int) -> list[BlockMember]:
    query = select(BlockMember).where(BlockMember.block_id == block_id).order_by(BlockMember.position)
    return list((await session.execute(query)).scalars())


async def criteria(session: AsyncSession, block_id: int) -> list[Criterion]:
    query = select(Criterion).where(Criterion.block_id == block_id).order_by(Criterion.position)
    return list((await session.execute(query)).scalars())


async def flag_nominations(session: AsyncSession, block_id: int) -> list[FlagNomination]:
    query = (
        select(FlagNomination)
        .where(FlagNomination.block_id == block_id)
        .order_by(FlagNomination.nomination_id)
    )
    return list((await session.execute(query)).scalars())


async def pledges(session: AsyncSession, block_id: int, *, limit: int, after: int | None) -> list[Pledge]:
    query = select(Pledge).where(Pledge.block_id == block_id).order_by(Pledge.id).limit(limit + 1)
    if after is not None:
        query = query.where(Pledge.id > after)
    return list((await session.execute(query)).scalars())


async def scores(
    session: AsyncSession,
    block_id: int,
    *,
    org_unit: str | None,
    limit: int,
    after: tuple[str, str, str] | None,
) -> list[Score]:
    query = (
        select(Score)
        .where(Score.block_id == block_id)
        .order_by(Score.org_unit, Score.criterion_code, Score.stage)
    )
    if org_unit is not None:
        query = query.where(Score.org_unit == org_unit)
    if after is not None:
        query = query.where(tuple_(Score.org_unit, Score.criterion_code, Score.stage) > tuple_(*after))
    return list((await session.execute(query.limit(limit + 1))).scalars())


async def score_points(session: AsyncSession, block_id: int) -> list[tuple[str, str, str, Decimal]]:
    """(org unit, criterion, stage, points) of every score of the block: what a ranking reads."""
    query = select(Score.org_unit, Score.criterion_code, Score.stage, Score.points).where(
        Score.block_id == block_id
    )
    return [(row[0], row[1], row[2], row[3]) for row in await session.execute(query)]


async def write_scores(session: AsyncSession, rows: Sequence[Score]) -> None:
    """Insert or replace each (block, unit, criterion, stage) given."""
    if not rows:
        return
    values = [
        {
            "block_id": row.block_id,
            "org_unit": row.org_unit,
            "criterion_code": row.criterion_code,
            "stage": row.stage,
            "points": row.points,
            "note": row.note,
            "scored_by": row.scored_by,
            "scored_on": row.scored_on,
        }
        for row in rows
    ]
    statement = insert(Score).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=["block_id", "org_unit", "criterion_code", "stage"],
        set_={
            "points": statement.excluded.points,
            "note": statement.excluded.note,
            "scored_by": statement.excluded.scored_by,
            "scored_on": statement.excluded.scored_on,
        },
    )
    await session.execute(statement)


async def clear_stage(session: AsyncSession, block_id: int, stage: str) -> None:
    await session.execute(delete(Score).where(Score.block_id == block_id, Score.stage == stage))
