"""The channels a deliver job sends on: email over SMTP and signed webhooks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from notifications.config import Settings
from notifications.deliveries.models import Delivery
from notifications.email.sender import EmailSender, MailConnection, OutgoingEmail
from notifications.webhooks.sender import WebhookSender

# SMTP connections one deliver job keeps: a group of sending.GROUP messages goes over them at once.
EMAIL_CONNECTIONS = 4


class ChannelSenders:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.mail = EmailSender(settings)
        self.hooks = WebhookSender(settings)

    @contextlib.asynccontextmanager
    async def emails(self) -> AsyncIterator[Callable[[Delivery], Awaitable[int | None]]]:
        """A deliver job's emails, over up to :data:`EMAIL_CONNECTIONS` SMTP connections kept for the job
        (each opened on first use, and again after a failure), so a group's messages go several at once."""
        async with contextlib.AsyncExitStack() as stack:
            idle: list[MailConnection] = []
            free = asyncio.Semaphore(EMAIL_CONNECTIONS)

            async def send(delivery: Delivery) -> int | None:
                async with free:
                    if idle:
                        connection = idle.pop()
                    else:
                        connection = await stack.enter_async_context(self.mail.connection())
                    try:
                        await self._email(connection, delivery)
                    finally:
                        idle.append(connection)
                return None

            yield send

    async def _email(self, connection: MailConnection, delivery: Delivery) -> None:
        message = delivery.message
        await connection.send(
            OutgoingEmail(
                delivery_id=delivery.id,
                to_address=delivery.address or "",
                to_name=message.get("to_name") or "",
                subject=message["subject"],
                text=message["text"],
                html=message.get("html"),
                event_type=delivery.event_type,
                language=message.get("language") or "vi",
            )
        )

    async def webhook(self, delivery: Delivery, url: str, secrets: Sequence[str]) -> int | None:
        return await self.hooks.send(
            url, list(secrets), delivery.id, delivery.message["body"].encode("utf-8")
        )

    async def aclose(self) -> None:
        await self.hooks.aclose()
