"""A deliver job: take each delivery, send it on its channel, record its outcome as soon as it is known.

Each outcome is committed on its own, right after its send, so a worker killed in the middle of a batch
leaves at most one message whose fate is unknown (sent, but not recorded): its lease expires and it is sent
again under the same identity.
"""

from __future__ import annotations

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


class Senders(Protocol):
    def emails(self) -> AbstractAsyncContextManager[Callable[[Delivery], Awaitable[int | None]]]:
        """A job's email sender: one SMTP connection for the job's messages."""
        ...

    async def webhook(self, delivery: Delivery, url: str, secrets: Sequence[str]) -> int | None: ...


async def deliver(
    database: Database,
    senders: Senders,
    ids: Sequence[uuid.UUID],
    *,
    policy: RetryPolicy,
    lease: dt.timedelta,
) -> dict[str, int]:
    outcomes: dict[str, int] = {}
    # A job's webhooks go to one endpoint: its URL and secrets are read once per job, not once per delivery.
    targets: dict[str, Target | None] = {}
    async with senders.emails() as email:  # connects on the job's first email, if it has any
        for index, delivery_id in enumerate(ids):
            # Taken one at a time, right before its send, so the lease covers one send (a batch of slow
            # sends would outlast it, and the sweep would hand on deliveries this job has yet to send).
            async with database.session() as session:
                claimed = await service.claim(session, [delivery_id], lease)
            if not claimed:
                outcomes["skipped"] = outcomes.get("skipped", 0) + 1
                continue
            [delivery] = claimed
            started = clock.now()
            status: int | None = None
            error: SendFailed | None = None
            try:
                if delivery.channel == Channel.EMAIL:
                    status = await email(delivery)
                else:
                    if delivery.recipient not in targets:
                        async with database.session() as session:
                            targets[delivery.recipient] = await service.webhook_target(session, delivery)
                    target = targets[delivery.recipient]
                    if target is None:
                        error = SendFailed("the webhook endpoint was removed", retryable=False)
                    else:
                        status = await senders.webhook(delivery, target.url, target.secrets)
            except SendFailed as exc:
                error, status = exc, exc.status
            async with database.session() as session:
                outcome = await service.record(
                    session, service.Attempted(delivery, started, error, status), policy
                )
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            unanswered = error is not None and error.retryable and status is None
            if delivery.channel == Channel.WEBHOOK and error is not None and unanswered:
                # The endpoint did not answer (timeout, refused): a job holds one endpoint's webhooks, so
                # the rest would each wait as long; they go back for later instead of holding this slot.
                async with database.session() as session:
                    reason = f"postponed: {error.reason}"
                    later = await service.postpone(session, ids[index + 1 :], policy, reason)
                if later:
                    outcomes["postponed"] = later
                break
    return outcomes
