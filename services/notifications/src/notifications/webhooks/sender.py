"""Sends one signed webhook: a POST of the exact bytes signed, never following a redirect.

What counts (Standard Webhooks' guidance): a 2xx answer is delivered; every other answer is a failure worth
retrying, a redirect included (it is not followed: the endpoint's registered URL must be the final one),
except 410 Gone, by which the receiver says the endpoint is no more. A timeout or a connection that fails
is retried. The ``webhook-id`` is the delivery's id on every attempt, so a receiver can drop a resend; the
``webhook-timestamp`` is the attempt's own.

The client is aiohttp's: a webhook cost the worker 1.8 ms of CPU through httpx (its connection pool polls
every kept connection's socket on every request) and 0.2 ms through aiohttp, measured posting to the same
local receiver (docs/benchmarks.md); the worker's webhook throughput is that cost.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from http import HTTPStatus

import aiohttp
import yarl

from notifications import __version__
from notifications.channels import SendFailed
from notifications.config import Settings
from notifications.webhooks.signing import signed_headers
from notifications.webhooks.targets import TargetPolicy, TargetRefused, check_target
from shared import clock

USER_AGENT = f"thidua-notifications/{__version__} (Standard Webhooks)"
# A short answer is read so that its connection can be used again; a longer one is not read at all.
MAX_READ_BYTES = 64 * 1024
# A kept connection is closed after this long unused: below the receivers' own idle limits (Node.js closes
# after 5 s), so a webhook is not written into a connection the receiver has just closed.
KEEPALIVE_SECONDS = 4.0
MAX_QUOTED = 200


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _quoted(text: str) -> str:
    return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 1] + "…"


def _url(endpoint_url: str) -> yarl.URL:
    """An ASCII URL exactly as registered (not re-quoted); another one encoded as a browser would (IDNA
    for the host, percent-encoding for the path and query)."""
    return yarl.URL(endpoint_url, encoded=endpoint_url.isascii())


class WebhookSender:
    """One HTTP client for every webhook the process sends (connections are kept and reused)."""

    def __init__(self, settings: Settings) -> None:
        self.timeout = settings.webhook_timeout_seconds
        self.policy = TargetPolicy.from_settings(settings)
        self._client: aiohttp.ClientSession | None = None

    def _session(self) -> aiohttp.ClientSession:
        # Made on the first send, inside the worker's event loop (aiohttp binds a session to its loop).
        if self._client is None or self._client.closed:
            self._client = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                # No cookies: one endpoint's Set-Cookie must never go to another endpoint on its host.
                cookie_jar=aiohttp.DummyCookieJar(),
                headers={"user-agent": USER_AGENT},
                # No proxy or .netrc from the environment: where a webhook goes is the endpoint's URL and
                # this module's rule, nothing else.
                trust_env=False,
                auto_decompress=False,
            )
        return self._client

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    async def send(
        self, endpoint_url: str, secrets: Sequence[str], delivery_id: uuid.UUID, body: bytes
    ) -> int:
        """POST ``body``, signed with ``secrets``, to ``endpoint_url``: its 2xx status, or SendFailed."""
        if not secrets:
            raise SendFailed(
                "The endpoint has no valid signing secret (deleted, or every secret expired).", False
            )
        try:
            await check_target(endpoint_url, self.policy)
        except TargetRefused as exc:
            raise SendFailed(f"The endpoint's URL is refused: {exc.reason}", exc.transient) from None
        try:
            # The receiver compares the timestamp with its own clock (replay protection): the wall clock's.
            headers = signed_headers(secrets, str(delivery_id), clock.wall_now(), body)
        except ValueError as exc:
            raise SendFailed(f"The message cannot be signed: {exc}", False) from None
        headers["content-type"] = "application/json"
        try:
            async with (
                asyncio.timeout(self.timeout),
                self._session().post(
                    _url(endpoint_url), data=body, headers=headers, allow_redirects=False
                ) as response,
            ):
                status = response.status
                location = response.headers.get("location")
                length = response.content_length
                # A short answer is read so that its connection can be kept; a longer one is left unread
                # and its connection closed when the response is released.
                if length is not None and length <= MAX_READ_BYTES:
                    await response.read()
        except TimeoutError:  # aiohttp's own timeouts are TimeoutErrors too
            raise SendFailed(f"The endpoint did not answer within {self.timeout:g} s.", True) from None
        except ValueError as exc:  # aiohttp.InvalidURL among them: a URL no retry will mend
            raise SendFailed(_quoted(f"The endpoint's URL cannot be used: {exc}"), False) from None
        except aiohttp.ClientError as exc:
            raise SendFailed(
                _quoted(f"The endpoint could not be reached: {type(exc).__name__}: {exc}"), True
            ) from None
        if 200 <= status < 300:
            return status
        answer = f"The endpoint answered {status} {_phrase(status)}".rstrip()
        if status == HTTPStatus.GONE:
            raise SendFailed(
                f"{answer}: the receiver says it is no more; delete or change the endpoint.", False, status
            )
        if 300 <= status < 400:
            where = f" to {_quoted(location)}" if location else ""
            raise SendFailed(
                f"{answer}, a redirect{where}: redirects are not followed, register the final URL.",
                True,
                status,
            )
        raise SendFailed(f"{answer}.", True, status)
