"""Every query on template versions."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, tuple_
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.templates.models import TemplateVersion

KeyValues = tuple[str, str, str]  # event type, channel, language


def _of(event_type: str, channel: str, language: str) -> list[ColumnElement[bool]]:
    return [
        TemplateVersion.event_type == event_type,
        TemplateVersion.channel == channel,
        TemplateVersion.language == language,
    ]


async def get(session: AsyncSession, version_id: int) -> TemplateVersion | None:
    return await session.get(TemplateVersion, version_id)


async def latest(
    session: AsyncSession, event_type: str, channel: str, language: str
) -> TemplateVersion | None:
    query = (
        select(TemplateVersion)
        .where(*_of(event_type, channel, language))
        .order_by(TemplateVersion.version.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def latest_in(
    session: AsyncSession, event_type: str, channel: str, languages: tuple[str, str]
) -> TemplateVersion | None:
    """The newest version in the first of ``languages`` that has one (one query)."""
    preferred, fallback = languages
    query = (
        select(TemplateVersion)
        .where(
            TemplateVersion.event_type == event_type,
            TemplateVersion.channel == channel,
            TemplateVersion.language.in_([preferred, fallback]),
        )
        .order_by((TemplateVersion.language == preferred).desc(), TemplateVersion.version.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def numbered(
    session: AsyncSession, event_type: str, channel: str, language: str, number: int
) -> TemplateVersion | None:
    query = select(TemplateVersion).where(
        *_of(event_type, channel, language), TemplateVersion.version == number
    )
    return (await session.execute(query)).scalar_one_or_none()


async def currents(
    session: AsyncSession,
    *,
    event_type: str | None = None,
    channel: str | None = None,
    language: str | None = None,
    limit: int | None = None,
    after: KeyValues | None = None,
) -> list[TemplateVersion]:
    """The newest version of each key, by key; ``limit + 1`` rows when a limit is given (keyset-paged)."""
    key = (TemplateVersion.event_type, TemplateVersion.channel, TemplateVersion.language)
    query = select(TemplateVersion).ext(distinct_on(*key)).order_by(*key, TemplateVersion.version.desc())
    if event_type is not None:
        query = query.where(TemplateVersion.event_type == event_type)
    if channel is not None:
        query = query.where(TemplateVersion.channel == channel)
    if language is not None:
        query = query.where(TemplateVersion.language == language)
    if after is not None:
        query = query.where(tuple_(*key) > tuple_(*after))
    if limit is not None:
        query = query.limit(limit + 1)
    return list((await session.execute(query)).scalars())


async def history(
    session: AsyncSession,
    event_type: str,
    channel: str,
    language: str,
    *,
    limit: int,
    before: int | None,
) -> list[TemplateVersion]:
    """One key's versions, newest first (``limit + 1`` rows)."""
    query = (
        select(TemplateVersion)
        .where(*_of(event_type, channel, language))
        .order_by(TemplateVersion.version.desc())
        .limit(limit + 1)
    )
    if before is not None:
        query = query.where(TemplateVersion.version < before)
    return list((await session.execute(query)).scalars())
