"""The outbox relay: delivers a producing service's outbox to the notifications service's intake.

One relay per producing service runs as its own process (``python -m <service> relay``), and several may run
at once. Each round it claims the oldest due rows (``FOR UPDATE SKIP LOCKED``, so two relays never hold the
same row), posts them as one JSON array to ``<notifications>/internal/v1/events``, and in the same transaction
marks what intake took (``accepted``, or ``duplicate``: already stored) as published. Whatever was not taken
backs off, bounded and exponential with jitter: the whole batch when intake is unreachable, times out or
answers 5xx, one event when intake rejects it (its problem becomes the row's ``last_error``, for an operator).
A crash between intake's answer and the commit sends the rows again, which intake answers ``duplicate``: an
event is delivered at least once and stored once.

It wakes on ``LISTEN <schema>_outbox`` (the outbox's statement trigger,
:func:`shared.outbox.notify_trigger_sql`) on a dedicated connection, re-listening after a lost connection,
and looks anyway every ``poll_seconds`` and when the earliest backed-off row comes due, so a lost
notification delays an event, never loses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import random
import signal
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import asyncpg
import httpx
from prometheus_client import Counter
from sqlalchemy import Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.cli import ServiceCommand
from shared.database import DATABASE_UNAVAILABLE_ERRORS, Database, libpq_dsn
from shared.http_client import create_http_client
from shared.outbox import notify_channel
from shared.probes import Heartbeat, probes_served
from shared.request_context import bound_request_id, new_request_id
from shared.settings import EventProducerSettings, ServiceCredentialsSettings, ServiceSettings
from shared.tracing import span, tracer_provider

logger = logging.getLogger(__name__)
# Each event the relay sent, by what became of it: published (intake took it), refused (intake answered with
# a problem; it backs off and is tried again) or unavailable (intake did not answer; the batch backs off).
RELAYED = Counter("relay_events_total", "Outbox events sent to intake, by outcome", ["producer", "outcome"])

INTAKE_PATH = "/internal/v1/events"
PUBLISHED_STATUSES = frozenset({"accepted", "duplicate"})
RECONNECT_AFTER_SECONDS = 1.0
MAX_ERROR_LENGTH = 2000
# A cached client-credentials token is renewed this long before it expires (or at half its life if shorter).
TOKEN_RENEWAL_MARGIN_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Backoff:
    """``min(cap, base × 2^attempts)``, drawn in its upper half (jitter): each retry waits at least as long as
    the one before it did, and never longer than ``cap_seconds``."""

    base_seconds: float = 0.5
    cap_seconds: float = 300.0

    def delay(self, attempts: int, draw: Callable[[], float] = random.random) -> float:
        """The wait after a failure of a row that had failed ``attempts`` times before."""
        bounded = min(self.cap_seconds, self.base_seconds * 2 ** min(attempts, 60))
        return float(bounded * (0.5 + 0.5 * draw()))


# --- the intake, as the relay sees it ---------------------------------------------------------------------


class IntakeUnavailable(Exception):
    """Intake took none of the batch: unreachable, timed out, 5xx, or an answer that is not its contract."""


class TokenUnavailable(IntakeUnavailable):
    """The identity provider gave no token (unreachable, refused, or an answer without one)."""


class TokenSource(Protocol):
    async def token(self) -> str: ...

    def forget(self) -> None:
        """The token was refused (401): the next call fetches another."""


@dataclass
class StaticToken:
    """A bearer token given in the configuration (development: ``make -s token SERVICE=<name>``)."""

    value: str

    async def token(self) -> str:
        return self.value

    def forget(self) -> None:
        return None


@dataclass
class ClientCredentials:
    """OAuth2 client credentials (RFC 6749 §4.4) against the identity provider's token endpoint, e.g.
    Keycloak's ``/realms/<realm>/protocol/openid-connect/token``; the token is kept until shortly before it
    expires."""

    token_url: str
    client_id: str
    client_secret: str
    client: httpx.AsyncClient
    clock: Callable[[], float] = time.monotonic
    _token: str | None = field(default=None, init=False, repr=False)
    _renew_at: float = field(default=0.0, init=False, repr=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)

    async def token(self) -> str:
        async with self._lock:
            if self._token is None or self.clock() >= self._renew_at:
                await self._fetch()
            assert self._token is not None  # noqa: S101 - _fetch sets it or raises
            return self._token

    def forget(self) -> None:
        self._token = None

    async def _fetch(self) -> None:
        try:
            response = await self.client.post(
                self.token_url,
                data={"grant_type": "client_credentials"},
                auth=(self.client_id, self.client_secret),
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise TokenUnavailable(f"token endpoint unreachable: {exc!r}") from exc
        if response.status_code != 200:
            raise TokenUnavailable(f"token endpoint answered {response.status_code}: {response.text[:300]}")
        try:
            body = response.json()
            token, lifetime = str(body["access_token"]), float(body.get("expires_in", 60))
        except (ValueError, KeyError, TypeError) as exc:
            raise TokenUnavailable("token endpoint answered no access_token") from exc
        margin = min(TOKEN_RENEWAL_MARGIN_SECONDS, lifetime / 2)
        self._token, self._renew_at = token, self.clock() + lifetime - margin


@dataclass(frozen=True, slots=True)
class Verdict:
    """Intake's answer for one event."""

    status: str  # accepted, duplicate or rejected
    problem: dict[str, Any] | None = None


