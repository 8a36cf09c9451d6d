"""The operators' API: a dead delivery re-driven through ``POST /v1/deliveries/{id}/actions/redrive`` is sent
again under the same identity and becomes ``sent``; only admins and the secretariat may re-drive."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.testing.plugin import AuthHeaders
from notifications.deliveries import sending, service
from notifications.deliveries.models import Delivery
from notifications.deliveries.policy import RetryPolicy
from services.notifications.tests.arrange import event, person
from services.notifications.tests.deliveries.conftest import (
    MakeSenders,
    attempts,
    deliver_jobs,
    of_event,
    reread,
)
from services.notifications.tests.email.conftest import Recorder, StartServer
from shared.database import Database

APP = "https://thidua.hatinh.gov.vn"
LEASE = dt.timedelta(seconds=60)
POLICY = RetryPolicy(max_attempts=2)


def redrive_url(delivery_id: uuid.UUID) -> str:
    return f"/v1/deliveries/{delivery_id}/actions/redrive"


async def dead_email(
    session: AsyncSession, database: Database, senders: MakeSenders, smtp_server: StartServer
) -> Delivery:
    """An email the SMTP server refused for good (550): dead after its first attempt."""
    await person(session, "officer-tha", roles=["unit_officer"], org_unit="HT-THA")
    returned = await event(session, "nomination.returned", nominating_org_unit="HT-THA")
    await service.fan_out(session, returned.id, app_url=APP)
    [delivery] = await of_event(session, returned.id, "email")
    await session.commit()
    refusing = smtp_server(Recorder(rcpt_reply="550 5.1.1 Mailbox unavailable"))
    channels = senders(smtp_port=refusing.port)
    assert await sending.deliver(database, channels, [delivery.id], policy=POLICY, lease=LEASE) == {"dead": 1}
    return delivery


@pytest.mark.parametrize("role", ["admin", "secretariat"])
async def test_a_re_driven_dead_delivery_is_sent_again_and_becomes_sent(
    client: httpx.AsyncClient,
    auth: AuthHeaders,
    db_session: AsyncSession,
    database: Database,
    senders: MakeSenders,
    smtp_server: StartServer,
    role: str,
) -> None:
    delivery = await dead_email(db_session, database, senders, smtp_server)
    jobs_before = len(await deliver_jobs(db_session, delivery.id))

    answer = await client.post(redrive_url(delivery.id), headers=auth(role, subject=f"{role}-1"))

    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "queued"
    assert answer.json()["attempts"] == 0
    assert len(await deliver_jobs(db_session, delivery.id)) == jobs_before + 1
    assert (await reread(db_session, delivery.id)).redriven_by == f"{role}-1"

    # The mailbox is back: the job the re-drive deferred sends it, with the same Message-ID.
    server = smtp_server()
    channels = senders(smtp_port=server.port)
    assert await sending.deliver(database, channels, [delivery.id], policy=POLICY, lease=LEASE) == {"sent": 1}
    [received] = server.recorder.messages
    message = email.message_from_bytes(received.content, policy=email.policy.default)
    assert message["Message-ID"] == f"<{delivery.id}@hatinh.gov.vn>"
    shown = await client.get(f"/v1/deliveries/{delivery.id}", headers=auth(role))
    assert shown.status_code == 200
    assert shown.json()["status"] == "sent"
    assert [a.succeeded for a in await attempts(db_session, delivery.id)] == [False, True]


@pytest.mark.parametrize("role", ["unit_officer", "reporter", "council_member", "service"])
async def test_only_admins_and_the_secretariat_may_re_drive(
    client: httpx.AsyncClient,
    auth: AuthHeaders,
    db_session: AsyncSession,
    database: Database,
    senders: MakeSenders,
    smtp_server: StartServer,
    role: str,
) -> None:
    delivery = await dead_email(db_session, database, senders, smtp_server)
    jobs_before = len(await deliver_jobs(db_session, delivery.id))

    answer = await client.post(redrive_url(delivery.id), headers=auth(role, org_unit="HT-THA"))

    assert answer.status_code == 403
    assert (await reread(db_session, delivery.id)).status == "dead"
    assert len(await deliver_jobs(db_session, delivery.id)) == jobs_before


async def test_a_delivery_that_is_not_dead_is_not_re_driven(
    client: httpx.AsyncClient, auth: AuthHeaders, db_session: AsyncSession
) -> None:
    await person(db_session, "officer-tha", roles=["unit_officer"], org_unit="HT-THA")
    returned = await event(db_session, "nomination.returned", nominating_org_unit="HT-THA")
    await service.fan_out(db_session, returned.id, app_url=APP)
    [delivery] = await of_event(db_session, returned.id, "email")
    await db_session.commit()

    answer = await client.post(redrive_url(delivery.id), headers=auth("admin"))
    assert answer.status_code == 409
    assert answer.json()["current_status"] == "queued"
    missing = await client.post(redrive_url(uuid.uuid4()), headers=auth("admin"))
    assert missing.status_code == 404
