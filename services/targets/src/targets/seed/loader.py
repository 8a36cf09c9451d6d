"""Loads the Hà Tĩnh seed: org units with their history, and the plan HT-2021-2025 with its targets.

Idempotent: what exists (by code; targets by plan, indicator, org unit and kind) is left as it is, so edits
made through the API survive a restart. Run by ``make run`` and by ``python -m targets seed``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal, Role
from targets.cache.counters import bump_catalogue
from targets.indicators import service as indicators_service
from targets.indicators.models import Indicator
from targets.org_units import service as org_units
from targets.org_units.models import OrgUnit, OrgUnitParent
from targets.org_units.schemas import RestructuringIn
from targets.plans import service as plans
from targets.plans.models import Plan, Target, TargetKind
from targets.plans.schemas import DEFAULT_PROJECTION

logger = logging.getLogger(__name__)
SEED_USER = "seed"


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        target = self.created if created else self.existing
        target[kind] = target.get(kind, 0) + 1


def _data(name: str) -> dict[str, Any]:
    text = resources.files("targets.seed").joinpath("data", name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


async def _org_units(session: AsyncSession, report: SeedReport) -> dict[str, OrgUnit]:
    data = _data("org_units.json")
    units = {unit.code: unit for unit in await org_units.all_units(session)}
    fresh: set[str] = set()
    for item in data["org_units"]:
        if item["code"] in units:
            report.count("org_units", created=False)
            continue
        unit = OrgUnit(
            code=item["code"],
            name=item["name"],
            name_en=item.get("name_en"),
            type=item["type"],
            valid_from=dt.date.fromisoformat(item["valid_from"]),
            valid_to=_date(item.get("valid_to")),
            remote=item.get("remote", False),
            border=item.get("border", False),
            mountainous=item.get("mountainous", False),
            notes=item.get("notes"),
        )
        session.add(unit)
        units[unit.code] = unit
        fresh.add(unit.code)
        report.count("org_units", created=True)
    await session.flush()
    for item in data["org_units"]:
        if item["code"] in fresh and item.get("parent"):
            unit = units[item["code"]]
            session.add(
                OrgUnitParent(
                    org_unit_id=unit.id,
                    parent_id=units[item["parent"]].id,
                    valid_from=unit.valid_from,
                    valid_to=unit.valid_to,
                )
            )
    await session.flush()
    await _restructurings(session, data["restructurings"])
    return units


async def _restructurings(session: AsyncSession, items: list[dict[str, Any]]) -> None:
    """Apply each restructuring as the API does; one already recorded is left as it is."""
    principal = Principal(subject=SEED_USER, roles=frozenset({Role.ADMIN}), org_unit=None, claims={})
    for item in items:
        try:
            async with session.begin_nested():
                await org_units.restructure(session, principal, RestructuringIn.model_validate(item))
        except org_units.RestructuringRecorded:
            continue


async def _plan(session: AsyncSession, units: dict[str, OrgUnit], report: SeedReport) -> None:
    data = _data("plan_ht_2021_2025.json")
    indicators = {item.code: item for item in await indicators_service.all_indicators(session)}
    for item in data["indicators"]:
        if item["code"] in indicators:
            report.count("indicators", created=False)
            continue
        indicator = Indicator(
            code=item["code"],
            name=item["name"],
            name_en=item.get("name_en"),
            area=item["area"],
            unit=item["unit"],
            value_type=item["value_type"],
            aggregation=item["aggregation"],
            direction=item["direction"],
            decimals=item["decimals"],
            period_type=item["period_type"],
            description=item.get("description"),
            parent_id=indicators[item["parent"]].id if item.get("parent") else None,
            weight_indicator_id=indicators[item["weight_indicator"]].id
            if item.get("weight_indicator")
            else None,
        )
        session.add(indicator)
        await session.flush()
        indicators[indicator.code] = indicator
        report.count("indicators", created=True)

    spec = data["plan"]
    plan = await plans.find_plan(session, spec["code"])
    if plan is None:
        plan = Plan(
            code=spec["code"],
            name=spec["name"],
            start_date=dt.date.fromisoformat(spec["start_date"]),
            end_date=dt.date.fromisoformat(spec["end_date"]),
            source=spec["source"],
        )
        session.add(plan)
        await session.flush()
        report.count("plans", created=True)
    else:
        report.count("plans", created=False)

    existing = {
        (target.indicator_id, target.org_unit_id, target.kind)
        for target in await plans.targets_for(session, plan.id, None)
    }
    for item in data["targets"]:
        indicator = indicators[item["indicator"]]
        unit = units[item["org_unit"]]
        if (indicator.id, unit.id, item["kind"]) in existing:
            report.count("targets", created=False)
            continue
        value = item.get("value")
        tolerance = item.get("tolerance")
        session.add(
            Target(
                plan_id=plan.id,
                indicator_id=indicator.id,
                org_unit_id=unit.id,
                kind=item["kind"],
                comparator=item["comparator"],
                value=Decimal(str(value)) if value is not None else None,
                tolerance=Decimal(str(tolerance)) if tolerance is not None else None,
                reference_indicator_id=(
                    indicators[item["reference_indicator"]].id if item.get("reference_indicator") else None
                ),
                projection=item.get("projection") or DEFAULT_PROJECTION[TargetKind(item["kind"])].value,
                source_text=item["source_text"],
                notes=item.get("notes"),
            )
        )
        report.count("targets", created=True)
    await session.flush()


async def load_seed(session: AsyncSession) -> SeedReport:
    report = SeedReport()
    units = await _org_units(session, report)
    await _plan(session, units, report)
    if report.created:
        await bump_catalogue(session)
    logger.info("seed loaded", extra={"seed_created": report.created, "seed_existing": report.existing})
    return report
