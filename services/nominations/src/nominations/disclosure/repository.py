"""Every query on public disclosure and objections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.catalogue.models import AwardType
from nominations.disclosure.models import Objection
from nominations.dossiers.models import Nomination, Status
from nominations.rounds.models import Round


def running(today: dt.date) -> ColumnElement[bool]:
    """Disclosed and inside the period (an open end on either side counts as running)."""
    return and_(
        Nomination.status == Status.DISCLOSURE.value,
        or_(Nomination.disclosure_from.is_(None), Nomination.disclosure_from <= today),
        or_(Nomination.disclosure_until.is_(None), Nomination.disclosure_until >= today),
    )


def _open_count() -> Any:
    return (
        select(func.count())
        .select_from(Objection)
        .where(Objection.nomination_id == Nomination.id, Objection.status == "open")
        .correlate(Nomination)
        .scalar_subquery()
    )


def public_page(
    today: dt.date, *, award_type: str | None, round_id: int | None, limit: int, before_id: int | None
) -> Select[*tuple[Any, ...]]:
    """Public columns only, newest first, keyset-paged by id; the award's name as of the round's date."""
    query: Select[*tuple[Any, ...]] = (
        select(
            Nomination.id,
            Nomination.round_id,
            Nomination.award_type_code,
            AwardType.name.label("award_name"),
            Nomination.nominee_name,
            Nomination.nominee_kind,
            Nomination.nominee_position,
            Nomination.nominating_org_unit_name,
            Nomination.achievements,
            Nomination.disclosure_from,
            Nomination.disclosure_until,
            _open_count().label("open_objections"),
        )
        .join(Round, Round.id == Nomination.round_id)
        .outerjoin(
            AwardType,
            and_(
                AwardType.code == Nomination.award_type_code,
                AwardType.valid_from <= Round.reference_date,
                or_(AwardType.valid_to.is_(None), AwardType.valid_to >= Round.reference_date),
            ),
        )
        .where(running(today))
        .order_by(Nomination.id.desc())
        .limit(limit + 1)
    )
    if award_type is not None:
        query = query.where(Nomination.award_type_code == award_type)
    if round_id is not None:
        query = query.where(Nomination.round_id == round_id)
    if before_id is not None:
        query = query.where(Nomination.id < before_id)
    return query


async def objections_of(session: AsyncSession, nomination_id: int) -> Sequence[Objection]:
    query = select(Objection).where(Objection.nomination_id == nomination_id).order_by(Objection.id)
    return (await session.execute(query)).scalars().all()


async def objection_for_update(
    session: AsyncSession, nomination_id: int, objection_id: int
) -> Objection | None:
    query = (
        select(Objection)
        .where(Objection.id == objection_id, Objection.nomination_id == nomination_id)
        .with_for_update()
    )
    return (await session.execute(query)).scalar_one_or_none()
