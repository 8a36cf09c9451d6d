"""The channels a deliver job sends on: email over SMTP and signed webhooks."""

from __future__ import annotations

from collections.abc import Sequence

from notifications.config import Settings
from notifications.deliveries.models import Delivery
from notifications.email.sender import EmailSender, OutgoingEmail
from notifications.webhooks.sender import WebhookSender


class ChannelSenders:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.mail = EmailSender(settings)
        self.hooks = WebhookSender(settings)

    async def email(self, delivery: Delivery) -> int | None:
        message = delivery.message
        await self.mail.send(
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
        return None

    async def webhook(self, delivery: Delivery, url: str, secrets: Sequence[str]) -> int | None:
        return await self.hooks.send(
            url, list(secrets), delivery.id, delivery.message["body"].encode("utf-8")
        )

    async def aclose(self) -> None:
        await self.hooks.aclose()
