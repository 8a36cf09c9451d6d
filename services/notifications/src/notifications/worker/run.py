"""``python -m notifications worker``: run a worker until SIGTERM or SIGINT (it finishes its jobs first)."""

from __future__ import annotations

import asyncio
import logging
import math

from notifications.config import Settings
from notifications.deliveries.policy import RetryPolicy
from notifications.deliveries.senders import EMAIL_CONNECTIONS, ChannelSenders
from notifications.deliveries.sending import GROUP
from notifications.worker.app import Runtime, build_app
from notifications.worker.queue import QUEUE
from shared.database import Database
from shared.probes import Heartbeat, probes_served
from shared.settings import ConfigurationError, ServiceSettings

logger = logging.getLogger(__name__)


def runtime_of(settings: Settings, database: Database, senders: ChannelSenders) -> Runtime:
    return Runtime(
        settings=settings,
        database=database,
        senders=senders,
        policy=RetryPolicy(
            max_attempts=settings.delivery_max_attempts,
            base_seconds=settings.delivery_backoff_base_seconds,
            cap_seconds=settings.delivery_backoff_cap_seconds,
        ),
    )


def group_sends_seconds(settings: Settings) -> float:
    """The longest a group's sends may take: every webhook at once (one timeout), or the emails one after
    another on each of the job's connections (each up to the SMTP timeout)."""
    emails_in_a_row = math.ceil(GROUP / EMAIL_CONNECTIONS)
    return max(settings.webhook_timeout_seconds, emails_in_a_row * settings.smtp_timeout_seconds)


def check_lease(settings: Settings) -> None:
    """Refuse to start with a lease shorter than a group's sends: the sweep would send again, while the
    first worker is still sending, what it holds."""
    needed = group_sends_seconds(settings)
    if settings.delivery_lease_seconds <= needed:
        raise ConfigurationError(
            f"NOTIFICATIONS_DELIVERY_LEASE_SECONDS={settings.delivery_lease_seconds} must be longer than a"
            f" group's sends, {needed:g} s ({math.ceil(GROUP / EMAIL_CONNECTIONS)} emails in a row of"
            f" NOTIFICATIONS_SMTP_TIMEOUT_SECONDS={settings.smtp_timeout_seconds:g}, or one"
            f" NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS={settings.webhook_timeout_seconds:g})."
        )


async def run_worker(settings: ServiceSettings) -> int:
    assert isinstance(settings, Settings)  # noqa: S101 - the notifications CLI passes its own
    check_lease(settings)
    database = Database(
        settings.database_url.get_secret_value(),
        pool_size=settings.worker_concurrency + 2,
        max_overflow=2,
        connect_timeout=settings.db_connect_timeout_seconds,
        statement_timeout_ms=settings.db_statement_timeout_ms,
        application_name="notifications-worker",
    )
    senders = ChannelSenders(settings)
    app = build_app(runtime_of(settings, database, senders))
    heartbeat = Heartbeat()
    try:
        async with (
            probes_served(
                heartbeat,
                host=settings.host,
                port=settings.probe_port,
                stale_after=settings.probe_stale_seconds,
            ),
            app.open_async(),
        ):
            logger.info("worker started", extra={"concurrency": settings.worker_concurrency})
            heartbeat.ready = True
            # procrastinate's loop is its own: what the probe can see is only that this event loop still runs
            # (a job that blocks it, or a wedged loop, stops the beat); not that jobs are being taken.
            beating = asyncio.create_task(_beat(heartbeat), name="heartbeat")
            try:
                await app.run_worker_async(
                    queues=[QUEUE],
                    concurrency=settings.worker_concurrency,
                    name="notifications",
                    shutdown_graceful_timeout=settings.shutdown_grace_seconds,
                    delete_jobs="successful",
                )
            finally:
                beating.cancel()
    finally:
        await senders.aclose()
        await database.dispose()
    return 0


async def _beat(heartbeat: Heartbeat, every_seconds: float = 1.0) -> None:
    while True:
        heartbeat.beat()
        await asyncio.sleep(every_seconds)
