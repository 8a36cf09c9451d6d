"""Progress of a plan's targets for an org unit, as of a date.

* A target is judged on the series of its indicator's own period type: years, or months, quarterly … for
  indicators reported that way (:mod:`targets.progress.grains`). A period's value for an org unit is the value
  posted for it; when none was posted it is rolled up from the units below by the indicator's aggregation
  rule (sum, mean, weighted mean, none), over the hierarchy as it stood in that period
  (:meth:`Hierarchy.children_for_period`), recursively.
* ``at`` keeps the periods that ended on or before that date (values as stored now).
* An org unit sees the targets set for it and, for indicators that compare across units (not summed), the
  targets of the units above it, judged on its own series (``inherited_from``).
* Results are cached per process under the change counters, which move with every write that can change
  them; a cached answer is therefore never stale (see :mod:`targets.cache.counters`), but where the caller
  allows it: the public report may be up to ``TARGETS_PUBLIC_PROGRESS_MAX_STALENESS_SECONDS`` behind the data
  (its answers say ``max-age=60`` to every cache on the way anyway). One computation per question at a time:
  concurrent askers wait for it rather than repeat it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import hashlib
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from shared.database import Database
from shared.problems import NotFound, UnprocessableContent
from targets.cache.counters import Counters
from targets.cache.service import CatalogueCache, CatalogueSnapshot, IndicatorInfo, PlanInfo
from targets.indicators.models import Aggregation
from targets.org_units.hierarchy import Hierarchy, UnitInfo
from targets.org_units.service import OrgUnitNotFound
from targets.plans import service as plans
from targets.plans.models import Comparator, Projection, Target, TargetKind
from targets.progress.engine import Outcome, Status, TargetRule, evaluate
from targets.progress.grains import YEARLY, Grain
from targets.progress.schemas import (
    Coverage,
    IndicatorRef,
    PeriodProgress,
    ProgressReport,
    ProgressRow,
    ProjectionOut,
    SeriesPoint,
    TargetProgressSeries,
)
from targets.results import service as results

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PeriodValue:
    value: float
    source: str  # "posted" or "aggregated"
    reported: int | None = None
    expected: int | None = None


class SeriesBuilder:
    """Values of indicators for org units per period (numbered by the indicator's grain), posted or rolled
    up, computed once each."""

    def __init__(
        self,
        hierarchy: Hierarchy,
        indicators: Mapping[int, IndicatorInfo],
        posted: dict[tuple[int, int, int], float],
        grains: Mapping[int, Grain] | None = None,
    ) -> None:
        self.hierarchy = hierarchy
        self.indicators = indicators
        self.posted = posted
        self.grains = grains or {}
        self._memo: dict[tuple[int, int, int], PeriodValue | None] = {}

    def grain(self, indicator_id: int) -> Grain:
        return self.grains.get(indicator_id, YEARLY)

    def value(self, indicator_id: int, org_unit_id: int, number: int) -> PeriodValue | None:
        key = (indicator_id, org_unit_id, number)
        if key not in self._memo:
            self._memo[key] = self._compute(indicator_id, org_unit_id, number)
        return self._memo[key]

    def _compute(self, indicator_id: int, org_unit_id: int, number: int) -> PeriodValue | None:
        posted = self.posted.get((indicator_id, org_unit_id, number))
        if posted is not None:
            return PeriodValue(posted, "posted")
        indicator = self.indicators[indicator_id]
        if indicator.aggregation == Aggregation.NONE:
            return None
        grain = self.grain(indicator_id)
        children = self.children(org_unit_id, grain, number)
        if not children:
            return None
        present = self._present(indicator_id, children, number)
        if not present:
            return None
        if indicator.aggregation == Aggregation.SUM:
            total = sum(value for _, value in present)
        elif indicator.aggregation == Aggregation.MEAN:
            total = sum(value for _, value in present) / len(present)
        else:
            weight_id = indicator.weight_indicator_id
            # The weight in force in this period: a monthly rate is weighted by the year's population.
            weight_number = (
                self.grain(weight_id).number(grain.bounds(number)[0]) if weight_id is not None else 0
            )
            weighted = [
                (value, weight.value)
                for child, value in present
                if weight_id is not None
                and (weight := self.value(weight_id, child, weight_number)) is not None
            ]
            weight_sum = sum(weight for _, weight in weighted)
            if not weighted or weight_sum <= 0:
                return None
            total = sum(value * weight for value, weight in weighted) / weight_sum
            return PeriodValue(total, "aggregated", reported=len(weighted), expected=len(children))
        return PeriodValue(total, "aggregated", reported=len(present), expected=len(children))

    def _present(self, indicator_id: int, children: tuple[int, ...], number: int) -> list[tuple[int, float]]:
        """(child, value) of the children that have a value for the period.

        A posted value is read straight from ``posted`` and a unit with nothing ever below it has no other:
        the communes under a province's sixty months are 13,000 of them, each without the memo and the
        recursion (docs/benchmarks.md)."""
        posted, has_children = self.posted, self.hierarchy.has_children
        present: list[tuple[int, float]] = []
        for child in children:
            value = posted.get((indicator_id, child, number))
            if value is None and has_children(child):
                found = self.value(indicator_id, child, number)
                value = found.value if found is not None else None
            if value is not None:
                present.append((child, value))
        return present

    def children(self, org_unit_id: int, grain: Grain, number: int) -> tuple[int, ...]:
        """The units whose values roll up into this one's for the period (the same for every indicator of
        the grain: a report rolls up dozens over the same hierarchy)."""
        return self.hierarchy.territorial_children_for_period(org_unit_id, *grain.bounds(number))

    def series(self, indicator_id: int, org_unit_id: int, numbers: Iterable[int]) -> dict[int, PeriodValue]:
        found = {number: self.value(indicator_id, org_unit_id, number) for number in numbers}
        return {number: value for number, value in found.items() if value is not None}


def _rule(target: Target, plan_numbers: range, at_risk_margin: float) -> TargetRule:
    # The engine counts periods: for a yearly indicator its "years" are years, for a monthly one months.
    return TargetRule(
        kind=TargetKind(target.kind),
        comparator=Comparator(target.comparator),
        value=float(target.value) if target.value is not None else None,
        tolerance=float(target.tolerance) if target.tolerance is not None else None,
        projection=Projection(target.projection),
        first_year=plan_numbers.start,
        last_year=plan_numbers.stop - 1,
        at_risk_margin=at_risk_margin,
    )


def _rounded(value: float | None, decimals: int) -> float | None:
    # JSON has no infinity: a figure beyond a float's range (absurd data) is reported as unknown.
    return None if value is None or not math.isfinite(value) else round(value, decimals)


NOT_COMPUTABLE = Outcome(Status.NO_DATA, None, "not_computable", None, None, None, None, None)


@dataclass(frozen=True, slots=True)
class Judged:
    """One target judged for one org unit as of the question's date."""

    target: Target
    indicator: IndicatorInfo
    unit: UnitInfo
    grain: Grain
    plan_numbers: range
    series: dict[int, PeriodValue]
    reference: dict[int, PeriodValue] | None
    outcome: Outcome

    @property
    def latest(self) -> PeriodValue | None:
        year = self.outcome.latest_year
        return self.series.get(year) if year is not None else None


