"""The development stack's mail catcher: a real SMTP server that keeps every message, and a page to read them.

``python -m devstack.mailcatcher --smtp-port 1025 --http-port 8025 --dir .dev/mail``: mail the notifications
worker sends lands in ``--dir`` (one ``.eml`` file per message, written and synced before the server answers
250, so a message the worker saw accepted survives a crash of this process) and is listed at
``http://127.0.0.1:8025/`` (newest first) and as JSON at ``/messages``. The end-to-end tests read that JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import html
import itertools
import json
import os
import signal
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from shared import clock

_counter = itertools.count()


class Keeper:
    """aiosmtpd handler: each message to its own file, synced before the 250."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        content = envelope.original_content or b""
        name = f"{int(clock.wall_seconds() * 1e6):017d}-{os.getpid()}-{next(_counter):06d}.eml"
        partial = self.directory / f".{name}.part"
        with partial.open("wb") as out:
            header = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos)}
            out.write(f"X-Catcher-Envelope: {json.dumps(header)}\r\n".encode())
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        partial.rename(self.directory / name)
        return "250 OK: kept"


def _parse(path: Path) -> dict[str, Any]:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)  # noqa: S101 - policy.default makes EmailMessage
    text = message.get_body(preferencelist=("plain",))
    rich = message.get_body(preferencelist=("html",))
    envelope = json.loads(str(message.get("X-Catcher-Envelope", "{}")))
    return {
        "id": path.stem,
        "message_id": str(message.get("Message-ID", "")),
        "from": str(message.get("From", "")),
        "to": str(message.get("To", "")),
        "rcpt_tos": envelope.get("rcpt_tos", []),
        "subject": str(message.get("Subject", "")),
        "date": str(message.get("Date", "")),
        "headers": {key: str(value) for key, value in message.items() if key != "X-Catcher-Envelope"},
        "text": text.get_content() if text is not None else "",
        "html": rich.get_content() if rich is not None else None,
    }


# A kept file never changes (written aside, then renamed): each is parsed once, however often it is listed.
_parsed: dict[Path, dict[str, Any]] = {}


def messages(directory: Path) -> list[dict[str, Any]]:
    paths = sorted(directory.glob("*.eml"), reverse=True)
    for gone in _parsed.keys() - set(paths):
        del _parsed[gone]
    return [_parsed.get(path) or _parsed.setdefault(path, _parse(path)) for path in paths]


def web_app(directory: Path) -> Starlette:
    def index(request: Request) -> HTMLResponse:
        rows = "".join(
            f"<tr><td>{html.escape(m['date'])}</td><td>{html.escape(m['to'])}</td>"
            f"<td><a href='/messages/{m['id']}/html'>{html.escape(m['subject'])}</a></td></tr>"
            for m in messages(directory)
        )
        page = (
            "<!doctype html><meta charset='utf-8'><title>Mail catcher</title>"
            f"<h1>Thư đã gửi ({len(list(directory.glob('*.eml')))})</h1>"
            f"<p>{html.escape(str(directory))}</p><table border='1' cellpadding='4'>"
            f"<tr><th>Ngày</th><th>Người nhận</th><th>Tiêu đề</th></tr>{rows}</table>"
        )
        return HTMLResponse(page)

    def listing(request: Request) -> JSONResponse:
        return JSONResponse(messages(directory))

    def one(request: Request) -> Response:
        path = directory / f"{request.path_params['id']}.eml"
        if not path.is_file() or path.parent != directory:
            return JSONResponse({"detail": "no such message"}, status_code=404)
        found = _parse(path)
        if request.url.path.endswith("/html"):
            body = found["html"] or f"<pre>{html.escape(found['text'])}</pre>"
            return HTMLResponse(
                body, headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}
            )
        return JSONResponse(found)

    def clear(request: Request) -> Response:
        for path in directory.glob("*.eml"):
            path.unlink(missing_ok=True)
        return Response(status_code=204)

    return Starlette(
        routes=[
            Route("/", index),
            Route("/messages", listing, methods=["GET"]),
            Route("/messages", clear, methods=["DELETE"]),
            Route("/messages/{id:str}", one),
            Route("/messages/{id:str}/html", one),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.mailcatcher", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args(argv)
    directory = args.dir.resolve()
    controller = Controller(Keeper(directory), hostname=args.host, port=args.smtp_port)
    controller.start()
    print(
        f"mail catcher: SMTP {args.host}:{args.smtp_port}, read it at http://{args.host}:{args.http_port}/"
        f" (files in {directory})",
        flush=True,
    )
    server = uvicorn.Server(
        uvicorn.Config(web_app(directory), host=args.host, port=args.http_port, log_level="warning")
    )
    try:
        asyncio.run(server.serve())
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    raise SystemExit(main())
