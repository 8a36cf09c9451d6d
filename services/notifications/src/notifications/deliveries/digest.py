"""The daily digest: the non-critical emails a person chose to batch, sent as one email a day.

A digest is an event of this service's own (``digest.daily``), one per person and day by its id, so it is
fanned out, rendered, sent, retried and logged as every other; two workers making digests at once make one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from notifications.deliveries import repository
from notifications.deliveries.models import DigestEntry
from notifications.events import service as events
from notifications.events.schemas import latest
from shared import clock

BATCH = 5000


async def make_digests(session: AsyncSession, day: dt.date | None = None) -> int:
    """One digest per person with entries up to ``day`` (default: today in Vietnam) not yet sent."""
    today = day or clock.today()
    entries = await repository.pending_digest(session, today, BATCH)
    if not entries:
        return 0
    found = await events.many(session, [entry.event_id for entry in entries])
    by_person: dict[str, list[DigestEntry]] = defaultdict(list)
    for entry in entries:
        by_person[entry.sub].append(entry)
    made = 0
    for sub, mine in sorted(by_person.items()):
        items: list[dict[str, Any]] = []
        for entry in sorted(mine, key=lambda e: (found[e.event_id].occurred_at, str(e.event_id))):
            event = found[entry.event_id]
            items.append(
                {
                    "event_type": event.type,
                    "subject": event.subject,
                    "title": latest(event.type).title_vi,
                    "occurred_at": event.occurred_at.isoformat(),
                }
            )
        digest_id = await events.record_own(
            session,
            "digest.daily",
            f"recipient/{sub}",
            {"recipient": sub, "day": today.isoformat(), "items": items},
            key=(sub, today.isoformat()),
        )
        if digest_id is None:
            continue  # today's digest went already: these wait for tomorrow's
        for entry in mine:
            entry.digest_id = digest_id
        made += 1
    await session.flush()
    return made
