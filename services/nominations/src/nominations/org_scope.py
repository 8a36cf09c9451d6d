"""Org-unit scope, in one place: which units a caller acts for, on the hierarchy of a given date.

The hierarchy belongs to the targets service; this module reads it over HTTP (``GET /v1/org-units?at=``,
with the caller's own token relayed, so the targets service applies its own permissions), keeps it per date
for ``org_units_cache_seconds``, and answers the one question every permission check asks: is this unit the
caller's own unit or below it on that date? Province-wide roles (admin, secretariat) act
everywhere; unit officers and authorities act for their unit and below; council members act on nothing by
scope (they read every dossier before the council).

The targets service being down is a 503 problem naming it, never a 500 and never a guess.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

import httpx
from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from shared.auth import Principal, Role, RoleGuard
from shared.http_client import create_http_client
from shared.problems import Forbidden, ServiceUnavailable

PAGE_SIZE = 500
MAX_PAGES = 200
PROVINCE_WIDE = frozenset({Role.ADMIN, Role.SECRETARIAT})
# Roles that act for their token's org unit and the units below it: a unit's officers, and the office of the
# leader who decides for that unit (a commune chair decides for the commune, the provincial chair for all).
UNIT_BOUND = frozenset({Role.UNIT_OFFICER, Role.AUTHORITY})


# Which deciding authorities the office of a unit of each type speaks for, besides its head's own awards
# (unit_head: every office's head decides the grassroots titles of its staff). The province's office also
# records the decisions of the Prime Minister and the President on the nominations it forwarded.
AUTHORITIES_OF_UNIT_TYPE: dict[str, frozenset[str]] = {
    "province": frozenset({"provincial_chair", "prime_minister", "president"}),
    "city": frozenset({"district_chair"}),
    "town": frozenset({"district_chair"}),
    "district": frozenset({"district_chair"}),
    "commune": frozenset({"commune_chair"}),
    "ward": frozenset({"commune_chair"}),
    "township": frozenset({"commune_chair"}),
}
UNIT_HEAD = "unit_head"
EVERY_AUTHORITY = frozenset({UNIT_HEAD}).union(*AUTHORITIES_OF_UNIT_TYPE.values())


class TargetsUnavailable(ServiceUnavailable):
    slug = "targets-unavailable"
    title = "The targets service is unavailable"


class OutOfScope(Forbidden):
    slug = "out-of-scope"
    title = "Outside your org unit"


@dataclass(frozen=True, slots=True)
class OrgUnit:
    code: str
    name: str
    parent: str | None
    level: int | None
    type: str


@dataclass(frozen=True)
class Hierarchy:
    """The org units as they stood on ``day``."""

    day: dt.date
    units: dict[str, OrgUnit]

    def get(self, code: str) -> OrgUnit | None:
        return self.units.get(code)

    def path(self, code: str) -> list[str]:
        """The unit and its ancestors, nearest first (empty if the unit did not exist that day)."""
        path: list[str] = []
        current = self.units.get(code)
        while current is not None and current.code not in path:
            path.append(current.code)
            current = self.units.get(current.parent) if current.parent else None
        return path

    def within(self, code: str, ancestor: str) -> bool:
        return ancestor in self.path(code)

    def below(self, code: str) -> set[str]:
        """The unit and every unit under it."""
        return {unit for unit in self.units if code in self.path(unit)}


def acts_province_wide(principal: Principal) -> bool:
    return principal.has_any(PROVINCE_WIDE)


class PlanDates(BaseModel):
    """What a block needs of a targets service's plan."""

    start_date: dt.date
    end_date: dt.date


