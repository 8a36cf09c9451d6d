"""Progress of a plan's targets for an org unit, as of a date.

* Series are yearly. A year's value for an org unit is the value posted for it; when none was posted it is
  rolled up from the units below by the indicator's aggregation rule (sum, mean, weighted mean, none), over
  the hierarchy as it stood in that year (:meth:`Hierarchy.children_for_period`), recursively.
* ``at`` keeps the years that ended on or before that date (values as stored now).
* An org unit sees the targets set for it and, for indicators that compare across units (not summed), the
  targets of the units above it, judged on its own series (``inherited_from``).
* Results are cached per process under the change counters, which move with every write that can change
  them; a cached answer is therefore never stale (see :mod:`targets.cache.counters`).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import logging
import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.database import Database
from shared.problems import NotFound
from targets.cache.counters import Counters
from targets.cache.service import CatalogueCache, CatalogueSnapshot, IndicatorInfo, PlanInfo
from targets.indicators.models import Aggregation
from targets.org_units.hierarchy import Hierarchy
from targets.org_units.models import TERRITORIAL_TYPES
from targets.plans import service as plans
from targets.plans.models import Comparator, Projection, Target, TargetKind
from targets.progress.engine import Outcome, Status, TargetRule, evaluate
from targets.progress.schemas import (
    Coverage,
    IndicatorRef,
    ProgressReport,
    ProgressRow,
    ProjectionOut,
    SeriesPoint,
)
from targets.results import service as results

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class YearValue:
    value: float
    source: str  # "posted" or "aggregated"
    reported: int | None = None
    expected: int | None = None


class SeriesBuilder:
    """Yearly values of indicators for org units, posted or rolled up, computed once each."""

    def __init__(
        self,
        hierarchy: Hierarchy,
        indicators: dict[int, IndicatorInfo],
        posted: dict[tuple[int, int, int], float],
    ) -> None:
        self.hierarchy = hierarchy
        self.indicators = indicators
        self.posted = posted
        self._memo: dict[tuple[int, int, int], YearValue | None] = {}

    def value(self, indicator_id: int, org_unit_id: int, year: int) -> YearValue | None:
        key = (indicator_id, org_unit_id, year)
        if key not in self._memo:
            self._memo[key] = self._compute(indicator_id, org_unit_id, year)
        return self._memo[key]

    def _compute(self, indicator_id: int, org_unit_id: int, year: int) -> YearValue | None:
        posted = self.posted.get((indicator_id, org_unit_id, year))
        if posted is not None:
            return YearValue(posted, "posted")
        indicator = self.indicators[indicator_id]
        if indicator.aggregation == Aggregation.NONE:
            return None
        # Only territorial units add up to a territory: a department reports on itself, not on an area.
        children = [
            child
            for child in self.hierarchy.children_for_period(
                org_unit_id, dt.date(year, 1, 1), dt.date(year, 12, 31)
            )
            if self.hierarchy.units[child].type in TERRITORIAL_TYPES
        ]
        if not children:
            return None
        values = [(child, self.value(indicator_id, child, year)) for child in children]
        present = [(child, found.value) for child, found in values if found is not None]
        if not present:
            return None
        if indicator.aggregation == Aggregation.SUM:
            total = sum(value for _, value in present)
        elif indicator.aggregation == Aggregation.MEAN:
            total = sum(value for _, value in present) / len(present)
        else:
            weight_id = indicator.weight_indicator_id
            weighted = [
                (value, weight.value)
                for child, value in present
                if weight_id is not None and (weight := self.value(weight_id, child, year)) is not None
            ]
            weight_sum = sum(weight for _, weight in weighted)
            if not weighted or weight_sum <= 0:
                return None
            total = sum(value * weight for value, weight in weighted) / weight_sum
            return YearValue(total, "aggregated", reported=len(weighted), expected=len(children))
        return YearValue(total, "aggregated", reported=len(present), expected=len(children))

    def series(self, indicator_id: int, org_unit_id: int, years: Sequence[int]) -> dict[int, YearValue]:
        found = {year: self.value(indicator_id, org_unit_id, year) for year in years}
        return {year: value for year, value in found.items() if value is not None}


def _relevant_units(hierarchy: Hierarchy, unit_id: int, years: Sequence[int]) -> set[int]:
    units = {unit_id}
    frontier = [unit_id]
    while frontier:
        parent = frontier.pop()
        for year in years:
            for child in hierarchy.children_for_period(parent, dt.date(year, 1, 1), dt.date(year, 12, 31)):
                if child not in units:
                    units.add(child)
                    frontier.append(child)
    return units


def _rule(target: Target, plan: PlanInfo) -> TargetRule:
    return TargetRule(
        kind=TargetKind(target.kind),
        comparator=Comparator(target.comparator),
        value=float(target.value) if target.value is not None else None,
        tolerance=float(target.tolerance) if target.tolerance is not None else None,
        projection=Projection(target.projection),
        first_year=plan.start_date.year,
        last_year=plan.end_date.year,
        at_risk_margin=float(plan.at_risk_margin),
    )


def _rounded(value: float | None, decimals: int) -> float | None:
    # JSON has no infinity: a figure beyond a float's range (absurd data) is reported as unknown.
    return None if value is None or not math.isfinite(value) else round(value, decimals)


async def compute_progress(
    session: AsyncSession,
    snapshot: CatalogueSnapshot,
    plan: PlanInfo,
    org_unit_code: str,
    at: dt.date,
) -> ProgressReport:
    hierarchy = snapshot.hierarchy
    unit = hierarchy.by_code(org_unit_code)
    if unit is None:
        raise NotFound(f"No org unit has the code {org_unit_code!r}.")
    years = [
        year for year in range(plan.start_date.year, plan.end_date.year + 1) if dt.date(year, 12, 31) <= at
    ]
    # Inherited targets come from the units above on the last day the unit existed in the plan (a district
    # still belongs to the province after its tier ended on 2025-06-30, for the years it reported).
    last_day = min(at, plan.end_date, unit.valid_to or plan.end_date)
    ancestors = list(hierarchy.ancestors_on(unit.id, max(last_day, unit.valid_from)))
    targets = await plans.targets_for(session, plan.id, [unit.id, *ancestors])
    chosen = [
        target
        for target in targets
        if target.org_unit_id == unit.id
        or snapshot.indicators_by_id[target.indicator_id].aggregation != Aggregation.SUM
    ]
    indicator_ids = {target.indicator_id for target in chosen}
    indicator_ids |= {target.reference_indicator_id for target in chosen if target.reference_indicator_id}
    indicator_ids |= {
        weight
        for indicator_id in list(indicator_ids)
        if (weight := snapshot.indicators_by_id[indicator_id].weight_indicator_id) is not None
    }
    units = _relevant_units(hierarchy, unit.id, years) | {target.org_unit_id for target in chosen}
    posted = await results.yearly_values(session, sorted(indicator_ids), sorted(units), years)
    builder = SeriesBuilder(hierarchy, snapshot.indicators_by_id, posted)

    rows = []
    for target in sorted(chosen, key=lambda t: (t.org_unit_id != unit.id, t.id)):
        indicator = snapshot.indicators_by_id[target.indicator_id]
        series = builder.series(indicator.id, unit.id, years)
        # The comparison series belongs to the target's own unit (the region's average is posted for the
        # province), also when a district is judged against the province's relative goal.
        reference = (
            builder.series(target.reference_indicator_id, target.org_unit_id, years)
            if target.reference_indicator_id
            else None
        )
        try:
            outcome = evaluate(
                _rule(target, plan),
                {year: point.value for year, point in series.items()},
                current_year=at.year,
                reference={year: point.value for year, point in reference.items()} if reference else None,
            )
        except ArithmeticError:
            # One target's absurd figures must not take down the whole report (the public one included).
            logger.warning("progress of target %s cannot be computed", target.id, exc_info=True)
            outcome = Outcome(Status.NO_DATA, None, "not_computable", None, None, None, None, None)
        latest = series.get(outcome.latest_year) if outcome.latest_year is not None else None
        decimals = max(indicator.decimals, 1)
        rows.append(
            ProgressRow(
                target_id=target.id,
                indicator=IndicatorRef(
                    code=indicator.code,
                    name=indicator.name,
                    unit=indicator.unit,
                    value_type=indicator.value_type,
                ),
                org_unit=unit.code,
                inherited_from=None
                if target.org_unit_id == unit.id
                else hierarchy.units[target.org_unit_id].code,
                kind=target.kind,
                comparator=target.comparator,
                target_value=float(target.value) if target.value is not None else None,
                tolerance=float(target.tolerance) if target.tolerance is not None else None,
                reference_indicator=(
                    snapshot.indicators_by_id[target.reference_indicator_id].code
                    if target.reference_indicator_id
                    else None
                ),
                source_text=target.source_text,
                status=outcome.status.value,
                latest_value=_rounded(outcome.latest_value, indicator.decimals),
                latest_period=str(outcome.latest_year) if outcome.latest_year is not None else None,
                latest_source=latest.source if latest else None,
                coverage=(
                    Coverage(reported=latest.reported, expected=latest.expected)
                    if latest and latest.reported is not None and latest.expected is not None
                    else None
                ),
                measure=_rounded(outcome.measure, decimals + 1),
                measure_kind=outcome.measure_kind,
                percent=_rounded(outcome.percent, 1),
                projection=ProjectionOut(
                    method=target.projection,
                    year=plan.end_date.year,
                    value=_rounded(outcome.projected, decimals + 1),
                    meets_target=outcome.projected_meets,
                    required_per_remaining_year=_rounded(outcome.required_per_remaining_year, decimals + 1),
                ),
                years_met=outcome.years_met,
                years_observed=outcome.years_observed,
                reference_value=_rounded(outcome.reference_value, indicator.decimals),
                series=[
                    SeriesPoint(
                        period=str(year),
                        value=_rounded(point.value, indicator.decimals) or 0.0,
                        source=point.source,
                    )
                    for year, point in sorted(series.items())
                ],
            )
        )
    summary: dict[str, int] = {}
    for row in rows:
        summary[row.status] = summary.get(row.status, 0) + 1
    return ProgressReport(plan=plan.code, org_unit=unit.code, at=at, summary=summary, items=rows)


@dataclass(frozen=True, slots=True)
class CachedReport:
    body: bytes
    etag: str
    # Compressed once here rather than by the gateway on every request (clients ask for gzip).
    gzipped: bytes

    @classmethod
    def of(cls, body: bytes) -> CachedReport:
        return cls(
            body=body,
            etag=f'W/"{hashlib.sha256(body).hexdigest()[:32]}"',
            gzipped=gzip.compress(body, compresslevel=6, mtime=0),
        )


class ProgressCache:
    """Finished reports as JSON bytes with their ETag, keyed by the change counters and the question."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[object, ...], CachedReport] = OrderedDict()

    def get(self, key: tuple[object, ...]) -> CachedReport | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: tuple[object, ...], report: CachedReport) -> None:
        self._entries[key] = report
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


