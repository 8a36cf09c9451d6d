"""Queries of recipients and preferences."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.recipients.models import Preference, Recipient


async def get(session: AsyncSession, sub: str, *, for_update: bool = False) -> Recipient | None:
    statement = select(Recipient).where(Recipient.sub == sub)
    if for_update:
        statement = statement.with_for_update()
    return (await session.scalars(statement)).one_or_none()


async def by_subs(session: AsyncSession, subs: Iterable[str]) -> list[Recipient]:
    wanted = sorted(set(subs))
    if not wanted:
        return []
    return list((await session.scalars(select(Recipient).where(Recipient.sub.in_(wanted)))).all())


async def page(
    session: AsyncSession,
    *,
    org_unit: str | None,
    role: str | None,
    q: str | None,
    limit: int,
    after: str | None,
) -> list[Recipient]:
    statement = select(Recipient).order_by(Recipient.sub).limit(limit + 1)
    if org_unit is not None:
        statement = statement.where(Recipient.org_unit == org_unit)
    if role is not None:
        statement = statement.where(Recipient.roles.contains([role]))
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            or_(
                Recipient.display_name.ilike(pattern),
                Recipient.sub.ilike(pattern),
                Recipient.email.ilike(pattern),
            )
        )
    if after is not None:
        statement = statement.where(Recipient.sub > after)
    return list((await session.scalars(statement)).all())


async def active_with_role(
    session: AsyncSession, role: str, org_units: Sequence[str] | None = None
) -> list[Recipient]:
    """The active people holding ``role`` (in one of ``org_units``, when given)."""
    statement = select(Recipient).where(Recipient.active, Recipient.roles.contains([role]))
    if org_units is not None:
        statement = statement.where(Recipient.org_unit.in_(sorted(set(org_units))))
    return list((await session.scalars(statement)).all())


async def subscribers(session: AsyncSession, org_units: Sequence[str]) -> list[Recipient]:
    if not org_units:
        return []
    statement = select(Recipient).where(Recipient.active, Recipient.subscriptions.overlap(list(org_units)))
    return list((await session.scalars(statement)).all())


async def preferences_of(session: AsyncSession, sub: str) -> list[Preference]:
    return list((await session.scalars(select(Preference).where(Preference.sub == sub))).all())


async def preferences_for(
    session: AsyncSession, subs: Iterable[str], event_type: str
) -> dict[tuple[str, str], str]:
    """(sub, channel) → mode of the people's preferences for one event type (no row: immediate)."""
    wanted = sorted(set(subs))
    if not wanted:
        return {}
    rows = await session.execute(
        select(Preference.sub, Preference.channel, Preference.mode).where(
            Preference.event_type == event_type, Preference.sub.in_(wanted)
        )
    )
    return {(sub, channel): mode for sub, channel, mode in rows.all()}


async def replace_preferences(session: AsyncSession, sub: str, rows: Sequence[Preference]) -> None:
    await session.execute(delete(Preference).where(Preference.sub == sub))
    session.add_all(rows)
    await session.flush()