class PlanProgress:
    """Everything needed to judge a plan's targets for some org units as of a date, loaded in one go.

    The report of one unit and the report of a unit with every unit below it share this: values are read
    once, and each roll-up is computed once however many units' rows need it.
    """

    def __init__(
        self,
        snapshot: CatalogueSnapshot,
        plan: PlanInfo,
        at: dt.date,
        targets: Sequence[Target],
        builder: SeriesBuilder,
    ) -> None:
        self.snapshot = snapshot
        self.plan = plan
        self.at = at
        self.builder = builder
        self._by_unit: dict[int, list[Target]] = {}
        for target in targets:
            self._by_unit.setdefault(target.org_unit_id, []).append(target)

    @staticmethod
    def window(plan: PlanInfo, at: dt.date) -> tuple[dt.date, dt.date]:
        """The days whose periods can count: the plan's, up to ``at``."""
        return plan.start_date, min(at, plan.end_date)

    @staticmethod
    def ancestors(snapshot: CatalogueSnapshot, plan: PlanInfo, unit: UnitInfo, at: dt.date) -> list[int]:
        # Inherited targets come from the units above on the last day the unit existed in the plan (a district
        # still belongs to the province after its tier ended on 2025-06-30, for the years it reported).
        last_day = min(at, plan.end_date, unit.valid_to or plan.end_date)
        return list(snapshot.hierarchy.ancestors_on(unit.id, max(last_day, unit.valid_from)))

    @classmethod
    async def load(
        cls,
        session: AsyncSession,
        snapshot: CatalogueSnapshot,
        plan: PlanInfo,
        units: Sequence[UnitInfo],
        at: dt.date,
        *,
        only: Target | None = None,
    ) -> PlanProgress:
        """For ``units`` (each judged on its own series), read their targets, inherited ones included, and
        every value their series and roll-ups need; with ``only``, that one target's (a chart, a series)."""
        hierarchy = snapshot.hierarchy
        owners = {unit.id for unit in units}
        for unit in units:
            owners.update(cls.ancestors(snapshot, plan, unit, at))
        targets = [only] if only is not None else await plans.targets_for(session, plan.id, sorted(owners))
        indicator_ids = {target.indicator_id for target in targets}
        indicator_ids |= {
            target.reference_indicator_id for target in targets if target.reference_indicator_id
        }
        indicator_ids |= {
            weight
            for indicator_id in list(indicator_ids)
            if (weight := snapshot.indicators_by_id[indicator_id].weight_indicator_id) is not None
        }
        start, end = cls.window(plan, at)
        grains = {
            indicator_id: grain
            for indicator_id in indicator_ids
            if (grain := Grain.of(snapshot.indicators_by_id[indicator_id].period_type)) is not None
        }
        builder = SeriesBuilder(hierarchy, snapshot.indicators_by_id, {}, grains)
        if only is not None and len(units) == 1:
            await cls._read_down(session, builder, {only.org_unit_id, units[0].id}, start, end)
        else:
            needed: set[int] = {target.org_unit_id for target in targets}
            covered: set[int] = set()
            for unit in units:
                # A report over a unit and the units below it asks for each subtree once, not once per member.
                if unit.id not in covered:
                    below = hierarchy.descendants_within(unit.id, start, end)
                    covered.update(below)
                    needed.update(below)
            # A relative target's reference series is its own unit's (the province's, for a district judged
            # on it): rolled up from the whole of that unit, not from the part of it being reported on.
            for target in targets:
                if target.reference_indicator_id and target.org_unit_id not in covered:
                    below = hierarchy.descendants_within(target.org_unit_id, start, end)
                    covered.update(below)
                    needed.update(below)
            await cls._read(session, builder, needed, start, end)
        return cls(snapshot, plan, at, targets, builder)

    @staticmethod
    async def _read(
        session: AsyncSession, builder: SeriesBuilder, unit_ids: set[int], start: dt.date, end: dt.date
    ) -> None:
        """The posted values of these units for the builder's indicators, periods within [start, end]."""
        grains = builder.grains
        wanted = sorted(grains)
        rows = await results.period_values(session, wanted, sorted(unit_ids), start, end)
        # The period's number is worked out here, not in SQL: computing it there (and filtering the type by
        # the indicator's) took PostgreSQL longer than decoding the period's type and day takes asyncpg.
        numbers: dict[tuple[int, dt.date], int] = {}  # a few dozen periods for thousands of rows
        for indicator_id, org_unit_id, period_type, period_start, number in rows:
            grain = grains[indicator_id]
            if period_type == grain.type:
                key = (indicator_id, period_start)
                found = numbers.get(key)
                if found is None:
                    found = numbers[key] = grain.number(period_start)
                builder.posted[(indicator_id, org_unit_id, found)] = number

    @classmethod
    async def _read_down(
        cls, session: AsyncSession, builder: SeriesBuilder, top: set[int], start: dt.date, end: dt.date
    ) -> None:
        """One unit's values, read a level at a time: a unit's own posted value is its value (the roll-up
        is only for periods it has none of), so the units below are read only for what is missing.

        A province that posts its own monthly figure is then 60 values, not the 20,000 of its 328 communes;
        a province whose figure is only rolled up reads every level down to the communes, in one query per
        level (docs/benchmarks.md)."""
        numbers = {
            indicator_id: [
                n
                for n in grain.plan_numbers(start, end)
                if start <= grain.bounds(n)[0] <= grain.bounds(n)[1] <= end
            ]
            for indicator_id, grain in builder.grains.items()
            if builder.indicators[indicator_id].aggregation != Aggregation.NONE
        }
        seen: set[int] = set()
        level = top
        while level:
            await cls._read(session, builder, level, start, end)
            seen |= level
            below: set[int] = set()
            for unit_id in level:
                if not builder.hierarchy.has_children(unit_id):
                    continue
                for indicator_id, wanted in numbers.items():
                    grain = builder.grains[indicator_id]
                    for number in wanted:
                        if (indicator_id, unit_id, number) not in builder.posted:
                            below.update(builder.children(unit_id, grain, number))
            level = below - seen

    def targets_seen_by(self, unit: UnitInfo) -> list[Target]:
        """The unit's own targets, then those of the units above it for indicators that are not summed."""
        own = self._by_unit.get(unit.id, [])
        inherited = [
            target
            for ancestor in self.ancestors(self.snapshot, self.plan, unit, self.at)
            for target in self._by_unit.get(ancestor, [])
            if self.snapshot.indicators_by_id[target.indicator_id].aggregation != Aggregation.SUM
        ]
        return sorted([*own, *inherited], key=lambda t: (t.org_unit_id != unit.id, t.id))

    def sees(self, unit: UnitInfo, target: Target) -> bool:
        return any(seen.id == target.id for seen in self.targets_seen_by(unit))

    def _numbers(self, grain: Grain) -> tuple[range, range]:
        plan_numbers = grain.plan_numbers(self.plan.start_date, self.plan.end_date)
        return plan_numbers, grain.ended_by(plan_numbers, self.at)

    def judge(self, target: Target, unit: UnitInfo) -> Judged:
        indicator = self.snapshot.indicators_by_id[target.indicator_id]
        grain = Grain.of(indicator.period_type)
        if grain is None:
            # Weekly, daily and financial-year periods do not tile the plan's years: nothing to judge.
            return Judged(target, indicator, unit, YEARLY, range(0), {}, None, NOT_COMPUTABLE)
        plan_numbers, observed = self._numbers(grain)
        series = self.builder.series(indicator.id, unit.id, observed)
        # The comparison series belongs to the target's own unit (the region's average is posted for the
        # province), also when a district is judged against the province's relative goal.
        reference = (
            self.builder.series(target.reference_indicator_id, target.org_unit_id, observed)
            if target.reference_indicator_id
            else None
        )
        outcome = self._evaluate(target, plan_numbers, series, reference, grain.number(self.at))
        return Judged(target, indicator, unit, grain, plan_numbers, series, reference, outcome)

    def _evaluate(
        self,
        target: Target,
        plan_numbers: range,
        series: Mapping[int, PeriodValue],
        reference: Mapping[int, PeriodValue] | None,
        current: int,
    ) -> Outcome:
        try:
            return evaluate(
                _rule(target, plan_numbers, float(self.plan.at_risk_margin)),
                {number: point.value for number, point in series.items()},
                current_year=current,
                reference={number: point.value for number, point in reference.items()} if reference else None,
            )
        except ArithmeticError:
            # One target's absurd figures must not take down the whole report (the public one included).
            logger.warning("progress of target %s cannot be computed", target.id, exc_info=True)
            return NOT_COMPUTABLE

    def history(self, judged: Judged) -> list[PeriodProgress]:
        """The target as judged at the end of each period of the plan up to ``at``: the values up to it."""
        decimals = max(judged.indicator.decimals, 1) + 1
        _, observed = self._numbers(judged.grain) if judged.plan_numbers else (range(0), range(0))
        items = []
        for number in observed:
            upto = {n: point for n, point in judged.series.items() if n <= number}
            reference = (
                {n: point for n, point in judged.reference.items() if n <= number}
                if judged.reference is not None
                else None
            )
            outcome = self._evaluate(judged.target, judged.plan_numbers, upto, reference, number)
            point = judged.series.get(number)
            items.append(
                PeriodProgress(
                    period=judged.grain.period_id(number),
                    value=_rounded(point.value, judged.indicator.decimals) if point else None,
                    source=point.source if point else None,
                    status=outcome.status.value,
                    measure=_rounded(outcome.measure, decimals),
                    percent=_rounded(outcome.percent, 1),
                    projection=_rounded(outcome.projected, decimals),
                    meets_target=outcome.projected_meets,
                )
            )
        return items

    def row(self, judged: Judged, *, with_series: bool = True) -> ProgressRow:
        """The row of the API; ``with_series=False`` leaves out the series (tables that do not show it)."""
        target, indicator, outcome, grain = judged.target, judged.indicator, judged.outcome, judged.grain
        hierarchy = self.snapshot.hierarchy
        latest = judged.latest
        decimals = max(indicator.decimals, 1)
        last_number = (
            judged.plan_numbers.stop - 1 if judged.plan_numbers else YEARLY.number(self.plan.end_date)
        )
        return ProgressRow(
            target_id=target.id,
            indicator=indicator_ref(indicator),
            org_unit=judged.unit.code,
            inherited_from=None
            if target.org_unit_id == judged.unit.id
            else hierarchy.units[target.org_unit_id].code,
            kind=target.kind,
            comparator=target.comparator,
            target_value=float(target.value) if target.value is not None else None,
            tolerance=float(target.tolerance) if target.tolerance is not None else None,
            reference_indicator=(
                self.snapshot.indicators_by_id[target.reference_indicator_id].code
                if target.reference_indicator_id
                else None
            ),
            source_text=target.source_text,
            period_type=indicator.period_type,
            status=outcome.status.value,
            latest_value=_rounded(outcome.latest_value, indicator.decimals),
            latest_period=grain.period_id(outcome.latest_year) if outcome.latest_year is not None else None,
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
                year=self.plan.end_date.year,
                period=grain.period_id(last_number),
                value=_rounded(outcome.projected, decimals + 1),
                meets_target=outcome.projected_meets,
                required_per_remaining_year=_rounded(outcome.required_per_remaining_year, decimals + 1),
            ),
            years_met=outcome.years_met,
            years_observed=outcome.years_observed,
            reference_value=_rounded(outcome.reference_value, indicator.decimals),
            series=[
                SeriesPoint(
                    period=grain.period_id(number),
                    value=_rounded(point.value, indicator.decimals) or 0.0,
                    source=point.source,
                )
                for number, point in (sorted(judged.series.items()) if with_series else ())
            ],
        )

    async def report(self, session: AsyncSession, unit: UnitInfo) -> ProgressReport:
        """The unit's report, each row with the note posted with its latest value (one query for all)."""
        judged = [self.judge(target, unit) for target in self.targets_seen_by(unit)]
        keys = {id(item): key for item in judged if (key := _latest_key(item)) is not None}
        notes = await results.comments(session, sorted(set(keys.values())))
        rows = []
        for item in judged:
            row = self.row(item)
            key = keys.get(id(item))
            if key is not None:
                row.latest_note = public_note(notes.get(key))
            rows.append(row)
        summary: dict[str, int] = {}
        for row in rows:
            summary[row.status] = summary.get(row.status, 0) + 1
        return ProgressReport(
            plan=self.plan.code, org_unit=unit.code, at=self.at, summary=summary, items=rows
        )


