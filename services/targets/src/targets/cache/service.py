"""An in-memory snapshot of the catalogue (hierarchy, indicators, period locks), rebuilt only when it changed.

Ingestion checks thousands of values against the catalogue per request; loading it per request would cost
more than the check. Every process keeps one snapshot and compares its catalogue counter with the database's
(one indexed row) at the start of each request; the counter commits with the catalogue change, so no process
can keep using a stale snapshot after the change is visible.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from targets.cache.counters import Counters, bumped_in, read_counters
from targets.cache.feed import ChangeFeed
from targets.indicators import service as indicators
from targets.indicators.models import Indicator
from targets.org_units import service as org_units
from targets.org_units.hierarchy import Hierarchy
from targets.plans import service as plans
from targets.results import service as results


@dataclass(frozen=True, slots=True)
class IndicatorInfo:
    id: int
    code: str
    name: str
    area: str
    value_type: str
    aggregation: str
    direction: str
    decimals: int
    period_type: str
    unit: str
    weight_indicator_id: int | None

    @classmethod
    def of(cls, indicator: Indicator) -> IndicatorInfo:
        return cls(
            id=indicator.id,
            code=indicator.code,
            name=indicator.name,
            area=indicator.area,
            value_type=indicator.value_type,
            aggregation=indicator.aggregation,
            direction=indicator.direction,
            decimals=indicator.decimals,
            period_type=indicator.period_type,
            unit=indicator.unit,
            weight_indicator_id=indicator.weight_indicator_id,
        )


@dataclass(frozen=True, slots=True)
class Lock:
    period_iso: str
    start: dt.date
    end: dt.date
    org_unit_id: int | None


@dataclass(frozen=True, slots=True)
class PlanInfo:
    id: int
    code: str
    name: str
    start_date: dt.date
    end_date: dt.date
    at_risk_margin: Decimal
    # The unit the plan's first target is set for (the province for HT-2021-2025): "the plan's progress".
    main_org_unit_id: int | None


@dataclass(frozen=True)
class CatalogueSnapshot:
    version: int
    hierarchy: Hierarchy
    indicators: dict[str, IndicatorInfo]
    indicators_by_id: dict[int, IndicatorInfo]
    locks: tuple[Lock, ...]
    plans: dict[str, PlanInfo]

    def plan(self, code: str | None, at: dt.date | None = None) -> PlanInfo | None:
        """The plan with this code; without a code, the latest plan (by start date) that had started by
        ``at`` (a report of 2024 judges the plan of 2021-2025, not the next one); before every plan, the
        first; without ``at``, the latest."""
        if code is not None:
            return self.plans.get(code)
        order = sorted(self.plans.values(), key=lambda plan: (plan.start_date, plan.id))
        if not order:
            return None
        if at is None:
            return order[-1]
        started = [plan for plan in order if plan.start_date <= at]
        return started[-1] if started else order[0]

    def lock_for(self, org_unit_id: int, start: dt.date, end: dt.date, day: dt.date) -> Lock | None:
        """A lock covering the period [start, end] for the unit (or one of its ancestors on ``day``)."""
        for lock in self.locks:
            if (
                lock.start <= start
                and end <= lock.end
                and (lock.org_unit_id is None or self.hierarchy.is_within(org_unit_id, lock.org_unit_id, day))
            ):
                return lock
        return None


async def _load(session: AsyncSession, version: int) -> CatalogueSnapshot:
    known = [IndicatorInfo.of(indicator) for indicator in await indicators.all_indicators(session)]
    locks = await results.lock_rows(session)
    by_code = {
        plan.code: PlanInfo(
            id=plan.id,
            code=plan.code,
            name=plan.name,
            start_date=plan.start_date,
            end_date=plan.end_date,
            at_risk_margin=plan.at_risk_margin,
            main_org_unit_id=main_unit,
        )
        for plan, main_unit in await plans.plans_with_main_org_unit(session)
    }
    return CatalogueSnapshot(
        version=version,
        hierarchy=await org_units.load_hierarchy(session),
        indicators={indicator.code: indicator for indicator in known},
        indicators_by_id={indicator.id: indicator for indicator in known},
        locks=tuple(Lock(iso, start, end, unit) for iso, start, end, unit in locks),
        plans=by_code,
    )


class CatalogueCache:
    """One per process (on ``app.state``); with a change feed, a hit costs no query at all."""

    def __init__(self, feed: ChangeFeed | None = None) -> None:
        self.feed = feed
        self._snapshot: CatalogueSnapshot | None = None
        self._lock = asyncio.Lock()

    def peek(self) -> tuple[CatalogueSnapshot, Counters] | None:
        """Snapshot and counters without any database work, when the change feed vouches for both."""
        counters = self.feed.current() if self.feed is not None else None
        snapshot = self._snapshot
        if counters is None or snapshot is None or snapshot.version != counters.catalogue:
            return None
        return snapshot, counters

    async def get(
        self, session: AsyncSession, *, from_database: bool = False
    ) -> tuple[CatalogueSnapshot, Counters]:
        """The snapshot for the current counters; ``from_database`` reads them in this transaction, never from
        the feed (an import that holds the catalogue steady must check against exactly what it holds)."""
        # A transaction that has just changed the catalogue must see its own change, which no feed knows yet.
        trust_feed = self.feed is not None and not from_database and not bumped_in(session)
        counters = self.feed.current() if self.feed is not None and trust_feed else None
        if counters is None:
            counters = await read_counters(session)
        snapshot = self._snapshot
        if snapshot is None or snapshot.version != counters.catalogue:
            async with self._lock:
                snapshot = self._snapshot
                if snapshot is None or snapshot.version != counters.catalogue:
                    snapshot = await _load(session, counters.catalogue)
                    self._snapshot = snapshot
        return snapshot, counters
