"""Outgoing HTTP calls to sibling services: timeouts, bounded retries, the request id passed on.

Retries (``httpx-retries``) apply only to idempotent methods and only to connection failures and
429/502/503/504 answers, with exponential backoff and ``Retry-After`` respected; a POST is never repeated
behind the caller's back.
"""

from __future__ import annotations

import httpx
from httpx_retries import Retry, RetryTransport

from shared.request_context import REQUEST_ID_HEADER, current_request_id
from shared.tracing import inject_trace_context

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})


async def _pass_request_id(request: httpx.Request) -> None:
    request_id = current_request_id()
    if request_id and REQUEST_ID_HEADER not in request.headers:
        request.headers[REQUEST_ID_HEADER] = request_id
    # The sibling's spans join this request's trace (shared.tracing); nothing is added when none is recorded.
    inject_trace_context(request.headers)


def create_http_client(
    base_url: str = "",
    *,
    timeout_seconds: float = 5.0,
    retries: int = 2,
    backoff_factor: float = 0.2,
    headers: dict[str, str] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    retry = Retry(
        total=retries,
        allowed_methods=IDEMPOTENT_METHODS,
        status_forcelist=RETRY_STATUSES,
        retry_on_exceptions=(httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError),
        backoff_factor=backoff_factor,
        max_backoff_wait=5.0,
    )
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 3.0)),
        transport=RetryTransport(transport=transport or httpx.AsyncHTTPTransport(), retry=retry),
        headers=headers,
        event_hooks={"request": [_pass_request_id]},
        follow_redirects=False,
    )
