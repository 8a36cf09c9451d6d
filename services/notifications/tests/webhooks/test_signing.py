"""Signatures that the Standard Webhooks reference verifier accepts, one per valid secret."""

from __future__ import annotations

import base64
import uuid

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from notifications.webhooks.signing import new_secret, signed_headers
from shared import clock

BODY = '{"type":"nomination.returned","data":{"nominee_name":"Nguyễn Thị Hương"}}'.encode()


def test_a_secret_is_whsec_and_base64_of_32_random_bytes() -> None:
    secrets = {new_secret() for _ in range(20)}
    assert len(secrets) == 20
    for secret in secrets:
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32


def test_every_valid_secret_signs_and_each_verifies() -> None:
    old, new, other = new_secret(), new_secret(), new_secret()
    message_id = str(uuid.uuid4())
    at = clock.wall_now()
    headers = signed_headers([new, old], message_id, at, BODY)

    assert headers["webhook-id"] == message_id
    assert headers["webhook-timestamp"] == str(int(at.timestamp()))
    assert [part.split(",")[0] for part in headers["webhook-signature"].split(" ")] == ["v1", "v1"]
    for secret in (old, new):
        assert Webhook(secret).verify(BODY, headers)["data"]["nominee_name"] == "Nguyễn Thị Hương"
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(BODY + b" ", headers)


def test_nothing_is_signed_without_a_secret() -> None:
    with pytest.raises(ValueError, match="at least one secret"):
        signed_headers([], "id", clock.wall_now(), BODY)
