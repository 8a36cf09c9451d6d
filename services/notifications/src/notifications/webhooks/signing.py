"""Standard Webhooks signatures (https://www.standardwebhooks.com), made by its reference library.

A message is signed as ``{webhook-id}.{webhook-timestamp}.{body}`` with HMAC-SHA256 under each secret that
is valid at the moment of sending; during a rotation's overlap there are two, and ``webhook-signature``
carries both (``v1,<a> v1,<b>``), so a receiver verifies with whichever secret it holds.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Sequence

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix every secret is written with, not a secret
SECRET_BYTES = 32  # the specification asks for 24 to 64 random bytes


def new_secret() -> str:
    """A fresh signing secret as Standard Webhooks writes it: ``whsec_`` and base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def signed_headers(
    signing_secrets: Sequence[str], message_id: str, at: dt.datetime, body: bytes
) -> dict[str, str]:
    """``webhook-id``, ``webhook-timestamp`` (whole seconds of ``at``) and ``webhook-signature`` of ``body``.

    ``body`` is signed exactly as it is sent; it is JSON, so UTF-8 (anything else raises ``ValueError``).
    """
    if not signing_secrets:
        raise ValueError("a webhook is signed with at least one secret")
    moment = at.astimezone(dt.UTC).replace(microsecond=0)
    text = body.decode("utf-8")
    signatures = [Webhook(secret).sign(message_id, moment, text) for secret in signing_secrets]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