def _key(
    snapshot: CatalogueSnapshot,
    counters: Counters,
    plan_code: str | None,
    org_unit_code: str | None,
    at: dt.date,
) -> tuple[PlanInfo, str, tuple[object, ...]]:
    plan = snapshot.plan(plan_code)
    if plan is None:
        raise NotFound(f"No plan has the code {plan_code!r}." if plan_code else "No plan is registered yet.")
    if org_unit_code is None:
        if plan.main_org_unit_id is None:
            raise NotFound(f"Plan {plan.code} has no targets yet.")
        org_unit_code = snapshot.hierarchy.units[plan.main_org_unit_id].code
    return plan, org_unit_code, (counters.catalogue, counters.data, plan.code, org_unit_code, at)


async def progress_report(
    database: Database,
    catalogue: CatalogueCache,
    cache: ProgressCache,
    plan_code: str | None,
    org_unit_code: str | None,
    at: dt.date,
) -> CachedReport:
    """The report as JSON, computed at most once per (counters, question) in this process.

    A cache hit while the change feed vouches for the counters opens no session and sends no query: that is
    the path of nearly every read of the province's progress.
    """
    known = catalogue.peek()
    if known is not None:
        _, _, key = _key(*known, plan_code, org_unit_code, at)
        cached = cache.get(key)
        if cached is not None:
            return cached
    async with database.session() as session:
        snapshot, counters = await catalogue.get(session)
        plan, unit_code, key = _key(snapshot, counters, plan_code, org_unit_code, at)
        cached = cache.get(key)
        if cached is None:
            report = await compute_progress(session, snapshot, plan, unit_code, at)
            cached = CachedReport.of(report.model_dump_json().encode())
            cache.put(key, cached)
        return cached
