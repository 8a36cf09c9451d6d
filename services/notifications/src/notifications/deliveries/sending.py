"""A deliver job: take its deliveries a small group at a time, send the group's at once, record the group.

A group (up to :data:`GROUP` deliveries) is claimed in one transaction with one lease, its messages are sent
concurrently (webhooks all at once; emails over a few SMTP connections of the job), and the group's outcomes
are recorded together in one transaction right after the last send. A worker killed in the middle of a job
leaves at most one group whose fate is unknown (sent, or some of it, but not recorded): their leases expire
and the sweep sends them again under the same identity. What the job has not claimed yet stays queued.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from notifications.channels import SendFailed
from notifications.deliveries import service
from notifications.deliveries.models import Channel, Delivery
from notifications.deliveries.policy import RetryPolicy
from notifications.webhooks.service import Target
from shared import clock
from shared.database import Database

# Deliveries claimed, sent and recorded together: what a worker killed mid-job may leave in doubt. The lease
# covers the group's sends: webhooks go all at once (one timeout), emails over the job's connections
# (ChannelSenders.EMAIL_CONNECTIONS: at most three messages one after another on one connection).
GROUP = 10


class Senders(Protocol):
    def emails(self) -> AbstractAsyncContextManager[Callable[[Delivery], Awaitable[int | None]]]:
        """A job's email sender: a few SMTP connections kept for the job's messages."""
        ...

    async def webhook(self, delivery: Delivery, url: str, secrets: Sequence[str]) -> int | None: ...


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
    async with senders.emails() as email:  # connects on the job's first email, if it has any
        for start in range(0, len(ids), group):
            chunk = ids[start : start + group]
            async with database.session() as session:
                claimed = await service.claim(session, chunk, lease)
                for delivery in claimed:
                    if delivery.channel == Channel.WEBHOOK and delivery.recipient not in targets:
                        targets[delivery.recipient] = await service.webhook_target(session, delivery)
            if len(claimed) < len(chunk):
                outcomes["skipped"] = outcomes.get("skipped", 0) + len(chunk) - len(claimed)
            if not claimed:
                continue

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
                return service.Attempted(delivery, started, error, status)

            attempted = await asyncio.gather(*(attempt(delivery) for delivery in claimed))
            async with database.session() as session:
                recorded = await service.record_all(session, attempted, policy)
            for outcome in recorded:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
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
            if unanswered is not None:
                # The endpoint did not answer (timeout, refused): a job holds one endpoint's webhooks, so
                # the rest would each wait as long; they go back for later instead of holding this slot.
                async with database.session() as session:
                    reason = f"postponed: {unanswered.reason}"
                    later = await service.postpone(session, ids[start + group :], policy, reason)
                if later:
                    outcomes["postponed"] = later
                break
    return outcomes
