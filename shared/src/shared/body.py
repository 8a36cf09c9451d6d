"""Reading a whole request body within a limit (the endpoints that take a file: a DHIS2 import, an awards
CSV). The body is refused (413) as soon as it passes the limit, without reading the rest; a client that goes
away before the end is a 400, and nothing is stored."""

from __future__ import annotations

from starlette.requests import ClientDisconnect, Request

from shared.problems import BadRequest, ContentTooLarge


class MalformedPayload(BadRequest):
    slug = "malformed-payload"
    title = "Malformed payload"


async def read_body(request: Request, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise ContentTooLarge(
                    f"A payload may be at most {max_bytes // (1024 * 1024)} MiB.", max_bytes=max_bytes
                )
            chunks.append(chunk)
    except ClientDisconnect:
        raise MalformedPayload("The payload was cut off before its end; nothing was stored.") from None
    return b"".join(chunks)