# A value's comment is the reporting system's free text, never reviewed for publication: only a comment that
# says it is meant for the reader (a source, an illustration) is published with the figure, and not at length.
PUBLIC_NOTE_PREFIXES: Final = ("Nguồn:", "Nguồn số liệu:", "Số liệu minh họa")
PUBLIC_NOTE_LENGTH: Final = 500


def public_note(comment: str | None) -> str | None:
    """The comment as published with its figure, or None when it is not one meant for the public."""
    if comment is None or not comment.startswith(PUBLIC_NOTE_PREFIXES):
        return None
    return comment if len(comment) <= PUBLIC_NOTE_LENGTH else comment[: PUBLIC_NOTE_LENGTH - 1] + "…"


def _latest_key(judged: Judged) -> tuple[int, int, str, dt.date] | None:
    """The stored value behind a row's latest figure, when the unit posted it itself."""
    latest, year = judged.latest, judged.outcome.latest_year
    if latest is None or year is None or latest.source != "posted":
        return None
    return judged.indicator.id, judged.unit.id, str(judged.grain.type), judged.grain.bounds(year)[0]


def indicator_ref(indicator: IndicatorInfo) -> IndicatorRef:
    return IndicatorRef(
        code=indicator.code,
        name=indicator.name,
        unit=indicator.unit,
        value_type=indicator.value_type,
        area=indicator.area,
    )


