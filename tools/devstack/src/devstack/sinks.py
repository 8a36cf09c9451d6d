"""The notifications benchmark's receivers: an SMTP server and a webhook receiver that only count.

``python -m devstack.sinks --smtp-port N --http-port M``, one process of its own (so its CPU and memory are
its own, not the benchmark's). The SMTP side answers 250 to every message without writing it anywhere (the
stack's mail catcher writes and syncs one file per message: that is measured separately); it is a small
asyncio protocol rather than aiosmtpd, which cost about 1 ms of CPU a message, as much as the worker's own
send, on the two cores the benchmark shares with what it measures. The HTTP side:

* ``POST /hooks/<n>``: a webhook delivery to endpoint ``n``, counted by its ``webhook-id``; every
  ``--verify-every``-th one is verified with ``standardwebhooks`` against the secret given for ``n``;
* ``PUT /secrets``: ``{"<n>": "whsec_…"}``, the endpoints' secrets (the benchmark registers the endpoints);
* ``GET /count``: what arrived so far, as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn
from standardwebhooks import Webhook

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class Counts:
    def __init__(self, verify_every: int) -> None:
        self.verify_every = verify_every
        self.smtp_messages = 0
        self.smtp_recipients = 0
        self.webhooks = 0
        self.webhook_ids: set[str] = set()
        self.verified = 0
        self.verify_failed = 0
        self.secrets: dict[str, Webhook] = {}

    def as_json(self) -> dict[str, int]:
        return {
            "smtp_messages": self.smtp_messages,
            "smtp_recipients": self.smtp_recipients,
            "webhooks": self.webhooks,
            "webhook_unique_ids": len(self.webhook_ids),
            "webhooks_verified": self.verified,
            "webhooks_verify_failed": self.verify_failed,
        }


class CountingSMTP(asyncio.Protocol):
    """SMTP (RFC 5321) as far as a client sending mail needs it: greeting, EHLO/HELO, MAIL, RCPT, DATA (the
    message read to its end-of-data line and counted), RSET, NOOP, QUIT; commands may come pipelined."""

    def __init__(self, counts: Counts) -> None:
        self.counts = counts
        self.buffer = bytearray()
        self.in_data = False
        self.recipients = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)  # noqa: S101 - a TCP server's
        self.transport = transport
        transport.write(b"220 sinks ESMTP counting\r\n")

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None  # noqa: S101
        self.buffer += data
        replies: list[bytes] = []
        while self.buffer:
            if self.in_data:
                if self.buffer.startswith(b".\r\n"):
                    end, skip = 0, 3
                else:
                    end, skip = self.buffer.find(b"\r\n.\r\n"), 5
                if end < 0:
                    break
                del self.buffer[: end + skip]
                self.in_data = False
                self.counts.smtp_messages += 1
                self.counts.smtp_recipients += self.recipients
                replies.append(b"250 OK: counted\r\n")
                continue
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0:
                break
            verb = bytes(self.buffer[:4]).upper()
            del self.buffer[: line_end + 2]
            if verb == b"EHLO":
                replies.append(b"250-sinks\r\n250 8BITMIME\r\n")
            elif verb in (b"HELO", b"RSET", b"NOOP"):
                replies.append(b"250 OK\r\n")
            elif verb == b"MAIL":
                self.recipients = 0
                replies.append(b"250 OK\r\n")
            elif verb == b"RCPT":
                self.recipients += 1
                replies.append(b"250 OK\r\n")
            elif verb == b"DATA":
                self.in_data = True
                replies.append(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            elif verb == b"QUIT":
                self.transport.write(b"".join([*replies, b"221 Bye\r\n"]))
                self.transport.close()
                return
            else:
                replies.append(b"502 Command not implemented\r\n")
        if replies:
            self.transport.write(b"".join(replies))


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def web_app(counts: Counts) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    async def respond(send: Send, status: int, body: bytes = b"") -> None:
        headers = [(b"content-length", str(len(body)).encode())]
        if body:
            headers.append((b"content-type", b"application/json"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path, method = scope["path"], scope["method"]
        body = await _body(receive)
        if method == "POST" and path.startswith("/hooks/"):
            headers = {key.decode(): value.decode() for key, value in scope["headers"]}
            counts.webhooks += 1
            counts.webhook_ids.add(headers.get("webhook-id", ""))
            if counts.webhooks % counts.verify_every == 0:
                hook = counts.secrets.get(path.removeprefix("/hooks/"))
                try:
                    if hook is None:
                        raise ValueError("no secret for this endpoint")
                    hook.verify(body, headers)
                    counts.verified += 1
                except Exception:
                    counts.verify_failed += 1
            await respond(send, 204)
        elif method == "PUT" and path == "/secrets":
            counts.secrets.update({key: Webhook(value) for key, value in json.loads(body).items()})
            await respond(send, 204)
        elif method == "GET" and path == "/count":
            await respond(send, 200, json.dumps(counts.as_json()).encode())
        else:
            await respond(send, 404)

    return app


async def serve(host: str, smtp_port: int, http_port: int, verify_every: int) -> None:
    counts = Counts(verify_every)
    loop = asyncio.get_running_loop()
    smtp = await loop.create_server(lambda: CountingSMTP(counts), host, smtp_port)
    server = uvicorn.Server(
        uvicorn.Config(
            web_app(counts),
            host=host,
            port=http_port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            http="httptools",
        )
    )
    print(f"sinks: SMTP {host}:{smtp_port}, HTTP {host}:{http_port}", flush=True)
    try:
        await server.serve()
    finally:
        smtp.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.sinks", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--verify-every", type=int, default=10)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.host, args.smtp_port, args.http_port, args.verify_every))
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    raise SystemExit(main())
