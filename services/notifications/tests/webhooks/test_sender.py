"""The webhook sender against a real HTTP receiver on 127.0.0.1, which verifies each message with the
Standard Webhooks reference library."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from standardwebhooks import Webhook

from devstack.stack import free_port
from notifications.channels import SendFailed
from notifications.config import Settings
from notifications.webhooks.sender import USER_AGENT, WebhookSender
from notifications.webhooks.signing import new_secret
from services.notifications.tests.webhooks.conftest import Receiver

BODY = json.dumps(
    {"id": str(uuid.uuid4()), "type": "report.due", "data": {"indicator_name": "Tỷ lệ hộ nghèo"}},
    ensure_ascii=False,
).encode()
MakeSettings = Callable[..., Settings]


@pytest.fixture
async def sender(make_settings: MakeSettings) -> AsyncIterator[WebhookSender]:
    webhooks = WebhookSender(make_settings(webhook_timeout_seconds=1))
    yield webhooks
    await webhooks.aclose()


async def failure(sender: WebhookSender, url: str, **changes: Any) -> SendFailed:
    arguments: dict[str, Any] = {"secrets": [new_secret()], "delivery_id": uuid.uuid4(), "body": BODY}
    with pytest.raises(SendFailed) as caught:
        await sender.send(url, **(arguments | changes))
    return caught.value


async def test_a_signed_message_arrives_and_verifies(sender: WebhookSender, receiver: Receiver) -> None:
    secret, delivery_id = new_secret(), uuid.uuid4()
    assert await sender.send(receiver.url("/ok"), [secret], delivery_id, BODY) == 204

    [received] = receiver.requests
    assert received.body == BODY
    assert received.headers["webhook-id"] == str(delivery_id)
    assert received.headers["content-type"] == "application/json"
    assert received.headers["user-agent"] == USER_AGENT
    verified = Webhook(secret).verify(received.body, received.headers)
    assert verified["data"]["indicator_name"] == "Tỷ lệ hộ nghèo"


async def test_every_attempt_of_a_delivery_carries_the_same_webhook_id(
    sender: WebhookSender, receiver: Receiver
) -> None:
    secret, delivery_id = new_secret(), uuid.uuid4()
    await sender.send(receiver.url("/ok"), [secret], delivery_id, BODY)
    await sender.send(receiver.url("/ok"), [secret], delivery_id, BODY)
    await sender.send(receiver.url("/ok"), [secret], uuid.uuid4(), BODY)

    ids = [received.headers["webhook-id"] for received in receiver.requests]
    assert ids[0] == ids[1] == str(delivery_id) != ids[2]
    for received in receiver.requests:
        Webhook(secret).verify(received.body, received.headers)


async def test_a_redirect_is_not_followed_and_is_a_failure(sender: WebhookSender, receiver: Receiver) -> None:
    failed = await failure(sender, receiver.url("/redirect"))
    assert (failed.status, failed.retryable) == (302, True)
    assert "redirects are not followed" in failed.reason
    assert receiver.url("/ok") in failed.reason
    assert [received.path for received in receiver.requests] == ["/redirect"]


async def test_a_server_error_is_retried(sender: WebhookSender, receiver: Receiver) -> None:
    failed = await failure(sender, receiver.url("/error"))
    assert (failed.status, failed.retryable) == (500, True)
    assert failed.reason == "The endpoint answered 500 Internal Server Error."


async def test_gone_is_not_retried(sender: WebhookSender, receiver: Receiver) -> None:
    failed = await failure(sender, receiver.url("/gone"))
    assert (failed.status, failed.retryable) == (410, False)
    assert "410 Gone" in failed.reason


async def test_a_hanging_receiver_times_out(sender: WebhookSender, receiver: Receiver) -> None:
    started = asyncio.get_running_loop().time()
    failed = await failure(sender, receiver.url("/hang"))
    assert asyncio.get_running_loop().time() - started < 3
    assert (failed.status, failed.retryable) == (None, True)
    assert failed.reason == "The endpoint did not answer within 1 s."


async def test_a_hanging_receiver_holds_up_no_other_send(sender: WebhookSender, receiver: Receiver) -> None:
    secret = new_secret()
    hanging = asyncio.create_task(sender.send(receiver.url("/hang"), [secret], uuid.uuid4(), BODY))
    await asyncio.sleep(0.1)
    assert await sender.send(receiver.url("/ok"), [secret], uuid.uuid4(), BODY) == 204
    assert not hanging.done()
    with pytest.raises(SendFailed):
        await hanging


async def test_a_refused_connection_is_retried(sender: WebhookSender) -> None:
    failed = await failure(sender, f"http://127.0.0.1:{free_port()}/ok")
    assert (failed.status, failed.retryable) == (None, True)
    assert failed.reason.startswith("The endpoint could not be reached: ClientConnectorError")


async def test_no_secret_no_send(sender: WebhookSender, receiver: Receiver) -> None:
    failed = await failure(sender, receiver.url("/ok"), secrets=[])
    assert not failed.retryable
    assert receiver.requests == []


async def test_a_private_target_is_refused_before_sending_where_not_allowed(
    make_settings: MakeSettings, receiver: Receiver
) -> None:
    strict = WebhookSender(make_settings(webhook_allow_private_targets=False))
    try:
        failed = await failure(strict, receiver.url("/ok"))
    finally:
        await strict.aclose()
    assert not failed.retryable
    assert "127.0.0.1 (loopback)" in failed.reason
    assert receiver.requests == []


async def test_http_is_refused_in_production(make_settings: MakeSettings, receiver: Receiver) -> None:
    production = make_settings(
        environment="production",
        jwks_file=None,
        jwks_url="https://id.hatinh.gov.vn/realms/thidua/protocol/openid-connect/certs",
        jwt_issuer="https://id.hatinh.gov.vn/realms/thidua",
        jwt_audience="emulation-platform",
        webhook_allow_private_targets=True,
    )
    assert production.webhooks_reach_private_targets
    webhooks = WebhookSender(production)
    try:
        failed = await failure(webhooks, receiver.url("/ok"))
    finally:
        await webhooks.aclose()
    assert not failed.retryable
    assert "must be https in production" in failed.reason
    assert receiver.requests == []


def test_private_targets_are_refused_by_default_only_in_production(make_settings: MakeSettings) -> None:
    assert make_settings().webhooks_reach_private_targets
    assert not make_settings(webhook_allow_private_targets=False).webhooks_reach_private_targets
    production = make_settings(
        environment="production",
        jwks_file=None,
        jwks_url="https://id.hatinh.gov.vn/certs",
        jwt_issuer="https://id.hatinh.gov.vn",
        jwt_audience="emulation-platform",
    )
    assert not production.webhooks_reach_private_targets


async def test_a_url_with_vietnamese_in_it_is_sent_percent_encoded(
    sender: WebhookSender, receiver: Receiver
) -> None:
    url = receiver.url("/any/báo-cáo?đơn_vị=Thạch_Hà")
    assert await sender.send(url, [new_secret()], uuid.uuid4(), BODY) == 204
    [received] = receiver.requests
    assert received.target == b"/any/b%C3%A1o-c%C3%A1o?%C4%91%C6%A1n_v%E1%BB%8B=Th%E1%BA%A1ch_H%C3%A0"
    assert received.path == "/any/báo-cáo"


async def test_an_ascii_url_is_sent_exactly_as_registered(sender: WebhookSender, receiver: Receiver) -> None:
    url = receiver.url("/any/a%7Eb%2Fc?x=%41")  # not re-quoted: %7E stays, %2F is not a path separator
    assert await sender.send(url, [new_secret()], uuid.uuid4(), BODY) == 204
    [received] = receiver.requests
    assert received.target == b"/any/a%7Eb%2Fc?x=%41"


async def test_a_cookie_an_endpoint_sets_goes_back_to_no_endpoint(
    sender: WebhookSender, receiver: Receiver
) -> None:
    await sender.send(receiver.url("/cookie"), [new_secret()], uuid.uuid4(), BODY)
    await sender.send(receiver.url("/ok"), [new_secret()], uuid.uuid4(), BODY)
    await sender.send(receiver.url("/cookie"), [new_secret()], uuid.uuid4(), BODY)
    assert [received.headers.get("cookie") for received in receiver.requests] == [None, None, None]
