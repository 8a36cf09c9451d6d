"""The siblings the reminders ask, over HTTP as a service (``NOTIFICATIONS_SERVICE_TOKEN`` or client
credentials): targets for who owes a report, nominations for its working calendar and round deadlines."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from notifications.config import Settings
from notifications.reminders.schemas import CalendarDay, Obligation, RoundDeadline, Sibling
from shared.http_client import create_http_client
from shared.pagination import MAX_LIMIT
from shared.relay import TokenSource, TokenUnavailable, token_source

S = TypeVar("S", bound=Sibling)


class SiblingUnavailable(Exception):
    """A sibling did not answer, or not as its contract says: the pass stops, the next one tries again."""


class Siblings:
    def __init__(
        self, *, targets_url: str, nominations_url: str, tokens: TokenSource, client: httpx.AsyncClient
    ) -> None:
        self.targets_url = targets_url.rstrip("/")
        self.nominations_url = nominations_url.rstrip("/")
        self.tokens = tokens
        self.client = client

    async def unreported(self, period: str) -> list[Obligation]:
        """The obligations of a period no result has come for yet."""
        url = f"{self.targets_url}/internal/v1/reporting-obligations"
        return await self._all(url, {"period": period, "reported": "false"}, Obligation)

    async def calendar_days(self, start: dt.date, end: dt.date) -> list[CalendarDay]:
        """Days off and weekend days worked, ``start`` to ``end`` (nominations' public working calendar)."""
        url = f"{self.nominations_url}/v1/working-calendar"
        return await self._all(url, {"from": start.isoformat(), "to": end.isoformat()}, CalendarDay)

    async def round_deadlines(self, start: dt.date, end: dt.date) -> list[RoundDeadline]:
        url = f"{self.nominations_url}/internal/v1/round-deadlines"
        return await self._all(url, {"from": start.isoformat(), "to": end.isoformat()}, RoundDeadline)

    async def _all(self, url: str, params: dict[str, str], item: type[S]) -> list[S]:
        found: list[S] = []
        cursor: str | None = None
        while True:
            page = await self._get(
                url, {**params, "limit": str(MAX_LIMIT), **({"cursor": cursor} if cursor else {})}
            )
            try:
                found += [item.model_validate(entry) for entry in page["items"]]
                cursor = page["next_cursor"]
            except (KeyError, TypeError, ValidationError) as exc:
                raise SiblingUnavailable(f"{url} answered a page that is not its contract: {exc}") from exc
            if cursor is None:
                return found

    async def _get(self, url: str, params: dict[str, str]) -> Any:
        try:
            response = await self._send(url, params)
            if response.status_code == 401:  # an expired or revoked token: once more with a new one
                self.tokens.forget()
                response = await self._send(url, params)
        except TokenUnavailable as exc:
            raise SiblingUnavailable(str(exc)) from exc
        except httpx.HTTPError as exc:
            raise SiblingUnavailable(f"{url} unreachable: {exc!r}") from exc
        if response.status_code != 200:
            raise SiblingUnavailable(f"{url} answered {response.status_code}: {response.text[:300]}")
        try:
            return response.json()
        except ValueError as exc:
            raise SiblingUnavailable(f"{url} answered no JSON") from exc

    async def _send(self, url: str, params: dict[str, str]) -> httpx.Response:
        token = await self.tokens.token()
        return await self.client.get(url, params=params, headers={"Authorization": f"Bearer {token}"})


@asynccontextmanager
async def open_siblings(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[Siblings]:
    """The siblings of these settings (``reminders_not_configured()`` is checked first), with one client."""
    if settings.targets_url is None or settings.nominations_url is None:
        raise RuntimeError("reminders_not_configured() is checked first")
    client = create_http_client(
        timeout_seconds=settings.http_timeout_seconds, retries=settings.http_retries, transport=transport
    )
    try:
        yield Siblings(
            targets_url=settings.targets_url,
            nominations_url=settings.nominations_url,
            tokens=token_source(settings, client),
            client=client,
        )
    finally:
        await client.aclose()
