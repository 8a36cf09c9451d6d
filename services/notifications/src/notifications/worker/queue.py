"""Jobs deferred inside the caller's transaction, so a job exists exactly when the change that needs it does.

procrastinate defers through its own connection; an event persisted by one connection and its fan-out job
by another could be lost between the two commits. Its SQL function ``procrastinate_defer_jobs_v1`` (in this
service's schema since migration 0002, pinned with the library) is called here on the request's or the job's
own session instead; the job's insert wakes the workers through procrastinate's trigger at commit.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

QUEUE = "notifications"
# The tasks (worker/tasks.py registers them under these names).
FAN_OUT = "fan_out"
DELIVER = "deliver"
# Events fanned out by one job (one transaction, each event in its own savepoint): a job's own cost (taking
# it, recording its end) is paid once per batch of events instead of once per event, and the batch's
# webhooks to one endpoint share deliver jobs.
FAN_OUT_BATCH = 20

_DEFER = text(
    """
    SELECT notifications.procrastinate_defer_jobs_v1(
        array_agg(
            ROW(:queue, :task, 0, NULL, NULL, args::jsonb, CAST(:at AS timestamptz))
            ::notifications.procrastinate_job_to_defer_v1
        )
    )
    FROM unnest(CAST(:args AS text[])) AS args
    """
)


def fan_out_jobs(event_ids: Sequence[Any]) -> list[dict[str, Any]]:
    """The fan-out jobs of these events: ``{"event_ids": [...]}``, up to :data:`FAN_OUT_BATCH` each."""
    ids = [str(event_id) for event_id in event_ids]
    return [{"event_ids": ids[start : start + FAN_OUT_BATCH]} for start in range(0, len(ids), FAN_OUT_BATCH)]


async def defer(
    session: AsyncSession,
    task: str,
    jobs: Sequence[dict[str, Any]],
    *,
    at: dt.datetime | None = None,
) -> None:
    """One job of ``task`` per item of ``jobs`` (its keyword arguments), to run at ``at`` (default: now)."""
    if not jobs:
        return
    await session.execute(
        _DEFER,
        {"queue": QUEUE, "task": task, "at": at, "args": [json.dumps(job, default=str) for job in jobs]},
    )
