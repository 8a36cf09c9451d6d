"""The worker process: procrastinate's job queue in this service's schema, with the service's tasks.

``python -m notifications worker`` runs one; several may run at once (jobs are taken with
``FOR UPDATE SKIP LOCKED``; periodic jobs are deferred once per tick whatever the number of workers).
What a job does lives in the domains (deliveries, reminders); here it is only bound to the queue.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

import procrastinate
from procrastinate import JobContext

from notifications.config import Settings
from notifications.deliveries import digest, sending
from notifications.deliveries import service as deliveries
from notifications.deliveries.policy import RetryPolicy
from notifications.reminders import service as reminders
from notifications.worker import queue
from shared.database import Database, libpq_dsn

logger = logging.getLogger(__name__)

# Jobs a dead worker left in "doing": retried once its heartbeat is this old (procrastinate's own check).
STALLED_AFTER_SECONDS = 30.0


class FanOutFailed(RuntimeError):
    """Some events of a fan-out job were not fanned out (each one's error is logged)."""


@dataclass
class Runtime:
    settings: Settings
    database: Database
    senders: sending.Senders
    policy: RetryPolicy


def connector(settings: Settings) -> procrastinate.PsycopgConnector:
    return procrastinate.PsycopgConnector(
        conninfo=libpq_dsn(settings.database_url.get_secret_value()),
        kwargs={"options": "-c search_path=notifications"},
        min_size=1,
        max_size=max(4, settings.worker_concurrency + 2),
    )


def build_app(runtime: Runtime) -> procrastinate.App:
    settings = runtime.settings
    app = procrastinate.App(connector=connector(settings))

    @app.task(name=queue.FAN_OUT, queue=queue.QUEUE)
    async def fan_out(event_ids: list[str] | None = None, event_id: str | None = None) -> None:
        """The events in one transaction, each in its own savepoint; one that fails does not hold back the
        others, and the job fails after them (the sweep hands on an event left without its fan-out).
        ``event_id``: a job deferred before jobs took several events."""
        ids = [uuid.UUID(one) for one in [*(event_ids or []), *([event_id] if event_id else [])]]
        async with runtime.database.session() as session:
            done, failed = await deliveries.fan_out_all(session, ids, app_url=settings.app_url)
        for one, made in done.items():
            if made is not None:
                logger.info("fanned out", extra={"event_id": str(one), "deliveries": made.deliveries})
        for one, exc in failed.items():
            logger.error("fan-out failed", exc_info=exc, extra={"event_id": str(one)})
        if failed:
            raise FanOutFailed(f"the fan-out of {len(failed)} event(s) failed: {', '.join(map(str, failed))}")

    @app.task(name=queue.DELIVER, queue=queue.QUEUE)
    async def deliver(delivery_ids: list[str]) -> None:
        await sending.deliver(
            runtime.database,
            runtime.senders,
            [uuid.UUID(i) for i in delivery_ids],
            policy=runtime.policy,
            lease=dt.timedelta(seconds=settings.delivery_lease_seconds),
        )

    @app.periodic(cron=f"* * * * * */{settings.sweep_interval_seconds}", periodic_id="sweep")
    @app.task(name="sweep", queue=queue.QUEUE, pass_context=True)
    async def sweep(context: JobContext, timestamp: int) -> None:
        stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_SECONDS))
        for job in stalled:
            await app.job_manager.retry_job(job)
        async with runtime.database.session() as session:
            found = await deliveries.sweep(session, grace=dt.timedelta(seconds=settings.sweep_grace_seconds))
        if any(found.values()) or stalled:
            logger.warning("swept", extra={**found, "stalled_jobs": len(stalled)})

    @app.periodic(cron=f"0 {settings.digest_hour_utc} * * *", periodic_id="digest")
    @app.task(name="digest", queue=queue.QUEUE)
    async def daily_digest(timestamp: int) -> None:
        async with runtime.database.session() as session:
            made = await digest.make_digests(session)
        logger.info("digests", extra={"digests": made})

    # Once a day per deployment (procrastinate defers a periodic job once per tick, whatever the number of
    # workers); a pass run twice anyway records each reminder once (notifications.reminders.service).
    @app.periodic(cron=f"0 {settings.reminder_hour_utc} * * *", periodic_id="reminders")
    @app.task(name="reminders", queue=queue.QUEUE)
    async def daily_reminders(timestamp: int) -> None:
        why_not = settings.reminders_not_configured()
        if why_not is not None:
            logger.warning("no reminders", extra={"reason": why_not})
            return
        try:
            await reminders.run_pass(settings, runtime.database)
        except reminders.SiblingUnavailable as exc:
            # Tomorrow's pass sends what today's would have (each reminder's window spans several days).
            logger.error("reminders failed", extra={"reason": str(exc)})

    return app
