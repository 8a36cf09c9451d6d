"""The sweep: a delivery a dead worker left in ``sending`` is found once its lease has run out and sent again
under the same identity (the receiver sees the same Message-ID, the same webhook-id); the worker that lost it
cannot record over its new holder.

A dead worker is played by taking the delivery with a lease that ran out a second ago (a worker's lease is
minutes long), sending it or not, and never recording the outcome."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks import Webhook

from notifications.config import Settings
from notifications.deliveries import sending, service
from notifications.deliveries.policy import RetryPolicy
from notifications.webhooks import service as webhooks
from notifications.webhooks.schemas import WebhookEndpointIn
from services.notifications.tests.arrange import event, person
from services.notifications.tests.deliveries.conftest import (
    MakeSenders,
    attempts,
    deliver_jobs,
    of_event,
    reread,
)
from services.notifications.tests.email.conftest import StartServer
from services.notifications.tests.webhooks.conftest import Receiver
from shared import clock
from shared.database import Database

APP = "https://thidua.hatinh.gov.vn"
LEASE = dt.timedelta(seconds=60)
RAN_OUT = dt.timedelta(seconds=-1)
GRACE = dt.timedelta(seconds=30)
POLICY = RetryPolicy(max_attempts=3)


async def test_an_email_left_sending_by_a_dead_worker_is_sent_again_with_the_same_message_id(
    db_session: AsyncSession, database: Database, senders: MakeSenders, smtp_server: StartServer
) -> None:
    await person(db_session, "officer-tha", roles=["unit_officer"], org_unit="HT-THA")
    returned = await event(db_session, "nomination.returned", nominating_org_unit="HT-THA")
    await service.fan_out(db_session, returned.id, app_url=APP)
    [delivery] = await of_event(db_session, returned.id, "email")
    await db_session.commit()
    server = smtp_server()
    channels = senders(smtp_port=server.port)

    # The dead worker took it and sent it, then died before recording that it had.
    async with database.session() as session:
        [taken] = await service.claim(session, [delivery.id], RAN_OUT)
    async with channels.emails() as send:
        await send(taken)
    jobs_before = len(await deliver_jobs(db_session, delivery.id))

    async with database.session() as session:
        found = await service.sweep(session, grace=GRACE)

    assert found == {"leases": 1, "lost_jobs": 0, "events": 0}
    handed_on = await reread(db_session, delivery.id)
    assert (handed_on.status, handed_on.lease_until) == ("retrying", None)
    assert handed_on.last_error is not None
    assert "same identity" in handed_on.last_error
    assert len(await deliver_jobs(db_session, delivery.id)) == jobs_before + 1

    assert await sending.deliver(database, channels, [delivery.id], policy=POLICY, lease=LEASE) == {"sent": 1}
    ids = [
        email.message_from_bytes(m.content, policy=email.policy.default)["Message-ID"]
        for m in server.recorder.messages
    ]
    assert ids == [f"<{delivery.id}@hatinh.gov.vn>"] * 2
    sent = await reread(db_session, delivery.id)
    assert (sent.status, sent.attempts) == ("sent", 2)


async def test_webhooks_left_sending_are_sent_again_with_the_same_webhook_id_one_job_per_endpoint(
    db_session: AsyncSession,
    database: Database,
    senders: MakeSenders,
    receiver: Receiver,
    settings: Settings,
) -> None:
    first, secret = await webhooks.create(
        db_session, WebhookEndpointIn(org_unit="HT-THA", url=receiver.url("/ok")), "admin", settings
    )
    second, _ = await webhooks.create(
        db_session, WebhookEndpointIn(org_unit="HT-THA", url=receiver.url("/hang")), "admin", settings
    )
    await person(db_session, "officer-tha", roles=["unit_officer"], org_unit="HT-THA")
    granted = await event(db_session, "award.granted")
    returned = await event(db_session, "nomination.returned", nominating_org_unit="HT-THA")
    await service.fan_out(db_session, granted.id, app_url=APP)
    await service.fan_out(db_session, returned.id, app_url=APP)
    hooks = {d.recipient: d for d in await of_event(db_session, granted.id, "webhook")}
    [mail] = await of_event(db_session, returned.id, "email")
    await db_session.commit()
    channels = senders()
    everything = [hooks[f"webhook:{first.id}"].id, hooks[f"webhook:{second.id}"].id, mail.id]
    async with database.session() as session:
        taken = await service.claim(session, everything, RAN_OUT)
    ok = next(d for d in taken if d.recipient == f"webhook:{first.id}")
    target = await service.webhook_target(db_session, ok)
    assert target is not None
    await channels.webhook(ok, target.url, target.secrets)  # sent, never recorded
    before = {job["id"] for job in await deliver_jobs(db_session)}

    async with database.session() as session:
        assert (await service.sweep(session, grace=GRACE))["leases"] == 3

    # One job per endpoint and one for the email, as the fan-out makes them: the endpoint that hangs holds
    # up none of the others.
    new = [job for job in await deliver_jobs(db_session) if job["id"] not in before]
    assert sorted(sorted(job["args"]["delivery_ids"]) for job in new) == sorted([str(i)] for i in everything)

    resend = hooks[f"webhook:{first.id}"].id
    assert await sending.deliver(database, channels, [resend], policy=POLICY, lease=LEASE) == {"sent": 1}
    assert [r.headers["webhook-id"] for r in receiver.requests] == [str(resend)] * 2
    for request in receiver.requests:
        Webhook(secret).verify(request.body, request.headers)


async def test_the_worker_that_lost_its_lease_cannot_record_over_the_one_that_took_it_on(
    db_session: AsyncSession, database: Database
) -> None:
    await person(db_session, "officer-tha", roles=["unit_officer"], org_unit="HT-THA")
    returned = await event(db_session, "nomination.returned", nominating_org_unit="HT-THA")
    await service.fan_out(db_session, returned.id, app_url=APP)
    [delivery] = await of_event(db_session, returned.id, "email")
    await db_session.commit()
    async with database.session() as session:
        [slow] = await service.claim(session, [delivery.id], RAN_OUT)
    slow_started = clock.now()
    async with database.session() as session:
        await service.sweep(session, grace=GRACE)
    async with database.session() as session:
        [fresh] = await service.claim(session, [delivery.id], LEASE)
    assert fresh.status == "sending"

    async with database.session() as session:
        late = service.Attempted(slow, slow_started, None, None)
        assert await service.record(session, late, POLICY) == "stale"
    still = await reread(db_session, delivery.id)
    assert (still.status, still.attempts, still.sent_at) == ("sending", 2, None)
    assert await attempts(db_session, delivery.id) == []

    async with database.session() as session:
        assert (
            await service.record(session, service.Attempted(fresh, clock.now(), None, None), POLICY) == "sent"
        )
    assert [a.number for a in await attempts(db_session, delivery.id)] == [1]


async def test_a_delivery_whose_job_was_lost_is_deferred_again_after_the_grace(
    db_session: AsyncSession, database: Database
) -> None:
    await person(db_session, "officer-tha", roles=["unit_officer"], org_unit="HT-THA")
    returned = await event(db_session, "nomination.returned", nominating_org_unit="HT-THA")
    await service.fan_out(db_session, returned.id, app_url=APP)
    [delivery] = await of_event(db_session, returned.id, "email")
    await db_session.commit()
    jobs_before = len(await deliver_jobs(db_session, delivery.id))
    async with database.session() as session:
        assert (await service.sweep(session, grace=GRACE))["lost_jobs"] == 0  # not late yet
        # No grace: everything waiting is late (as it would be half a minute on).
        assert (await service.sweep(session, grace=dt.timedelta(seconds=-1)))["lost_jobs"] == 1
    assert len(await deliver_jobs(db_session, delivery.id)) == jobs_before + 1
