"""The daily digest: a person who takes an event type's email in the digest gets one email a day with the
day's items, made as this service's own event (one per person and day, however often the job runs), fanned
out, rendered and sent as any other."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.deliveries import digest, sending, service
from notifications.deliveries.models import DigestEntry
from notifications.deliveries.policy import RetryPolicy
from notifications.events.models import Event
from notifications.events.service import own_event_id
from notifications.recipients.models import Preference
from services.notifications.tests.arrange import MOMENT, event, person
from services.notifications.tests.deliveries.conftest import MakeSenders, of_event
from services.notifications.tests.email.conftest import StartServer
from shared import clock
from shared.database import Database

APP = "https://thidua.hatinh.gov.vn"
LEASE = dt.timedelta(seconds=60)
POLICY = RetryPolicy(max_attempts=2)


async def screened(session: AsyncSession, nomination: int) -> Event:
    """A non-critical event of HT-THA (a dossier screened)."""
    found = await event(session, "nomination.screened", status="screening", nominating_org_unit="HT-THA")
    found.subject = f"nomination/{nomination}"
    found.occurred_at = MOMENT + dt.timedelta(minutes=nomination)  # the digest lists them in this order
    await session.flush()
    return found


async def digests(session: AsyncSession) -> list[Event]:
    statement = (
        select(Event)
        .where(Event.type == "digest.daily")
        .order_by(Event.subject)
        .execution_options(populate_existing=True)
    )
    return list((await session.scalars(statement)).all())


def plain(content: bytes) -> tuple[str, str]:
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("plain",))
    assert body is not None
    return str(message["Subject"]), str(body.get_content())


async def test_a_persons_batched_events_arrive_as_one_email_a_day(
    db_session: AsyncSession, database: Database, senders: MakeSenders, smtp_server: StartServer
) -> None:
    for sub in ("officer-1", "officer-2"):
        await person(db_session, sub, roles=["unit_officer"], org_unit="HT-THA")
        db_session.add(Preference(sub=sub, event_type="nomination.screened", channel="email", mode="digest"))
    first, second = await screened(db_session, 41), await screened(db_session, 42)
    for found in (first, second):
        await service.fan_out(db_session, found.id, app_url=APP)
        assert await of_event(db_session, found.id, "email") == []  # batched, not sent on its own
    day = clock.today()

    assert await digest.make_digests(db_session) == 2
    assert await digest.make_digests(db_session) == 0  # run twice (two workers, two ticks): made once

    made = await digests(db_session)
    assert [d.id for d in made] == [
        own_event_id("digest.daily", "officer-1", day.isoformat()),
        own_event_id("digest.daily", "officer-2", day.isoformat()),
    ]
    assert [item["subject"] for item in made[0].data["items"]] == ["nomination/41", "nomination/42"]
    entries = (await db_session.scalars(select(DigestEntry))).all()
    assert {e.digest_id for e in entries} == {d.id for d in made}

    for found in made:
        await service.fan_out(db_session, found.id, app_url=APP)
    mails = [d for found in made for d in await of_event(db_session, found.id, "email")]
    assert [d.recipient for d in mails] == ["officer-1", "officer-2"]
    await db_session.commit()

    server = smtp_server()
    channels = senders(smtp_port=server.port)
    outcome = await sending.deliver(database, channels, [d.id for d in mails], policy=POLICY, lease=LEASE)
    assert outcome == {"sent": 2}
    # A group's emails go out over several connections at once, so they arrive in no set order.
    received = sorted(server.recorder.messages, key=lambda m: m.rcpt_tos)
    assert [m.rcpt_tos for m in received] == [
        ["officer-1@example.hatinh.gov.vn"],
        ["officer-2@example.hatinh.gov.vn"],
    ]
    subject, text = plain(received[0].content)
    assert subject == f"Bản tin thi đua, khen thưởng ngày {day:%d/%m/%Y}: 2 thông báo mới"
    assert "nomination/41" in text
    assert "nomination/42" in text
    assert "Người nhận officer-1" in text


async def test_an_event_after_the_days_digest_waits_for_the_next_one(db_session: AsyncSession) -> None:
    await person(db_session, "officer-1", roles=["unit_officer"], org_unit="HT-THA")
    db_session.add(
        Preference(sub="officer-1", event_type="nomination.screened", channel="email", mode="digest")
    )
    await service.fan_out(db_session, (await screened(db_session, 41)).id, app_url=APP)
    assert await digest.make_digests(db_session) == 1

    late = await screened(db_session, 43)
    await service.fan_out(db_session, late.id, app_url=APP)
    assert await digest.make_digests(db_session) == 0  # today's went already
    today = clock.today()
    with clock.pinned(clock.now() + dt.timedelta(days=1)):
        assert await digest.make_digests(db_session) == 1

    made = await digests(db_session)
    assert [[item["subject"] for item in d.data["items"]] for d in made] == [
        ["nomination/41"],
        ["nomination/43"],
    ]
    assert [d.data["day"] for d in made] == [today.isoformat(), (today + dt.timedelta(days=1)).isoformat()]