class TargetsClient:
    """The nominations service's client of the targets service."""

    def __init__(
        self,
        base_url: str,
        *,
        cache_seconds: float = 300.0,
        timeout_seconds: float = 5.0,
        retries: int = 2,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = create_http_client(
            self.base_url, timeout_seconds=timeout_seconds, retries=retries, transport=transport
        )
        self._cache_seconds = cache_seconds
        self._hierarchies: dict[dt.date, tuple[float, Hierarchy]] = {}
        self._plan_targets: dict[str, tuple[float, dict[tuple[str, str], int]]] = {}
        self._lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _get(self, path: str, token: str | None, params: dict[str, Any]) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = await self._client.get(path, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise TargetsUnavailable(
                f"The targets service at {self.base_url} did not answer ({type(exc).__name__}); try later."
            ) from exc
        if response.status_code >= 500:
            raise TargetsUnavailable(
                f"The targets service answered {response.status_code} to {path}; try again later."
            )
        return response

    async def _all(
        self, path: str, token: str | None, params: dict[str, Any], what: str
    ) -> list[dict[str, Any]]:
        """Every item of a cursor-paged list of the targets service (at most MAX_PAGES pages)."""
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            query = params | {"limit": PAGE_SIZE} | ({"cursor": cursor} if cursor else {})
            response = await self._get(path, token, query)
            if response.status_code != 200:
                raise TargetsUnavailable(f"The targets service refused the {what} ({response.status_code}).")
            page = response.json()
            items.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                break
        return items

    async def hierarchy(self, day: dt.date, token: str | None) -> Hierarchy:
        cached = self._hierarchies.get(day)
        if cached is not None and time.monotonic() - cached[0] < self._cache_seconds:
            return cached[1]
        async with self._lock:
            cached = self._hierarchies.get(day)
            if cached is not None and time.monotonic() - cached[0] < self._cache_seconds:
                return cached[1]
            units = {
                item["code"]: OrgUnit(
                    item["code"], item["name"], item.get("parent"), item.get("level"), item["type"]
                )
                for item in await self._all(
                    "/v1/org-units", token, {"at": day.isoformat()}, f"org units of {day}"
                )
            }
            hierarchy = Hierarchy(day, units)
            self._hierarchies[day] = (time.monotonic(), hierarchy)
            return hierarchy

    async def target(self, target_id: int, token: str | None) -> dict[str, Any] | None:
        """One target as the targets service serves it, or None if it has no such target."""
        response = await self._get(f"/v1/targets/{target_id}", token, {})
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise TargetsUnavailable(
                f"The targets service refused target {target_id} ({response.status_code})."
            )
        found: dict[str, Any] = response.json()
        return found

    async def plan(self, code: str, token: str | None) -> PlanDates | None:
        """One plan's dates as the targets service serves them, or None if it has no such plan."""
        response = await self._get(f"/v1/plans/{quote(code, safe='')}", token, {})
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise TargetsUnavailable(f"The targets service refused the plan {code} ({response.status_code}).")
        try:
            return PlanDates.model_validate_json(response.content)
        except ValidationError as exc:
            raise TargetsUnavailable(
                f"The targets service answered the plan {code} in a form not known."
            ) from exc

    async def plan_targets(self, plan: str, token: str | None) -> dict[tuple[str, str], int]:
        """Every target of a plan: (indicator, org unit) → its id, kept like the hierarchy."""
        cached = self._plan_targets.get(plan)
        if cached is not None and time.monotonic() - cached[0] < self._cache_seconds:
            return cached[1]
        items = await self._all("/v1/targets", token, {"plan": plan}, f"targets of {plan}")
        ids = {(item["indicator"], item["org_unit"]): item["id"] for item in items}
        self._plan_targets[plan] = (time.monotonic(), ids)
        return ids

    async def progress(
        self, token: str | None, *, org_unit: str, at: dt.date, plan: str | None
    ) -> tuple[str, httpx.Response]:
        """The progress report as the targets service serves it, and the URL it was read from."""
        params: dict[str, Any] = {"org_unit": org_unit, "at": at.isoformat()}
        if plan:
            params["plan"] = plan
        response = await self._get("/v1/progress", token, params)
        return str(response.url), response

    async def progress_rows(
        self, token: str | None, *, org_unit: str, at: dt.date, plan: str
    ) -> list[dict[str, Any]]:
        """The rows of a unit's progress report on a day (a refusal is the targets service's problem)."""
        _, response = await self.progress(token, org_unit=org_unit, at=at, plan=plan)
        if response.status_code != 200:
            raise TargetsUnavailable(
                f"The targets service refused the progress of {org_unit} ({response.status_code})."
            )
        rows: list[dict[str, Any]] = response.json()["items"]
        return rows


def bearer_token(request: Request) -> str | None:
    """The caller's own token, relayed to the targets service so that it applies its own permissions."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" and token else None


async def get_targets_client(request: Request) -> TargetsClient:
    client: TargetsClient = request.app.state.targets
    return client


Targets = Annotated[TargetsClient, Depends(get_targets_client)]


async def get_scope(
    request: Request, principal: Annotated[Principal, Depends(RoleGuard())], targets: Targets
) -> ScopeCheck:
    return ScopeCheck(principal, targets, bearer_token(request))


class ScopeCheck:
    """For one request: does the caller act for a unit on a date? (The only place that decides.)"""

    def __init__(self, principal: Principal, targets: TargetsClient, token: str | None) -> None:
        self.principal = principal
        self.targets = targets
        self.token = token

    async def covers(self, org_unit: str, day: dt.date) -> bool:
        if acts_province_wide(self.principal):
            return True
        own = self.principal.org_unit
        if own is None or not self.principal.has_any(UNIT_BOUND):
            return False
        if own == org_unit:
            return True
        hierarchy = await self.targets.hierarchy(day, self.token)
        return hierarchy.within(org_unit, own)

    async def visible_units(self, day: dt.date) -> set[str] | None:
        """The nominating units whose dossiers the caller reads (None: every unit)."""
        if self.principal.has_any(PROVINCE_WIDE | {Role.COUNCIL_MEMBER}):
            return None
        own = self.principal.org_unit
        if own is None or not self.principal.has_any(UNIT_BOUND):
            return set()
        hierarchy = await self.targets.hierarchy(day, self.token)
        return hierarchy.below(own) | {own}

    async def authority_levels(self, day: dt.date) -> tuple[OrgUnit | None, frozenset[str]]:
        """The caller's office and the deciding authorities it speaks for on ``day`` (admins: all)."""
        if self.principal.has_any({Role.ADMIN}):
            return None, EVERY_AUTHORITY
        own = self.principal.org_unit
        if own is None or not self.principal.has_any({Role.AUTHORITY}):
            return None, frozenset()
        unit = (await self.targets.hierarchy(day, self.token)).get(own)
        if unit is None:
            return None, frozenset()
        return unit, AUTHORITIES_OF_UNIT_TYPE.get(unit.type, frozenset()) | {UNIT_HEAD}

    async def require(self, org_unit: str, day: dt.date) -> None:
        if not await self.covers(org_unit, day):
            raise OutOfScope(
                f"{org_unit} is not {self.principal.org_unit or 'your unit'} or a unit below it on {day}.",
                your_org_unit=self.principal.org_unit,
            )


Scope = Annotated[ScopeCheck, Depends(get_scope)]
