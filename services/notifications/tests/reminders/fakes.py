"""Fakes of the sibling services the reminders ask (unit tests only: the end-to-end test runs the real)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import httpx

TOKEN = "service-token-of-notifications"
# Tết Đinh Mùi 2027 as the nominations calendar lists it (services/nominations: holidays.VN and its seed).
TET_2027 = [dt.date(2027, 2, 4) + dt.timedelta(days=n) for n in range(7)]  # Thu 4/2 .. Wed 10/2


@dataclass
class FakeSiblings:
    """targets' reporting obligations, nominations' working calendar and round deadlines, from plain data."""

    # period → [(indicator, org unit)] not reported
    unreported: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    holidays: list[dt.date] = field(default_factory=list)
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    fail_with: int | None = None
    refuse_first_token: bool = False

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("Authorization") != f"Bearer {TOKEN}" or self.refuse_first_token:
            self.refuse_first_token = False
            return httpx.Response(401, json={"type": "urn:thidua:problem:unauthenticated"})
        if self.fail_with is not None:
            return httpx.Response(self.fail_with, text="down")
        params = request.url.params
        host, path = request.url.host, request.url.path
        if (host, path) == ("targets.test", "/internal/v1/reporting-obligations"):
            assert params["reported"] == "false"
            items = [
                {
                    "indicator": indicator,
                    "indicator_name": f"Chỉ tiêu {indicator}",
                    "org_unit": unit,
                    "period": params["period"],
                    "period_type": "Monthly",
                    "reported": False,
                }
                for indicator, unit in self.unreported.get(params["period"], [])
            ]
            return httpx.Response(200, json={"items": items, "next_cursor": None})
        start, end = dt.date.fromisoformat(params["from"]), dt.date.fromisoformat(params["to"])
        if (host, path) == ("nominations.test", "/v1/working-calendar"):
            return self._calendar_page(start, end, params.get("cursor"))
        if (host, path) == ("nominations.test", "/internal/v1/round-deadlines"):
            items = [d for d in self.deadlines if start <= dt.date.fromisoformat(d["due_on"]) <= end]
            return httpx.Response(200, json={"items": items, "next_cursor": None})
        return httpx.Response(404)

    def _calendar_page(self, start: dt.date, end: dt.date, cursor: str | None) -> httpx.Response:
        """Weekends and holidays, in pages of 50 (the cursor is the page's last day), as nominations lists."""
        days: list[dict[str, Any]] = []
        day = dt.date.fromisoformat(cursor) + dt.timedelta(days=1) if cursor else start
        while day <= end and len(days) <= 50:
            if day in self.holidays or day.weekday() >= 5:
                days.append({"day": day.isoformat(), "working": False, "reason": "nghỉ", "recorded": False})
            day += dt.timedelta(days=1)
        shown = days[:50]
        return httpx.Response(
            200, json={"items": shown, "next_cursor": shown[-1]["day"] if len(days) > 50 else None}
        )
