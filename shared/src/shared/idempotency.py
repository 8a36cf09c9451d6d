"""``Idempotency-Key`` on POSTs that create: the same key and request give the same answer, once.

The key is claimed inside the request's own transaction, so the stored answer commits (or rolls back)
together with what the request created. A concurrent duplicate waits on the claim's row and then replays
the first answer; a key reused with a different request is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Column, DateTime, Integer, MetaData, PrimaryKeyConstraint, String, Table, func, select
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.database import SessionDep
from shared.problems import UnprocessableContent

REPLAY_HEADER = "Idempotent-Replayed"


class IdempotencyKeyReused(UnprocessableContent):
    slug = "idempotency-key-reused"
    title = "Idempotency key reused"


def idempotency_table(metadata: MetaData) -> Table:
    """The service's table of claimed keys (in each service's metadata, created by its migrations)."""
    return Table(
        "idempotency_keys",
        metadata,
        Column("principal", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("method", String(10), nullable=False),
        Column("path", String(500), nullable=False),
        Column("request_sha256", String(64), nullable=False),
        Column("status_code", Integer),
        Column("response", JSONB),
        Column("headers", JSONB),
        Column("created_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
        PrimaryKeyConstraint("principal", "key"),
    )


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Repeat a create safely: the same key and body give the first answer again.",
    ),
]


async def _fingerprint(request: Request) -> str:
    body = await request.body()
    return hashlib.sha256(
        request.method.encode() + b" " + request.url.path.encode() + b"\n" + body
    ).hexdigest()


async def run_idempotent(
    session: AsyncSession,
    table: Table,
    *,
    request: Request,
    principal: str,
    key: str | None,
    create: Callable[[], Awaitable[tuple[int, Any, dict[str, str]]]],
) -> JSONResponse:
    """Run ``create`` (status, JSON body, headers) at most once per (principal, key)."""
    if key is None:
        status, body, headers = await create()
        return JSONResponse(body, status_code=status, headers=headers)

    fingerprint = await _fingerprint(request)
    claimed = await session.execute(
        insert(table)
        .values(
            principal=principal,
            key=key,
            method=request.method,
            path=request.url.path,
            request_sha256=fingerprint,
        )
        .on_conflict_do_nothing()
        .returning(table.c.key)
    )
    if claimed.first() is None:
        stored = (
            await session.execute(select(table).where(table.c.principal == principal, table.c.key == key))
        ).one()
        if stored.request_sha256 != fingerprint:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was used for a different request; use a new key for a new request."
            )
        headers = {**(stored.headers or {}), REPLAY_HEADER: "true"}
        return JSONResponse(stored.response, status_code=stored.status_code, headers=headers)

    status, body, headers = await create()
    await session.execute(
        table.update()
        .where(table.c.principal == principal, table.c.key == key)
        .values(status_code=status, response=json.loads(json.dumps(body, default=str)), headers=headers)
    )
    return JSONResponse(body, status_code=status, headers=headers)


LOCATION_SAFE = "/!$&'()*+,;=:@-._~"


@dataclass(frozen=True, slots=True)
class Created:
    """What a create answers: the new resource, where it lives, its version."""

    body: BaseModel
    location: str | None = None
    etag: str | None = None
    status: int = 201


class Idempotency:
    """For one request: run its create at most once per (caller, ``Idempotency-Key``)."""

    def __init__(self, request: Request, session: AsyncSession, table: Table, key: str | None) -> None:
        self.request = request
        self.session = session
        self.table = table
        self.key = key

    async def __call__(self, create: Callable[[], Awaitable[Created]]) -> JSONResponse:
        # Set by the endpoint's own role guard: keys are the caller's, never shared between callers.
        principal = getattr(self.request.state, "principal", None)
        if principal is None:
            raise RuntimeError("an idempotent create needs an authenticated caller (a role guard)")

        async def answer() -> tuple[int, Any, dict[str, str]]:
            created = await create()
            # A path built from what a client chose (a recipient's subject) may hold characters a header
            # cannot (HTTP headers are Latin-1): percent-encoded as in any URL, "/" and RFC 3986's
            # sub-delims kept.
            location = created.location
            headers = {"Location": quote(location, safe=LOCATION_SAFE)} if location else {}
            if created.etag is not None:
                headers["ETag"] = created.etag
            return created.status, created.body.model_dump(mode="json"), headers

        return await run_idempotent(
            self.session,
            self.table,
            request=self.request,
            principal=principal.subject,
            key=self.key,
            create=answer,
        )


def idempotency(table: Table) -> Callable[..., Awaitable[Idempotency]]:
    """The dependency giving an endpoint its :class:`Idempotency` over the service's table of keys."""

    async def dependency(request: Request, session: SessionDep, key: IdempotencyKey = None) -> Idempotency:
        return Idempotency(request, session, table, key)

    return dependency
