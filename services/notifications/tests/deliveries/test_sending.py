"""The deliver job against real channels (aiosmtpd, a uvicorn receiver, PostgreSQL): every way a send fails
becomes a retry deferred at its backoff, then a dead delivery with its error; what a receiver sees is the same
message under the same identity on every attempt."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email
import email.policy
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks import Webhook

from devstack.testing.plugin import AuthHeaders
from notifications.config import Settings
from notifications.deliveries import sending, service
from notifications.deliveries.models import Delivery
from notifications.deliveries.policy import RetryPolicy
from notifications.webhooks import service as webhooks
from notifications.webhooks.schemas import WebhookEndpointIn, WebhookEndpointPatch
from services.notifications.tests.arrange import event, person
from services.notifications.tests.deliveries.conftest import (
    MakeSenders,
    attempts,
    deliver_jobs,
    of_event,
    reread,
)
from services.notifications.tests.email.conftest import Recorder, Script, StartServer, close_mid_data
from services.notifications.tests.webhooks.conftest import Receiver
from shared.database import Database

APP = "https://thidua.hatinh.gov.vn"
LEASE = dt.timedelta(seconds=60)
# A fixed backoff of 30 s whatever the draw (the floor is above every bound), and three attempts in all.
POLICY = RetryPolicy(max_attempts=3, base_seconds=0.001, cap_seconds=0.001, floor_seconds=30)
StartScripted = Callable[[Script], Awaitable[int]]


async def returned_email(session: AsyncSession) -> Delivery:
    """A returned dossier fanned out to one officer: its (critical) email delivery, queued."""
    await person(session, "officer-tha", roles=["unit_officer"], org_unit="HT-THA")
    returned = await event(session, "nomination.returned", nominating_org_unit="HT-THA")
    await service.fan_out(session, returned.id, app_url=APP)
    [delivery] = await of_event(session, returned.id, "email")
    await session.commit()
    return delivery


async def _port(kind: str, smtp_server: StartServer, scripted_server: StartScripted) -> int:
    if kind == "refused-451":
        return smtp_server(Recorder(reply="451 4.3.0 Try again later")).port
    if kind == "timeout":
        return smtp_server(Recorder(hang=3)).port
    return await scripted_server(close_mid_data)


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("refused-451", "451"),
        ("timeout", "did not answer within 0.5 s"),
        ("closed-mid-message", "127.0.0.1:"),
    ],
)
async def test_a_transient_smtp_failure_is_retried_at_its_backoff_then_dead_after_the_last_attempt(
    db_session: AsyncSession,
    database: Database,
    senders: MakeSenders,
    smtp_server: StartServer,
    scripted_server: StartScripted,
    kind: str,
    reason: str,
) -> None:
    delivery = await returned_email(db_session)
    channels = senders(smtp_port=await _port(kind, smtp_server, scripted_server))
    [first_job] = await deliver_jobs(db_session, delivery.id)  # the fan-out's

    for number in (1, 2):
        outcome = await sending.deliver(database, channels, [delivery.id], policy=POLICY, lease=LEASE)
        assert outcome == {"retrying": 1}
        now = await reread(db_session, delivery.id)
        assert (now.status, now.attempts, now.lease_until) == ("retrying", number, None)
        assert now.last_error is not None
        assert reason in now.last_error
        recorded = await attempts(db_session, delivery.id)
        assert [(a.number, a.succeeded) for a in recorded] == [(n, False) for n in range(1, number + 1)]
        assert recorded[-1].error == now.last_error
        # The retry is a job of its own, due when the delivery says, 30 s after it was deferred.
        [retry] = [
            job for job in await deliver_jobs(db_session, delivery.id) if job["id"] != first_job["id"]
        ][-1:]
        assert retry["args"] == {"delivery_ids": [str(delivery.id)]}
        assert retry["scheduled_at"] == now.next_attempt_at
        waits = (retry["scheduled_at"] - retry["deferred_at"]).total_seconds()
        assert 30 <= waits < 60

    jobs_before = len(await deliver_jobs(db_session, delivery.id))
    assert await sending.deliver(database, channels, [delivery.id], policy=POLICY, lease=LEASE) == {"dead": 1}
    dead = await reread(db_session, delivery.id)
    assert (dead.status, dead.attempts, dead.next_attempt_at) == ("dead", 3, None)
    assert dead.last_error is not None
    assert reason in dead.last_error
    assert [a.number for a in await attempts(db_session, delivery.id)] == [1, 2, 3]
    assert len(await deliver_jobs(db_session, delivery.id)) == jobs_before  # no retry after the last


async def test_a_permanent_smtp_refusal_is_dead_at_once_with_the_servers_words(
    db_session: AsyncSession, database: Database, senders: MakeSenders, smtp_server: StartServer
) -> None:
    delivery = await returned_email(db_session)
    server = smtp_server(Recorder(rcpt_reply="550 5.1.1 No such user here"))
    channels = senders(smtp_port=server.port)
    jobs_before = len(await deliver_jobs(db_session, delivery.id))

    assert await sending.deliver(database, channels, [delivery.id], policy=POLICY, lease=LEASE) == {"dead": 1}
    dead = await reread(db_session, delivery.id)
    assert (dead.status, dead.attempts) == ("dead", 1)
    assert dead.last_error is not None
    assert "550" in dead.last_error
    assert "No such user here" in dead.last_error
    [attempt] = await attempts(db_session, delivery.id)
    assert not attempt.succeeded
    assert len(await deliver_jobs(db_session, delivery.id)) == jobs_before
    assert server.recorder.messages == []


async def test_a_sent_email_arrives_once_with_the_delivery_as_its_message_id(
    db_session: AsyncSession, database: Database, senders: MakeSenders, smtp_server: StartServer
) -> None:
    delivery = await returned_email(db_session)
    server = smtp_server()
    outcome = await sending.deliver(
        database, senders(smtp_port=server.port), [delivery.id, delivery.id], policy=POLICY, lease=LEASE
    )
    assert outcome == {"sent": 1, "skipped": 1}  # taken once, though the job names it twice
    [received] = server.recorder.messages
    message = email.message_from_bytes(received.content, policy=email.policy.default)
    assert message["Message-ID"] == f"<{delivery.id}@hatinh.gov.vn>"
    assert received.rcpt_tos == ["officer-tha@example.hatinh.gov.vn"]
    sent = await reread(db_session, delivery.id)
    assert (sent.status, sent.attempts, sent.lease_until, sent.next_attempt_at) == ("sent", 1, None, None)
    assert sent.sent_at is not None


async def test_a_queued_message_keeps_the_template_version_it_was_rendered_with(
    db_session: AsyncSession,
    database: Database,
    senders: MakeSenders,
    smtp_server: StartServer,
    client: httpx.AsyncClient,
    auth: AuthHeaders,
) -> None:
    delivery = await returned_email(db_session)
    assert delivery.template_version_id is not None
    key = "/v1/templates/nomination.returned.email.vi"
    current = await client.get(key, headers=auth("secretariat"))
    assert current.status_code == 200
    edited = await client.put(
        key,
        headers=auth("secretariat") | {"If-Match": current.headers["ETag"]},
        json={
            "subject": "Mẫu mới: {{ event.title }}",
            "text_body": "Mẫu mới.",
            "html_body": "<p>Mẫu mới.</p>",
        },
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["id"] != delivery.template_version_id

    server = smtp_server()
    await sending.deliver(database, senders(smtp_port=server.port), [delivery.id], policy=POLICY, lease=LEASE)
    [received] = server.recorder.messages
    message = email.message_from_bytes(received.content, policy=email.policy.default)
    assert message["Subject"] == delivery.message["subject"]
    assert "Mẫu mới" not in received.content.decode("ascii")
    assert (await reread(db_session, delivery.id)).template_version_id == delivery.template_version_id


async def endpoint_of_unit(session: AsyncSession, settings: Settings, url: str) -> tuple[uuid.UUID, str]:
    """An endpoint of HT-THA (its id and secret), registered as the API would."""
    endpoint, secret = await webhooks.create(
        session, WebhookEndpointIn(org_unit="HT-THA", url=url), "admin", settings
    )
    return endpoint.id, secret


async def test_a_webhook_that_fails_is_retried_with_the_same_webhook_id_and_verifies_each_time(
    db_session: AsyncSession,
    database: Database,
    senders: MakeSenders,
    receiver: Receiver,
    settings: Settings,
) -> None:
    endpoint_id, secret = await endpoint_of_unit(db_session, settings, receiver.url("/error"))
    granted = await event(db_session, "award.granted")
    await service.fan_out(db_session, granted.id, app_url=APP)
    [delivery] = await of_event(db_session, granted.id, "webhook")
    await db_session.commit()
    channels = senders()

    assert await sending.deliver(database, channels, [delivery.id], policy=POLICY, lease=LEASE) == {
        "retrying": 1
    }
    failed = await reread(db_session, delivery.id)
    assert failed.last_error is not None
    assert "500" in failed.last_error
    assert [a.response_status for a in await attempts(db_session, delivery.id)] == [500]

    # The receiver is mended (a new URL): the retry goes there, under the same identity.
    endpoint = await webhooks.get(db_session, endpoint_id)
    await webhooks.update(db_session, endpoint, WebhookEndpointPatch(url=receiver.url("/ok")), settings)
    await db_session.commit()
    assert await sending.deliver(database, channels, [delivery.id], policy=POLICY, lease=LEASE) == {"sent": 1}

    assert [r.path for r in receiver.requests] == ["/error", "/ok"]
    assert {r.headers["webhook-id"] for r in receiver.requests} == {str(delivery.id)}
    for request in receiver.requests:
        verified = Webhook(secret).verify(request.body, request.headers)
        assert verified["id"] == str(granted.id)
        assert verified["type"] == "award.granted"
    assert [a.response_status for a in await attempts(db_session, delivery.id)] == [500, 204]
    assert (await reread(db_session, delivery.id)).status == "sent"


async def test_a_hanging_webhook_receiver_is_retried_after_the_timeout(
    db_session: AsyncSession,
    database: Database,
    senders: MakeSenders,
    receiver: Receiver,
    settings: Settings,
) -> None:
    await endpoint_of_unit(db_session, settings, receiver.url("/hang"))
    granted = await event(db_session, "award.granted")
    await service.fan_out(db_session, granted.id, app_url=APP)
    [delivery] = await of_event(db_session, granted.id, "webhook")
    await db_session.commit()

    outcome = await sending.deliver(database, senders(), [delivery.id], policy=POLICY, lease=LEASE)

    assert outcome == {"retrying": 1}
    [attempt] = await attempts(db_session, delivery.id)
    assert attempt.response_status is None
    assert 1 <= (attempt.finished_at - attempt.started_at).total_seconds() < 3
    assert len(await deliver_jobs(db_session, delivery.id)) == 2  # the fan-out's and the retry


async def test_a_hanging_endpoint_costs_its_job_one_timeout_and_the_rest_wait_unattempted(
    db_session: AsyncSession,
    database: Database,
    senders: MakeSenders,
    receiver: Receiver,
    settings: Settings,
) -> None:
    await endpoint_of_unit(db_session, settings, receiver.url("/hang"))
    ids = []
    for _ in range(3):
        granted = await event(db_session, "award.granted")
        await service.fan_out(db_session, granted.id, app_url=APP)
        ids += [d.id for d in await of_event(db_session, granted.id, "webhook")]
    await db_session.commit()

    # Groups of one: the first group's timeout postpones the rest of the job (a group's own webhooks go at
    # once, so they cost the job that one timeout too).
    outcome = await sending.deliver(database, senders(), ids, policy=POLICY, lease=LEASE, group=1)

    assert outcome == {"retrying": 1, "postponed": 2}
    assert len(await attempts(db_session, ids[0])) == 1
    for later in ids[1:]:
        again = await reread(db_session, later)
        assert (again.status, again.attempts, await attempts(db_session, later)) == ("retrying", 0, [])
        assert again.last_error is not None
        assert again.last_error.startswith("postponed: ")
        assert len(await deliver_jobs(db_session, later)) == 2  # the fan-out's, and one at the later time


async def test_a_job_takes_its_deliveries_a_group_at_a_time_and_records_each_group_at_once(
    db_session: AsyncSession, database: Database, senders: MakeSenders, smtp_server: StartServer
) -> None:
    """A job's lease covers one group's sends: while a group goes, the job's later deliveries wait unclaimed
    (a lease taken for the whole job would run out behind a slow server, and the sweep would send them
    twice); a group is recorded at once after its sends, so a worker killed mid-job leaves one group in
    doubt."""
    for sub in ("officer-1", "officer-2", "officer-3"):
        await person(db_session, sub, roles=["unit_officer"], org_unit="HT-THA")
    returned = await event(db_session, "nomination.returned", nominating_org_unit="HT-THA")
    await service.fan_out(db_session, returned.id, app_url=APP)
    ids = [d.id for d in await of_event(db_session, returned.id, "email")]
    await db_session.commit()
    server = smtp_server()
    real = senders(smtp_port=server.port)
    seen: list[list[str]] = []

    class Watching:
        """The real senders, noting the deliveries' states at each send."""

        @contextlib.asynccontextmanager
        async def emails(self) -> AsyncIterator[Callable[[Delivery], Awaitable[int | None]]]:
            async with real.emails() as send:

                async def watched(delivery: Delivery) -> int | None:
                    # A group's emails go at once; the test's sessions share one connection: one at a time.
                    async with one_at_a_time, database.session() as session:
                        seen.append([(await reread(session, i)).status for i in ids])
                    return await send(delivery)

                yield watched

        async def webhook(self, delivery: Delivery, url: str, secrets: Sequence[str]) -> int | None:
            raise AssertionError("no webhook here")

    one_at_a_time = asyncio.Lock()
    outcome = await sending.deliver(database, Watching(), ids, policy=POLICY, lease=LEASE, group=2)
    assert outcome == {"sent": 3}
    assert seen == [
        ["sending", "sending", "queued"],
        ["sending", "sending", "queued"],
        ["sent", "sent", "sending"],
    ]
    assert len(server.recorder.messages) == 3
    received = [
        email.message_from_bytes(m.content, policy=email.policy.default) for m in server.recorder.messages
    ]
    assert {m["Message-ID"] for m in received} == {f"<{i}@hatinh.gov.vn>" for i in ids}


