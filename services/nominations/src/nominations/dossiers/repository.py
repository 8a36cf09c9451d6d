"""Queries over nominations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.disclosure.models import Objection
from nominations.dossiers.models import Nomination
from nominations.dossiers.schemas import NominationSummary
from shared.pagination import Page, encode_cursor

SUMMARY_COLUMNS = (
    Nomination.id,
    Nomination.round_id,
    Nomination.award_type_code,
    Nomination.nominee_name,
    Nomination.nominee_kind,
    Nomination.nominating_org_unit,
    Nomination.status,
    Nomination.outcome,
    Nomination.submitted_at,
    Nomination.updated_at,
)


async def page(
    session: AsyncSession,
    *,
    visible: set[str] | None,
    round_id: int | None,
    status: str | None,
    award_type: str | None,
    org_unit: str | None,
    q: str | None,
    limit: int,
    after_id: int | None,
) -> Sequence[Any]:
    """Newest first, keyset-paged by id; ``visible`` limits to the caller's units (None: all)."""
    query = select(*SUMMARY_COLUMNS).order_by(Nomination.id.desc()).limit(limit + 1)
    if visible is not None:
        query = query.where(Nomination.nominating_org_unit.in_(sorted(visible)))
    if round_id is not None:
        query = query.where(Nomination.round_id == round_id)
    if status is not None:
        query = query.where(Nomination.status == status)
    if award_type is not None:
        query = query.where(Nomination.award_type_code == award_type)
    if org_unit is not None:
        query = query.where(Nomination.nominating_org_unit == org_unit)
    if q:
        query = query.where(Nomination.nominee_name.ilike(f"%{_escape(q)}%", escape="\\"))
    if after_id is not None:
        query = query.where(Nomination.id < after_id)
    return (await session.execute(query)).all()


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def as_page(rows: Sequence[Any], limit: int) -> Page[NominationSummary]:
    items = [NominationSummary.model_validate(row._mapping) for row in rows[:limit]]
    next_cursor = encode_cursor(items[-1].id) if len(rows) > limit and items else None
    return Page[NominationSummary](items=items, next_cursor=next_cursor)


async def open_objections(session: AsyncSession, nomination_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Objection)
        .where(Objection.nomination_id == nomination_id, Objection.status == "open")
    )
    return int(count or 0)
