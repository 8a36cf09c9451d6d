"""A deliver job: take its deliveries a small group at a time, send the group's at once, record the group.

A group (up to :data:`GROUP` deliveries) is claimed in one transaction with one lease, its messages are sent
concurrently (webhooks all at once; emails over a few SMTP connections of the job), and the group's outcomes
are recorded together right after the last send, in the transaction that claims the next group. A worker
killed in the middle of a job leaves at most one group whose fate is unknown (sent, or some of it, but not
recorded): their leases expire and the sweep sends them again under the same identity (as it does a group
claimed and not yet sent). What the job has not claimed yet stays queued.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from notifications.channels import SendFailed
from notifications.deliveries import service
from notifications.deliveries.models import Channel, Delivery
from notifications.deliveries.policy import RetryPolicy
from notifications.webhooks.service import Target
from shared import clock
from shared.database import Database

logger = logging.getLogger(__name__)

# Deliveries claimed, sent and recorded together: what a worker killed mid-job may leave in doubt. The lease
# covers the group's sends (the worker checks it at start, worker/run.py): webhooks go all at once (one
# timeout), emails over the job's connections (senders.EMAIL_CONNECTIONS: four one after another on each).
# 20 rather than 10: half the claims, records and commits per email, 10,000 emails in 8 s instead of 9
# (docs/benchmarks.md).
GROUP = 20


class Senders(Protocol):
    def emails(self) -> AbstractAsyncContextManager[Callable[[Delivery], Awaitable[int | None]]]:
        """A job's email sender: a few SMTP connections kept for the job's messages."""
        ...

    async def webhook(self, delivery: Delivery, url: str, secrets: Sequence[str]) -> int | None: ...


async def _claim_next(
    session: AsyncSession,
    chunks: Sequence[Sequence[uuid.UUID]],
    start: int,
    lease: dt.timedelta,
    targets: dict[str, Target | None],
    outcomes: dict[str, int],
) -> tuple[int, list[Delivery]]:
    """Claim the first of ``chunks[start:]`` that has deliveries still waiting (a chunk another worker
    holds, or already sent, is skipped): its index and what was claimed, or ``(len(chunks), [])``."""
    for index in range(start, len(chunks)):
        chunk = chunks[index]
        claimed = await service.claim(session, chunk, lease)
        if len(claimed) < len(chunk):
            outcomes["skipped"] = outcomes.get("skipped", 0) + len(chunk) - len(claimed)
        for delivery in claimed:
            if delivery.channel == Channel.WEBHOOK and delivery.recipient not in targets:
                targets[delivery.recipient] = await service.webhook_target(session, delivery)
        if claimed:
            return index, claimed
    return len(chunks), []


async def deliver(
    database: Database,
    senders: Senders,
    ids: Sequence[uuid.UUID],
    *,
    policy: RetryPolicy,
    lease: dt.timedelta,
    group: int = GROUP,
) -> dict[str, int]:
    outcomes: dict[str, int] = {}
    # A job's webhooks go to one endpoint: its URL and secrets are read once per job, not once per delivery.
    targets: dict[str, Target | None] = {}
    chunks = [ids[start : start + group] for start in range(0, len(ids), group)]
    async with senders.emails() as email:  # connects on the job's first email, if it has any
        async with database.session() as session:
            position, claimed = await _claim_next(session, chunks, 0, lease, targets, outcomes)

        async def attempt(delivery: Delivery) -> service.Attempted:
            started = clock.now()
            status: int | None = None
            error: SendFailed | None = None
            try:
                if delivery.channel == Channel.EMAIL:
                    status = await email(delivery)
                else:
                    target = targets[delivery.recipient]
                    if target is None:
                        error = SendFailed("the webhook endpoint was removed", retryable=False)
                    else:
                        status = await senders.webhook(delivery, target.url, target.secrets)
            except SendFailed as exc:
                error, status = exc, exc.status
            except Exception as exc:  # a message this code cannot send (bad stored data, a bug): its own end
                logger.exception("sending failed unexpectedly", extra={"delivery_id": str(delivery.id)})
                error = SendFailed(f"The message could not be sent: {type(exc).__name__}: {exc}", False)
            return service.Attempted(delivery, started, error, status)

        while claimed:
            attempted = await asyncio.gather(*(attempt(delivery) for delivery in claimed))
            unanswered = next(
                (
                    one.error
                    for one in attempted
                    if one.delivery.channel == Channel.WEBHOOK
                    and one.error is not None
                    and one.error.retryable
                    and one.response_status is None
                ),
                None,
            )
            # One transaction records this group and claims the next: half the commits of one each.
            try:
                async with database.session() as session:
                    recorded = await service.record_all(session, attempted, policy)
                    if unanswered is None:
                        position, claimed = await _claim_next(
                            session, chunks, position + 1, lease, targets, outcomes
                        )
                    else:
                        # The endpoint did not answer (timeout, refused): a job holds one endpoint's
                        # webhooks, so the rest would each wait as long; they go back for later instead
                        # of holding this slot.
                        rest = [delivery_id for chunk in chunks[position + 1 :] for delivery_id in chunk]
                        reason = f"postponed: {unanswered.reason}"
                        later = await service.postpone(session, rest, policy, reason)
                        if later:
                            outcomes["postponed"] = later
                        claimed = []
            except Exception:
                # The claim (or the postponement) failed and took the record with it: what was sent is
                # recorded on its own (the record only touches deliveries still held under this claim),
                # and the job fails; what it had not claimed stays queued, for the sweep to hand on.
                async with database.session() as session:
                    await service.record_all(session, attempted, policy)
                raise
            for outcome in recorded:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