class Intake:
    """``POST /internal/v1/events`` with the service's bearer token."""

    def __init__(self, base_url: str, tokens: TokenSource, client: httpx.AsyncClient) -> None:
        self.url = base_url.rstrip("/") + INTAKE_PATH
        self.tokens = tokens
        self.client = client

    async def send(self, events: Sequence[Mapping[str, Any]]) -> dict[str, Verdict]:
        """Intake's verdict per event id; raises :class:`IntakeUnavailable` when it took none of them."""
        response = await self._post(events)
        if response.status_code == 401:  # an expired or revoked token: once more with a new one
            self.tokens.forget()
            response = await self._post(events)
        if response.status_code != 200:
            raise IntakeUnavailable(f"intake answered {response.status_code}: {response.text[:500]}")
        try:
            results = response.json()["results"]
            return {
                str(result["id"]): Verdict(str(result["status"]), result.get("problem")) for result in results
            }
        except (ValueError, KeyError, TypeError) as exc:
            raise IntakeUnavailable(
                f"intake's answer is not a list of results: {response.text[:300]}"
            ) from exc

    async def _post(self, events: Sequence[Mapping[str, Any]]) -> httpx.Response:
        token = await self.tokens.token()
        try:
            return await self.client.post(
                self.url, json=list(events), headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            raise IntakeUnavailable(f"intake unreachable: {exc!r}") from exc


# --- the relay ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    claimed: int
    published: int
    backed_off: int
    intake_unavailable: bool = False


@dataclass(frozen=True, slots=True)
class Claimed:
    """An outbox row the relay holds (locked) while intake reads it."""

    id: uuid.UUID
    event_type: str
    version: int
    occurred_at: dt.datetime
    subject: str
    payload: dict[str, Any]
    attempts: int


def envelope(row: Claimed, producer: str) -> dict[str, Any]:
    """An outbox row as intake reads it (docs/events.md)."""
    return {
        "id": str(row.id),
        "type": row.event_type,
        "version": row.version,
        "occurred_at": row.occurred_at.isoformat(),
        "subject": row.subject,
        "producer": producer,
        "data": row.payload,
    }


def _error_text(text: str) -> str:
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"


class Relay:
    def __init__(
        self,
        *,
        database: Database,
        table: Table,
        producer: str,
        intake: Intake,
        listen_dsn: str | None = None,
        batch_size: int = 100,
        poll_seconds: float = 5.0,
        backoff: Backoff = Backoff(),
        heartbeat: Heartbeat | None = None,
    ) -> None:
        self.database = database
        self.table = table
        self.producer = producer
        self.intake = intake
        self.listen_dsn = listen_dsn
        self.channel = notify_channel(table.schema or "public")
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.backoff = backoff
        self._wake = asyncio.Event()
        self.listening = asyncio.Event()  # set while the LISTEN connection is up (tests wait for it)
        # Beaten each time round the loop; ready while the last round reached the database (shared.probes).
        self.heartbeat = heartbeat or Heartbeat()

    async def relay_batch(self) -> BatchOutcome:
        """Claim the oldest due rows, send them, and record intake's verdicts, in one transaction."""
        table = self.table
        async with self.database.session() as session:
            claim = (
                select(
                    table.c.id,
                    table.c.event_type,
                    table.c.version,
                    table.c.occurred_at,
                    table.c.subject,
                    table.c.payload,
                    table.c.attempts,
                )
                .where(table.c.published_at.is_(None), table.c.next_attempt_at <= func.now())
                .order_by(table.c.occurred_at)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            )
            rows = [Claimed(*row) for row in (await session.execute(claim)).all()]
            if not rows:
                return BatchOutcome(0, 0, 0)
            # The batch is one piece of work to follow: one request id, one span, intake's spans inside.
            with (
                bound_request_id(new_request_id()),
                span("relay batch", {"messaging.batch.message_count": len(rows), "producer": self.producer}),
            ):
                outcome = await self._send(session, rows)
        # Counted once committed: a batch whose commit fails is sent again, and counted then.
        unsent = outcome.backed_off if outcome.intake_unavailable else 0
        RELAYED.labels(self.producer, "published").inc(outcome.published)
        RELAYED.labels(self.producer, "refused").inc(outcome.backed_off - unsent)
        RELAYED.labels(self.producer, "unavailable").inc(unsent)
        return outcome

    async def _send(self, session: AsyncSession, rows: Sequence[Claimed]) -> BatchOutcome:
        """Send the claimed ``rows`` and record intake's verdicts in ``session``'s transaction."""
        try:
            verdicts = await self.intake.send([envelope(row, self.producer) for row in rows])
        except IntakeUnavailable as exc:
            logger.warning("intake took no event of the batch (%d rows back off): %s", len(rows), exc)
            await self._back_off(session, [(row, str(exc)) for row in rows])
            return BatchOutcome(len(rows), 0, len(rows), intake_unavailable=True)
        published: list[uuid.UUID] = []
        failed: list[tuple[Claimed, str]] = []
        for row in rows:
            verdict = verdicts.get(str(row.id))
            if verdict is not None and verdict.status in PUBLISHED_STATUSES:
                published.append(row.id)
            elif verdict is None:
                failed.append((row, "intake answered nothing for this event"))
            else:
                failed.append((row, json.dumps({"status": verdict.status, "problem": verdict.problem})))
        if published:
            await session.execute(
                update(self.table).where(self.table.c.id.in_(published)).values(published_at=func.now())
            )
        if failed:
            for row, error in failed:
                logger.warning("event %s (%s) refused by intake: %s", row.id, row.event_type, error)
            await self._back_off(session, failed)
        return BatchOutcome(len(rows), len(published), len(failed))

    async def _back_off(self, session: AsyncSession, failed: Sequence[tuple[Claimed, str]]) -> None:
        for row, error in failed:
            delay = dt.timedelta(seconds=self.backoff.delay(row.attempts))
            await session.execute(
                update(self.table)
                .where(self.table.c.id == row.id)
                .values(
                    attempts=self.table.c.attempts + 1,
                    last_error=_error_text(error),
                    next_attempt_at=func.now() + delay,
                )
            )

    async def drain(self) -> int:
        """Relay batches while full ones come and intake takes them; the events published."""
        published = 0
        while True:
            outcome = await self.relay_batch()
            self.heartbeat.beat()  # a long backlog is many batches, each a round of work
            published += outcome.published
            if outcome.intake_unavailable or outcome.claimed < self.batch_size:
                return published

    async def _seconds_to_next_due(self) -> float | None:
        table = self.table
        async with self.database.session() as session:
            seconds = await session.scalar(
                select(func.extract("epoch", func.min(table.c.next_attempt_at) - func.now())).where(
                    table.c.published_at.is_(None)
                )
            )
        return None if seconds is None else max(0.0, float(seconds))

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set; the batch under way when it is set is finished first."""
        listener = asyncio.create_task(self._listen(stop), name=f"{self.producer}-relay-listen")
        logger.info("relay started", extra={"channel": self.channel, "batch_size": self.batch_size})
        try:
            while not stop.is_set():
                # Cleared before looking: a notification that lands meanwhile wakes the next round.
                self._wake.clear()
                wait = self.poll_seconds
                try:
                    await self.drain()
                    due = await self._seconds_to_next_due()
                    if due is not None:
                        wait = min(wait, due)
                    self.heartbeat.ready = True
                except (OSError, asyncpg.PostgresError, *DATABASE_UNAVAILABLE_ERRORS) as exc:
                    logger.warning("relay cannot reach its database: %s", exc)
                    wait = min(wait, RECONNECT_AFTER_SECONDS)
                    self.heartbeat.ready = False
                self.heartbeat.beat()
                await _first_of(stop, self._wake, seconds=wait)
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
            logger.info("relay stopped")

    async def _listen(self, stop: asyncio.Event) -> None:
        """Keep one connection listening on the outbox's channel; each notification wakes the relay."""
        if self.listen_dsn is None:
            return
        while not stop.is_set():
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(
                    self.listen_dsn,
                    timeout=5,
                    server_settings={"application_name": f"{self.producer}-relay-listen"},
                )
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _, lost=lost: lost.set())
                await connection.add_listener(self.channel, lambda *_: self._wake.set())
                self.listening.set()
                self._wake.set()  # what was written while nobody listened
                await _first_of(stop, lost, seconds=None)
                if lost.is_set():
                    logger.warning("relay lost its LISTEN connection; listening again")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning(
                    "relay cannot LISTEN, polling every %s s until it can: %s", self.poll_seconds, exc
                )
            finally:
                self.listening.clear()
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await connection.close(timeout=2)
            if not stop.is_set():
                await _first_of(stop, seconds=RECONNECT_AFTER_SECONDS)


