"""The progress report of a plan for an org unit and the units below it, and the chart of one target.

Everything the report needs is read in one transaction (the catalogue snapshot, the targets, every value the
units' series and roll-ups use); the rows are then computed unit by unit while the answer is written, so a
report of ten thousand rows never holds them all (see :mod:`targets.reports.formats`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from shared.database import Database
from shared.problems import UnprocessableContent
from targets.cache.counters import Counters
from targets.cache.service import CatalogueCache
from targets.org_units.hierarchy import UnitInfo
from targets.progress.schemas import ProgressRow
from targets.progress.service import (
    CachedReport,
    Judged,
    PlanProgress,
    ProgressCache,
    find_unit,
    resolve,
    target_series,
)
from targets.reports.charts import render_chart
from targets.reports.schemas import ReportFormat, UnitProgress


class ReportTooLarge(UnprocessableContent):
    slug = "report-too-large"
    title = "The report is too large to build"


def _etag(counters: Counters, *question: object) -> str:
    # The counters move with every write that can change an answer (targets.cache.counters), so an answer's
    # tag can be known before it is computed: a revalidation costs one small query, not a report.
    key = repr((counters.catalogue, counters.data, *question)).encode()
    return f'W/"{hashlib.sha256(key).hexdigest()[:32]}"'


@dataclass(frozen=True)
class NotModified:
    etag: str


@dataclass(frozen=True)
class PreparedReport:
    """A report whose data is loaded and whose size is known; its rows are computed as they are read."""

    progress: PlanProgress
    root: UnitInfo
    units: list[UnitInfo]
    rows: int
    etag: str

    @property
    def areas(self) -> list[str]:
        """The areas of the plan's indicators that have rows here."""
        indicators = self.progress.snapshot.indicators_by_id
        return sorted(
            {
                indicators[target.indicator_id].area
                for unit in self.units
                for target in self.progress.targets_seen_by(unit)
            }
        )

    def parent_of(self, unit: UnitInfo) -> str | None:
        hierarchy = self.progress.snapshot.hierarchy
        last_day = max(
            unit.valid_from, min(self.progress.at, self.progress.plan.end_date, unit.valid_to or dt.date.max)
        )
        parent = hierarchy.parent_on(unit.id, last_day)
        return hierarchy.units[parent].code if parent is not None else None

    def judged(self) -> Iterator[tuple[UnitInfo, list[Judged]]]:
        for unit in self.units:
            yield unit, [self.progress.judge(target, unit) for target in self.progress.targets_seen_by(unit)]

    def unit_progress(self, unit: UnitInfo, judged: list[Judged]) -> UnitProgress:
        rows: list[ProgressRow] = [self.progress.row(item) for item in judged]
        summary: dict[str, int] = {}
        for row in rows:
            summary[row.status] = summary.get(row.status, 0) + 1
        return UnitProgress(
            org_unit=unit.code, name=unit.name, parent=self.parent_of(unit), summary=summary, items=rows
        )


async def prepare_report(
    database: Database,
    catalogue: CatalogueCache,
    plan_code: str | None,
    org_unit_code: str | None,
    at: dt.date,
    report_format: ReportFormat,
    *,
    max_rows: int,
    if_none_match: frozenset[str],
) -> PreparedReport | NotModified:
    """Load a plan's progress for a unit and every unit below it during the plan up to ``at``.

    A report of more than ``max_rows`` target rows (units × the targets each sees) is refused before any row
    is computed (``report-too-large``): ask for a unit lower down.
    """
    async with database.session() as session:
        snapshot, counters = await catalogue.get(session)
        plan, unit_code = resolve(snapshot, plan_code, org_unit_code, at)
        root = find_unit(snapshot, unit_code)
        etag = _etag(counters, "report", plan.code, root.code, at, report_format.value)
        if etag in if_none_match:
            return NotModified(etag)
        hierarchy = snapshot.hierarchy
        units = [
            hierarchy.units[unit_id]
            for unit_id in hierarchy.descendants_within(root.id, *PlanProgress.window(plan, at))
        ]
        progress = await PlanProgress.load(session, snapshot, plan, units, at)
    rows = sum(len(progress.targets_seen_by(unit)) for unit in units)
    if rows > max_rows:
        raise ReportTooLarge(
            f"The report of {plan.code} for {root.code} and the {len(units) - 1} units below it has {rows}"
            f" rows; at most {max_rows} are built at once. Ask for a unit lower down.",
            rows=rows,
            max_rows=max_rows,
            units=len(units),
        )
    return PreparedReport(progress, root, units, rows, etag)


async def chart_svg(
    database: Database,
    catalogue: CatalogueCache,
    cache: ProgressCache,
    target_id: int,
    org_unit_code: str | None,
    at: dt.date,
) -> CachedReport:
    """The target's chart for the unit, drawn at most once per (counters, question) in this process.

    A page showing a unit's progress embeds a chart per target, and shows it again on every visit: with the
    change feed vouching for the counters, a drawn chart is served without a query.
    """
    known = catalogue.peek()
    if known is not None:
        cached = cache.get(_chart_key(known[1], target_id, org_unit_code, at))
        if cached is not None:
            return cached
    async with database.session() as session:
        _, counters = await catalogue.get(session)
        key = _chart_key(counters, target_id, org_unit_code, at)
        cached = cache.get(key)
        if cached is None:
            progress, judged = await target_series(session, catalogue, target_id, org_unit_code, at)
            cached = CachedReport.of(render_chart(progress, judged))
            cache.put(key, cached)
        return cached


def _chart_key(
    counters: Counters, target_id: int, org_unit_code: str | None, at: dt.date
) -> tuple[object, ...]:
    return (counters.catalogue, counters.data, target_id, org_unit_code, at)
