"""Request ids and the access log.

The gateway creates an ``X-Request-ID`` when a client sends none; a service accepts it (or makes one when
called directly), keeps it in a context variable so that every log line and every outgoing HTTP call of the
request carries it, and returns it in the response.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from http import HTTPStatus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import PROBLEM_CONTENT_TYPE

REQUEST_ID_HEADER = "X-Request-ID"
# Anything else (too long, spaces, control characters) would let a caller forge or break log lines.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

access_logger = logging.getLogger("shared.access")
error_logger = logging.getLogger("shared.errors")


def current_request_id() -> str | None:
    return _request_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def bound_request_id(request_id: str) -> Iterator[str]:
    """``request_id`` as the id of the moment for work that is not a request (a relay's batch): its log lines,
    its calls to other services and its spans carry it."""
    token = _request_id.set(request_id)
    try:
        yield request_id
    finally:
        _request_id.reset(token)


def accept_request_id(value: str | None) -> str:
    """The caller's id when it is safe to log, else a new one."""
    if value and _VALID_REQUEST_ID.fullmatch(value):
        return value
    return new_request_id()


class RequestIdLogFilter(logging.Filter):
    """Puts the current request id on every log record (``None`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        # uvicorn attaches an ANSI-coloured copy of its message; it only clutters JSON logs.
        record.__dict__.pop("color_message", None)
        return True


class RequestContextMiddleware:
    """Pure ASGI middleware: request id in, request id out, one access-log line, no raw 500s.

    It is the outermost middleware, so an exception that escapes every handler still becomes a
    problem+json 500 carrying the request id instead of Starlette's plain-text error page.
    """

    def __init__(self, app: ASGIApp, *, quiet_paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.quiet_paths = quiet_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        incoming = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        request_id = accept_request_id(incoming)
        token = _request_id.set(request_id)
        started = time.perf_counter()
        status_code = HTTPStatus.INTERNAL_SERVER_ERROR.value
        response_started = False

        async def send_with_request_id(message: Message) -> None:
            nonlocal status_code, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status_code = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        except Exception:
            error_logger.exception("unhandled error")
            if response_started:
                raise
            await _send_internal_error(send_with_request_id, scope.get("path", ""))
        finally:
            path = scope.get("path", "")
            if path not in self.quiet_paths or status_code >= HTTPStatus.BAD_REQUEST:
                access_logger.info(
                    "%s %s %s",
                    scope.get("method"),
                    path,
                    status_code,
                    extra={
                        "http_method": scope.get("method"),
                        "http_path": path,
                        "http_status": status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                        "client": (scope.get("client") or (None,))[0],
                    },
                )
            _request_id.reset(token)


async def _send_internal_error(send: Send, path: str) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Internal Server Error",
            "status": 500,
            "detail": "An unexpected error occurred; quote the X-Request-ID header when reporting it.",
            "instance": path,
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