def find_unit(snapshot: CatalogueSnapshot, code: str) -> UnitInfo:
    unit = snapshot.hierarchy.by_code(code)
    if unit is None:
        raise OrgUnitNotFound(f"No org unit has the code {code!r}.")
    return unit


async def compute_progress(
    session: AsyncSession,
    snapshot: CatalogueSnapshot,
    plan: PlanInfo,
    org_unit_code: str,
    at: dt.date,
) -> ProgressReport:
    unit = find_unit(snapshot, org_unit_code)
    progress = await PlanProgress.load(session, snapshot, plan, [unit], at)
    return await progress.report(session, unit)


async def target_series(
    session: AsyncSession,
    catalogue: CatalogueCache,
    target_id: int,
    org_unit_code: str | None,
    at: dt.date,
) -> tuple[PlanProgress, Judged]:
    """One target judged for one org unit (default: the target's own), with everything to draw its history.

    Raises ``target-not-found``, ``org-unit-not-found``, and ``target-not-covered`` when the unit does not see
    the target (neither its own nor inherited from a unit above it)."""
    snapshot, _ = await catalogue.get(session)
    target = await plans.get_target(session, target_id)
    plan = next(plan for plan in snapshot.plans.values() if plan.id == target.plan_id)
    unit = (
        find_unit(snapshot, org_unit_code)
        if org_unit_code is not None
        else snapshot.hierarchy.units[target.org_unit_id]
    )
    progress = await PlanProgress.load(session, snapshot, plan, [unit], at, only=target)
    if not progress.sees(unit, target):
        owner = snapshot.hierarchy.units[target.org_unit_id].code
        raise TargetNotCovered(
            f"Target {target.id} is set for {owner}; {unit.code} is not {owner}, and is not judged on it from"
            " below (it is not under it, or the indicator is a total, which is judged only where it is set).",
            target_id=target.id,
            org_unit=unit.code,
            target_org_unit=owner,
        )
    return progress, progress.judge(target, unit)


