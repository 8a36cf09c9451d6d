"""The fan-out: each event once to each person it concerns, per channel, as the routing rule and the person's
preferences say; critical events whatever they prefer; rendered messages kept with their deliveries."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.deliveries import service
from notifications.deliveries.models import Delivery, DigestEntry
from notifications.inbox.models import InboxItem
from notifications.recipients.models import Preference
from notifications.webhooks.models import WebhookEndpoint
from services.notifications.tests.arrange import event, person
from shared import clock

APP = "https://thidua.hatinh.gov.vn"


async def deliveries(session: AsyncSession) -> set[tuple[str, str, str]]:
    rows = await session.execute(select(Delivery.recipient, Delivery.channel, Delivery.status))
    return {(r.recipient, r.channel, r.status) for r in rows.all()}


async def test_a_returned_dossier_reaches_its_units_officers_and_nobody_else(
    db_session: AsyncSession,
) -> None:
    await person(db_session, "officer-tha", roles=["unit_officer"], org_unit="HT-THA")
    await person(db_session, "officer-tha-2", roles=["unit_officer"], org_unit="HT-THA", language="en")
    await person(db_session, "officer-clo", roles=["unit_officer"], org_unit="HT-CLO")
    await person(db_session, "secretary", roles=["secretariat"], org_unit="HT")
    await person(db_session, "former", roles=["unit_officer"], org_unit="HT-THA", active=False)
    returned = await event(db_session, "nomination.returned", nominating_org_unit="HT-THA")

    made = await service.fan_out(db_session, returned.id, app_url=APP)

    assert made is not None
    assert await deliveries(db_session) == {
        ("officer-tha", "email", "queued"),
        ("officer-tha", "inbox", "sent"),
        ("officer-tha-2", "email", "queued"),
        ("officer-tha-2", "inbox", "sent"),
    }
    english = (
        await db_session.scalars(
            select(Delivery).where(Delivery.recipient == "officer-tha-2", Delivery.channel == "email")
        )
    ).one()
    assert english.address == "officer-tha-2@example.hatinh.gov.vn"
    assert english.template_version_id is not None
    assert "Trần Thị Hương Giang" in english.message["text"]
    vietnamese = (
        await db_session.scalars(select(InboxItem).where(InboxItem.recipient == "officer-tha"))
    ).one()
    assert vietnamese.subject == "nomination/42"
    assert "Thiếu báo cáo thành tích" in vietnamese.body or "Thiếu báo cáo thành tích" in vietnamese.title
    jobs = await db_session.scalar(
        text("SELECT count(*) FROM notifications.procrastinate_jobs WHERE task_name = 'deliver'")
    )
    assert jobs == 1  # both emails in one job


async def test_a_second_fan_out_does_nothing(db_session: AsyncSession) -> None:
    await person(db_session, "officer-tha", roles=["unit_officer"], org_unit="HT-THA")
    returned = await event(db_session, "nomination.returned")
    assert await service.fan_out(db_session, returned.id, app_url=APP) is not None
    assert await service.fan_out(db_session, returned.id, app_url=APP) is None
    assert await db_session.scalar(select(func.count()).select_from(Delivery)) == 2
    assert await db_session.scalar(select(func.count()).select_from(InboxItem)) == 1


async def test_preferences_turn_off_and_batch_what_is_not_critical(db_session: AsyncSession) -> None:
    await person(db_session, "officer-tha", roles=["unit_officer"], org_unit="HT-THA")
    db_session.add_all(
        [
            Preference(sub="officer-tha", event_type="nomination.screened", channel="email", mode="digest"),
            Preference(sub="officer-tha", event_type="nomination.screened", channel="inbox", mode="off"),
            Preference(sub="officer-tha", event_type="nomination.returned", channel="email", mode="off"),
        ]
    )
    screened = await event(db_session, "nomination.screened", status="screening")
    returned = await event(db_session, "nomination.returned")

    await service.fan_out(db_session, screened.id, app_url=APP)
    await service.fan_out(db_session, returned.id, app_url=APP)

    rows = await db_session.execute(select(Delivery.event_id, Delivery.channel))
    made = {(r.event_id, r.channel) for r in rows.all()}
    assert (screened.id, "email") not in made
    assert (screened.id, "inbox") not in made
    # A returned dossier is critical: the officer's "off" does not stop it.
    assert {(returned.id, "email"), (returned.id, "inbox")} <= made
    digest = (await db_session.scalars(select(DigestEntry))).all()
    assert [(d.sub, d.event_id, d.day) for d in digest] == [("officer-tha", screened.id, clock.today())]


async def test_council_members_are_reached_by_their_subject_even_before_the_directory_knows_them(
    db_session: AsyncSession,
) -> None:
    await person(db_session, "council-1", roles=["council_member"])
    opened = await event(db_session, "council_session.opened")
    await service.fan_out(db_session, opened.id, app_url=APP)
    assert await deliveries(db_session) == {
        ("council-1", "email", "queued"),
        ("council-1", "inbox", "sent"),
        ("council-2", "inbox", "sent"),  # listed, unknown to the directory: the inbox only
    }


async def test_an_award_reaches_the_units_webhooks_with_the_event_as_its_body(
    db_session: AsyncSession,
) -> None:
    endpoint = WebhookEndpoint(org_unit="HT-THA", url="https://qlvb.thachha.vn/hook", created_by="admin")
    other = WebhookEndpoint(
        org_unit="HT-THA", url="https://x.thachha.vn/hook", created_by="admin", event_types=["report.due"]
    )
    db_session.add_all([endpoint, other])
    await db_session.flush()
    granted = await event(db_session, "award.granted")
    await service.fan_out(db_session, granted.id, app_url=APP)
    hooks = (await db_session.scalars(select(Delivery).where(Delivery.channel == "webhook"))).all()
    assert [d.recipient for d in hooks] == [f"webhook:{endpoint.id}"]
    assert '"award_id":901' in hooks[0].message["body"]
    assert hooks[0].message["body"] == service.envelope(granted)


async def test_an_event_for_people_and_webhooks_makes_both_in_one_insert(db_session: AsyncSession) -> None:
    """The rows of both kinds name the same columns (a multi-row INSERT refused the mix before)."""
    await person(db_session, "officer-tha", roles=["unit_officer"], org_unit="HT-THA")
    endpoint = WebhookEndpoint(org_unit="HT-THA", url="https://qlvb.thachha.vn/hook", created_by="admin")
    db_session.add(endpoint)
    await db_session.flush()
    granted = await event(db_session, "award.granted")
    made = await service.fan_out(db_session, granted.id, app_url=APP)
    assert made is not None
    channels = {channel for _, channel, _ in await deliveries(db_session)}
    assert {"webhook", "email"} <= channels