async def three_returned_emails(session: AsyncSession) -> list[uuid.UUID]:
    for sub in ("officer-1", "officer-2", "officer-3"):
        await person(session, sub, roles=["unit_officer"], org_unit="HT-THA")
    returned = await event(session, "nomination.returned", nominating_org_unit="HT-THA")
    await service.fan_out(session, returned.id, app_url=APP)
    ids = [d.id for d in await of_event(session, returned.id, "email")]
    await session.commit()
    return ids


async def test_a_message_that_cannot_be_sent_is_dead_with_why_and_its_group_goes_on(
    db_session: AsyncSession, database: Database, senders: MakeSenders, smtp_server: StartServer
) -> None:
    ids = await three_returned_emails(db_session)
    broken = await reread(db_session, ids[1])
    broken.message = {"text": "no subject"}  # stored data the sender cannot use (a KeyError when sending)
    await db_session.commit()
    server = smtp_server()

    outcome = await sending.deliver(database, senders(smtp_port=server.port), ids, policy=POLICY, lease=LEASE)

    assert outcome == {"sent": 2, "dead": 1}
    dead = await reread(db_session, ids[1])
    assert dead.status == "dead"
    assert dead.last_error == "The message could not be sent: KeyError: 'subject'"
    assert len(server.recorder.messages) == 2


async def test_a_claim_that_fails_leaves_the_group_before_it_recorded(
    db_session: AsyncSession,
    database: Database,
    senders: MakeSenders,
    smtp_server: StartServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The record of a group shares a transaction with the next group's claim; when the claim fails, what
    was sent is recorded on its own (not left `sending` to be sent again after its lease)."""
    ids = await three_returned_emails(db_session)
    real_claim = sending._claim_next
    calls = 0

    async def claim_then_fail(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("canceling statement due to lock timeout")
        return await real_claim(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sending, "_claim_next", claim_then_fail)
    server = smtp_server()
    with pytest.raises(RuntimeError, match="lock timeout"):
        await sending.deliver(
            database, senders(smtp_port=server.port), ids, policy=POLICY, lease=LEASE, group=2
        )

    states = [(await reread(db_session, i)).status for i in ids]
    assert states == ["sent", "sent", "queued"]  # the first group recorded; the last one left for the sweep
    assert [len(await attempts(db_session, i)) for i in ids] == [1, 1, 0]