def series_document(progress: PlanProgress, judged: Judged) -> TargetProgressSeries:
    target = judged.target
    last = judged.plan_numbers.stop - 1 if judged.plan_numbers else YEARLY.number(progress.plan.end_date)
    return TargetProgressSeries(
        target_id=target.id,
        indicator=indicator_ref(judged.indicator),
        org_unit=judged.unit.code,
        inherited_from=None
        if target.org_unit_id == judged.unit.id
        else progress.snapshot.hierarchy.units[target.org_unit_id].code,
        plan=progress.plan.code,
        at=progress.at,
        period_type=judged.indicator.period_type,
        kind=target.kind,
        comparator=target.comparator,
        target_value=float(target.value) if target.value is not None else None,
        projection_method=target.projection,
        projection_period=judged.grain.period_id(last),
        items=progress.history(judged),
    )


class TargetNotCovered(UnprocessableContent):
    slug = "target-not-covered"
    title = "The org unit is not judged on this target"


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


Key = tuple[object, ...]


V = TypeVar("V")


def _bounded_put(entries: OrderedDict[Key, V], key: Key, value: V, size: int) -> None:
    """``entries[key] = value``, the least recently used dropped beyond ``size``."""
    entries[key] = value
    entries.move_to_end(key)
    while len(entries) > size:
        entries.popitem(last=False)


