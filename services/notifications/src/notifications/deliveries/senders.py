"""The channels a deliver job sends on: email over SMTP and signed webhooks."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from notifications.config import Settings
from notifications.deliveries.models import Delivery
from notifications.email.sender import EmailSender, MailConnection, OutgoingEmail
from notifications.webhooks.sender import WebhookSender


class ChannelSenders:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.mail = EmailSender(settings)
        self.hooks = WebhookSender(settings)

    @contextlib.asynccontextmanager
    async def emails(self) -> AsyncIterator[Callable[[Delivery], Awaitable[int | None]]]:
        """A deliver job's emails, over one SMTP connection (opened again after a failure)."""
        async with self.mail.connection() as connection:

            async def send(delivery: Delivery) -> int | None:
                await self._email(connection, delivery)
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
