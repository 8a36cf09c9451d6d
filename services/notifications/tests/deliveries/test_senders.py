"""The worker's channel senders: SMTP connections kept from one deliver job to the next."""

from __future__ import annotations

import uuid

import pytest

from notifications.channels import SendFailed
from notifications.deliveries import senders as senders_module
from notifications.deliveries.models import Delivery
from services.notifications.tests.deliveries.conftest import MakeSenders
from services.notifications.tests.email.conftest import StartServer


def email_delivery(number: int) -> Delivery:
    return Delivery(
        id=uuid.uuid4(),
        event_type="nomination.returned",
        recipient=f"officer-{number}",
        channel="email",
        address=f"officer-{number}@thachha.hatinh.gov.vn",
        message={"subject": f"Hồ sơ {number}", "text": "Kính gửi đồng chí,", "html": None, "language": "vi"},
    )


async def test_the_next_job_sends_over_the_connection_the_last_one_gave_back(
    senders: MakeSenders, smtp_server: StartServer
) -> None:
    server = smtp_server()
    channels = senders(smtp_port=server.port)
    for number in (1, 2, 3):  # three jobs, one email each
        async with channels.emails() as send:
            await send(email_delivery(number))

    peers = [received.peer for received in server.recorder.messages]
    assert len(peers) == 3
    assert len(set(peers)) == 1  # one connection, opened once


async def test_a_connection_kept_too_long_is_closed_and_a_new_one_opened(
    senders: MakeSenders, smtp_server: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(senders_module, "IDLE_SECONDS", 0.0)
    server = smtp_server()
    channels = senders(smtp_port=server.port)
    for number in (1, 2):
        async with channels.emails() as send:
            await send(email_delivery(number))

    first, second = (received.peer for received in server.recorder.messages)
    assert first != second


async def test_after_a_job_whose_send_failed_the_next_job_sends(
    senders: MakeSenders, smtp_server: StartServer
) -> None:
    server = smtp_server()
    channels = senders(smtp_port=server.port)
    server.recorder.reply = "451 4.3.0 try again later"
    async with channels.emails() as send:
        with pytest.raises(SendFailed):
            await send(email_delivery(1))
    server.recorder.reply = None
    async with channels.emails() as send:
        await send(email_delivery(2))
    assert [received.rcpt_tos for received in server.recorder.messages] == [
        ["officer-2@thachha.hatinh.gov.vn"]
    ]