def _question(key: Key) -> Key:
    """A key without its data counter (the second item): the same question, whatever data it was put under."""
    return key[:1] + key[2:]


def _data_of(key: Key) -> int:
    data = key[1]
    assert isinstance(data, int)  # noqa: S101 - keys are built by _key
    return data


class ProgressCache:
    """Finished reports as JSON bytes with their ETag, keyed by the change counters and the question; and per
    question the latest report with the moment it was computed (:meth:`recent`)."""

    def __init__(self, size: int = 256, *, now: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.now = now
        self._entries: OrderedDict[Key, CachedReport] = OrderedDict()
        # Per question: when its latest report's data were read, the report, and its data counter.
        self._latest: OrderedDict[Key, tuple[float, CachedReport, int]] = OrderedDict()
        self._computing: dict[Key, asyncio.Future[CachedReport]] = {}

    def get(self, key: Key) -> CachedReport | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def recent(self, key: Key, max_staleness: float) -> CachedReport | None:
        """The question's latest report if its data were read at most ``max_staleness`` seconds ago, under
        any data counter since.

        A report of the data as they stood at t is behind the data of now by at most now - t.
        """
        if max_staleness <= 0:
            return None
        found = self._latest.get(_question(key))
        if found is None or self.now() - found[0] > max_staleness:
            return None
        return found[1]

    def put(self, key: Key, report: CachedReport, *, started: float | None = None) -> None:
        """``report`` for ``key``; ``started``: when its data were read (default now), the moment
        :meth:`recent` counts its age from. A report of older data than the question's latest does not
        replace it."""
        _bounded_put(self._entries, key, report, self.size)
        question = _question(key)
        moment = self.now() if started is None else started
        latest = self._latest.get(question)
        if latest is None or (latest[2], latest[0]) <= (_data_of(key), moment):
            _bounded_put(self._latest, question, (moment, report, _data_of(key)), self.size)

    async def once(
        self, key: Key, compute: Callable[[], Awaitable[CachedReport]], *, started: float | None = None
    ) -> CachedReport:
        """``compute()``'s report for ``key``, put in the cache; askers of the same key meanwhile get the same
        one instead of computing it again (twenty readers of a question just invalidated cost one)."""
        pending = self._computing.get(key)
        if pending is not None:
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                if not pending.cancelled():
                    raise  # this asker was cancelled (its client left)
            # The asker computing it was cancelled, not this one: compute it here.
            return await self.once(key, compute, started=started)
        future: asyncio.Future[CachedReport] = asyncio.get_running_loop().create_future()
        self._computing[key] = future
        try:
            report = await compute()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here: with no other asker, nobody else will
            raise
        finally:
            del self._computing[key]
        self.put(key, report, started=started)
        future.set_result(report)
        return report


def resolve(
    snapshot: CatalogueSnapshot, plan_code: str | None, org_unit_code: str | None, at: dt.date
) -> tuple[PlanInfo, str]:
    """The plan asked for (default: the latest that had started by ``at``) and the org unit's code
    (default: the plan's own unit)."""
    plan = snapshot.plan(plan_code, at)
    if plan is None:
        raise plans.PlanNotFound(
            f"No plan has the code {plan_code!r}." if plan_code else "No plan is registered yet."
        )
    if org_unit_code is None:
        if plan.main_org_unit_id is None:
            raise NotFound(f"Plan {plan.code} has no targets yet.")
        org_unit_code = snapshot.hierarchy.units[plan.main_org_unit_id].code
    return plan, org_unit_code


def _key(
    snapshot: CatalogueSnapshot,
    counters: Counters,
    plan_code: str | None,
    org_unit_code: str | None,
    at: dt.date,
) -> tuple[PlanInfo, str, tuple[object, ...]]:
    plan, unit_code = resolve(snapshot, plan_code, org_unit_code, at)
    return plan, unit_code, (counters.catalogue, counters.data, plan.code, unit_code, at)


async def progress_report(
    database: Database,
    catalogue: CatalogueCache,
    cache: ProgressCache,
    plan_code: str | None,
    org_unit_code: str | None,
    at: dt.date,
    *,
    max_staleness: float = 0.0,
) -> CachedReport:
    """The report as JSON, computed at most once per (counters, question) in this process, or one computed at
    most ``max_staleness`` seconds ago under older data.

    A cache hit while the change feed vouches for the counters opens no session and sends no query: that is
    the path of nearly every read of the province's progress.
    """
    known = catalogue.peek()
    if known is not None:
        _, _, key = _key(*known, plan_code, org_unit_code, at)
        cached = cache.get(key) or cache.recent(key, max_staleness)
        if cached is not None:
            return cached
    read_at = cache.now()  # no later than the counters below are read
    async with database.session() as session:
        snapshot, counters = await catalogue.get(session)
        plan, unit_code, key = _key(snapshot, counters, plan_code, org_unit_code, at)
        cached = cache.get(key) or cache.recent(key, max_staleness)
        if cached is not None:
            return cached

        async def compute() -> CachedReport:
            report = await compute_progress(session, snapshot, plan, unit_code, at)
            return CachedReport.of(report.model_dump_json().encode())

        return await cache.once(key, compute, started=read_at)
