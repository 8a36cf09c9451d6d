"""The channels a deliver job sends on: email over SMTP and signed webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from notifications.config import Settings
from notifications.deliveries.models import Delivery
from notifications.email.sender import EmailSender, MailConnection, OutgoingEmail
from notifications.webhooks.sender import WebhookSender

# SMTP connections one deliver job uses: a group of sending.GROUP messages goes over them at once. All the
# jobs of a worker may use this many each (NOTIFICATIONS_WORKER_CONCURRENCY × 5 at most): a relay that
# limits connections per client (Postfix: 50 by default) needs a lower concurrency or a higher limit.
EMAIL_CONNECTIONS = 5
# Connections a worker keeps open between its jobs, and how long one may wait unused. Opening one (TCP, the
# greeting, EHLO, and QUIT at the end) cost as much CPU as two or three messages on this machine, and a job
# of 50 emails opened five; RFC 5321 §4.5.3.2.7 has servers wait at least 5 minutes for the next command.
IDLE_CONNECTIONS = 32
IDLE_SECONDS = 30.0


class ChannelSenders:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.mail = EmailSender(settings)
        self.hooks = WebhookSender(settings)
        self._idle: list[tuple[float, MailConnection]] = []  # (given back at, connection), newest last

    async def _take(self) -> MailConnection:
        """A kept connection that has not waited too long (the newest), else a new one (it connects on its
        first message; a kept one the server has closed meanwhile connects again the same way)."""
        now = time.monotonic()
        while self._idle:
            given_back, connection = self._idle.pop()
            if now - given_back < IDLE_SECONDS:
                connection.check_before_use()  # NOOP first: the server may have closed it meanwhile
                return connection
            connection.close()  # without QUIT: it waited too long, the server may not answer
        return self.mail.connection()

    async def _give_back(self, connection: MailConnection) -> None:
        if connection.is_open and len(self._idle) < IDLE_CONNECTIONS:
            self._idle.append((time.monotonic(), connection))
        else:
            await connection.__aexit__(None, None, None)

    @contextlib.asynccontextmanager
    async def emails(self) -> AsyncIterator[Callable[[Delivery], Awaitable[int | None]]]:
        """A deliver job's emails, over up to :data:`EMAIL_CONNECTIONS` SMTP connections (taken from those
        the worker keeps, or opened; again after a failure), so a group's messages go several at once; the
        connections are given back to the worker when the job ends."""
        mine: list[MailConnection] = []
        idle: list[MailConnection] = []
        free = asyncio.Semaphore(EMAIL_CONNECTIONS)

        async def send(delivery: Delivery) -> int | None:
            async with free:
                if idle:
                    connection = idle.pop()
                else:
                    connection = await self._take()
                    mine.append(connection)
                try:
                    await self._email(connection, delivery)
                finally:
                    idle.append(connection)
            return None

        try:
            yield send
        finally:
            for connection in mine:
                if connection in idle:
                    await self._give_back(connection)
                else:  # still in the middle of a message (the job was cancelled): never reused
                    connection.close()

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
        idle, self._idle = self._idle, []
        for _, connection in idle:
            await connection.__aexit__(None, None, None)
        await self.hooks.aclose()
