"""Every query on attachments."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.attachments.models import Attachment


async def lock_content(session: AsyncSession, sha256: str) -> None:
    """Serialise uploads, removals and the sweep of the same content (a transaction-level advisory lock)."""
    await session.execute(select(func.pg_advisory_xact_lock(int(sha256[:15], 16))))


async def of_nomination(
    session: AsyncSession, nomination_id: int, *, limit: int, after: tuple[dt.datetime, uuid.UUID] | None
) -> list[Attachment]:
    """Oldest first, keyset-paged by (uploaded_at, id)."""
    query = (
        select(Attachment)
        .where(Attachment.nomination_id == nomination_id)
        .order_by(Attachment.uploaded_at, Attachment.id)
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(tuple_(Attachment.uploaded_at, Attachment.id) > tuple_(*after))
    return list((await session.execute(query)).scalars())


async def get(session: AsyncSession, attachment_id: uuid.UUID) -> Attachment | None:
    return await session.get(Attachment, attachment_id)


async def referenced(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """Which of the storage keys an attachment refers to."""
    return set(await session.scalars(select(Attachment.storage_key).where(Attachment.storage_key.in_(keys))))


async def is_referenced(session: AsyncSession, key: str) -> bool:
    count = await session.scalar(
        select(func.count()).select_from(Attachment).where(Attachment.storage_key == key)
    )
    return bool(count)