async def _first_of(*events: asyncio.Event, seconds: float | None) -> None:
    """Wait until one of ``events`` is set, or ``seconds`` have passed."""
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)


# --- the command ------------------------------------------------------------------------------------------


def token_source(settings: ServiceCredentialsSettings, client: httpx.AsyncClient) -> TokenSource:
    """The service's bearer tokens, from its settings (``credentials_missing()`` is checked first)."""
    if settings.service_token is not None:
        return StaticToken(settings.service_token.get_secret_value())
    if settings.service_token_url is None or settings.service_client_id is None:
        raise RuntimeError("credentials_missing() is checked first")
    secret = settings.service_client_secret.get_secret_value() if settings.service_client_secret else ""
    return ClientCredentials(settings.service_token_url, settings.service_client_id, secret, client)


async def run_relay(settings: EventProducerSettings, table: Table, stop: asyncio.Event) -> None:
    """The relay of the service whose settings these are, until ``stop``."""
    if settings.notifications_url is None:
        raise RuntimeError("relay_not_configured() is checked first")
    url = settings.database_url.get_secret_value()
    database = Database(
        url,
        pool_size=2,
        max_overflow=0,
        connect_timeout=settings.db_connect_timeout_seconds,
        statement_timeout_ms=settings.db_statement_timeout_ms,
        application_name=f"{settings.service_name}-relay",
    )
    # No retries behind the relay's back: a failed batch backs off, row by row, in the outbox.
    client = create_http_client(timeout_seconds=settings.http_timeout_seconds, retries=0)
    tracing = tracer_provider(f"{settings.service_name}-relay", settings.traces_endpoint)
    try:
        relay = Relay(
            database=database,
            table=table,
            producer=settings.service_name,
            intake=Intake(settings.notifications_url, token_source(settings, client), client),
            listen_dsn=libpq_dsn(url),
            batch_size=settings.relay_batch_size,
            poll_seconds=settings.relay_poll_seconds,
            backoff=Backoff(settings.relay_backoff_base_seconds, settings.relay_backoff_cap_seconds),
        )
        async with probes_served(
            relay.heartbeat,
            host=settings.host,
            port=settings.probe_port,
            stale_after=settings.probe_stale_seconds,
        ):
            await relay.run(stop)
    finally:
        await client.aclose()
        await database.dispose()
        if tracing is not None:
            tracing.shutdown()  # the last batches' spans are sent before the process ends


def relay_command(table: Table) -> tuple[str, ServiceCommand]:
    """``python -m <service> relay``: the help line and the command, for ``run_service_cli``'s commands."""

    async def relay(settings: ServiceSettings) -> int:
        if not isinstance(settings, EventProducerSettings):
            raise TypeError(f"{settings.service_name} writes no events")
        problem = settings.relay_not_configured()
        if problem is not None:
            logger.error("relay not configured: %s", problem)
            print(f"{settings.service_name} relay: {problem}", file=sys.stderr)  # noqa: T201
            return 2
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await run_relay(settings, table, stop)
        return 0

    return "deliver the outbox's events to the notifications service (a process of its own)", relay
