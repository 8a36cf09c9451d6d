"""``make bench-reports``: the report downloads measured through the real gateway, phase by phase.

1. Start the whole stack (embedded PostgreSQL in a fresh directory, or ``BENCH_DATABASE_URL``).
2. Through the service's own API (``data-value-sets``): a yearly value 2021-2025 of every indicator of the
   plan HT-2021-2025 for every org unit that existed in the year (the province, its district-level units, the
   communes of 2021-2024 and of 1/7/2025), and five monthly indicators (one or two per area of the plan) with
   targets for the province and a monthly value for every unit for each month of 2021-2025, but for
   ``BENCH_M_ROLLUP``, posted by the communes alone: the province's figure is then rolled up through every
   level, the most a chart has to compute.
3. Phases (``phases`` in the results, each with its limit from issue 11 and whether it was met):
   * ``svg_chart_cold`` and ``svg_chart_cached``: ``GET /api/v1/targets/{id}/chart.svg``, one client,
     sequential, over yearly and monthly targets and a district judged on a province target; cold: every
     request a new question (computed and drawn), cached: the same questions again (limit 30 ms); each with
     its figures per case too (``by_case``);
   * ``plan_report_xlsx``: the whole plan's Excel report for the province and every unit below it, to the
     last byte (limit 3 s), with the peak resident memory of the targets service (and its children) while it
     is built and streamed (limit 200 MiB); the CSV and JSON of the same report for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from devstack.bench import MemoryWatch, _batches, measure_on_stack
from devstack.keys import DevKeys
from devstack.stack import Stack, rss_mib

PLAN = "HT-2021-2025"
YEARS = (2021, 2022, 2023, 2024, 2025)
# One monthly indicator per area of the plan, each with a target for the province (how a district system
# that reports monthly sees its figures judged).
MONTHLY = (
    ("BENCH_M_REVENUE", "economy", "number", "sum", "end_of_period", "gte", 3000, "Thu ngân sách hằng tháng"),
    (
        "BENCH_M_INSURED",
        "culture_society",
        "percent",
        "none",
        "end_of_period",
        "gt",
        95,
        "Tỷ lệ tham gia BHYT",
    ),
    ("BENCH_M_WASTE", "environment", "percent", "none", "end_of_period", "gte", 80, "Tỷ lệ thu gom rác thải"),
    # Posted by the communes alone: the province's figure is only ever rolled up, through every level.
    (
        "BENCH_M_ROLLUP",
        "economy",
        "number",
        "sum",
        "end_of_period",
        "gte",
        3000,
        "Doanh thu dịch vụ hằng tháng (chỉ cấp xã báo cáo)",
    ),
    (
        "BENCH_M_INCIDENTS",
        "defence_security",
        "count",
        "sum",
        "cumulative",
        "lte",
        6000,
        "Số vụ việc an ninh",
    ),
)


@dataclass
class Options:
    chart_samples: int = 200
    report_samples: int = 5
    chart_limit_ms: float = 30.0
    report_limit_s: float = 3.0
    report_limit_mib: float = 200.0


LEAF_TYPES = {"commune", "ward", "township"}
POSTED_BY_LEAVES_ONLY = {"BENCH_M_ROLLUP"}


async def _units_by_half_year(client: httpx.AsyncClient) -> tuple[dict[tuple[int, int], list[str]], set[str]]:
    """The org units standing in each half of each plan year (the registry changed on 1/1 and 1/7/2025), and
    which of them are communes, wards and townships."""
    units: dict[tuple[int, int], list[str]] = {}
    leaves: set[str] = set()
    for year in YEARS:
        for half, day in ((1, f"{year}-06-30"), (2, f"{year}-12-31")):
            found: list[str] = []
            cursor: str | None = None
            while True:
                params = {"at": day, "limit": "500"} | ({"cursor": cursor} if cursor else {})
                page = (await client.get("/api/v1/org-units", params=params)).json()
                found += [unit["code"] for unit in page["items"]]
                leaves |= {unit["code"] for unit in page["items"] if unit["type"] in LEAF_TYPES}
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            units[(year, half)] = found
    return units, leaves


def _value(indicator: dict[str, Any], code_index: int, unit_index: int, step: int) -> str:
    if indicator["value_type"] == "boolean":
        return "true" if step >= 3 else "false"
    if indicator["value_type"] == "count":
        return str(80 + 10 * code_index + unit_index % 50 + 5 * step)
    if indicator["value_type"] == "percent":
        return str(round(min(100.0, 40 + code_index + (unit_index % 20) * 0.5 + step * 0.7), 2))
    return str(round(10 + code_index + (unit_index % 40) * 0.5 + step * 1.5, 2))


async def _fill(client: httpx.AsyncClient) -> dict[str, Any]:
    for code, area, value_type, aggregation, kind, comparator, value, name in MONTHLY:
        created = await client.post(
            "/api/v1/indicators",
            json={
                "code": code,
                "name": name,
                "area": area,
                "unit": "%" if value_type == "percent" else "đơn vị",
                "value_type": value_type,
                "aggregation": aggregation,
                "direction": "lower" if comparator == "lte" else "higher",
                "decimals": 1 if value_type != "count" else 0,
                "period_type": "Monthly",
            },
        )
        created.raise_for_status()
        target = await client.post(
            "/api/v1/targets",
            json={
                "plan": PLAN,
                "indicator": code,
                "org_unit": "HT",
                "kind": kind,
                "comparator": comparator,
                "value": value,
                "source_text": f"{name}: mục tiêu thử nghiệm",
            },
        )
        target.raise_for_status()
    catalogue = {
        item["code"]: item
        for item in (await client.get("/api/v1/indicators", params={"limit": 500})).json()["items"]
    }
    plan_targets = (await client.get("/api/v1/targets", params={"plan": PLAN, "limit": 500})).json()["items"]
    yearly = sorted(
        {
            target["indicator"]
            for target in plan_targets
            if catalogue[target["indicator"]]["period_type"] == "Yearly"
        }
        | {target["reference_indicator"] for target in plan_targets if target["reference_indicator"]}
        | {"POP_AVG"}
    )
    units, leaves = await _units_by_half_year(client)
    values: list[dict[str, str]] = []
    for year in YEARS:
        # A yearly value for every unit that stood at some time in the year.
        standing = list(dict.fromkeys(units[(year, 1)] + units[(year, 2)]))
        for code_index, code in enumerate(yearly):
            for unit_index, unit in enumerate(standing):
                figure = (
                    str(60_000 + 500 * (unit_index % 30))
                    if code == "POP_AVG"
                    else _value(catalogue[code], code_index, unit_index, year - 2021)
                )
                values.append({"dataElement": code, "period": str(year), "orgUnit": unit, "value": figure})
        for month in range(1, 13):
            for code_index, (code, *_) in enumerate(MONTHLY):
                for unit_index, unit in enumerate(units[(year, 1 if month <= 6 else 2)]):
                    if code in POSTED_BY_LEAVES_ONLY and unit not in leaves:
                        continue
                    step = (year - 2021) * 12 + month - 1
                    values.append(
                        {
                            "dataElement": code,
                            "period": f"{year}{month:02d}",
                            "orgUnit": unit,
                            "value": _value(catalogue[code], code_index, unit_index, step // 12),
                        }
                    )
    elapsed, totals, conflicts = await _post(client, _batches(values, 10_000))
    return {
        "values_posted": len(values),
        "imported": totals["imported"],
        "ignored": totals["ignored"],
        "conflicts": conflicts,
        "fill_s": round(elapsed, 1),
        "units": len({unit for standing in units.values() for unit in standing}),
        "targets": [target["id"] for target in plan_targets],
    }


async def _post(
    client: httpx.AsyncClient, bodies: list[bytes]
) -> tuple[float, dict[str, int], dict[str, int]]:
    """Every batch with ``atomicMode=NONE``: a value the registry refuses (a unit that did not exist in the
    period) is counted by its conflict code, the rest stored."""
    totals = {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0}
    conflicts: dict[str, int] = {}
    started = time.perf_counter()
    for body in bodies:
        response = await client.post(
            "/api/v1/data-value-sets",
            content=body,
            params={"atomicMode": "NONE"},
            headers={"Content-Type": "application/json"},
        )
        if response.status_code not in (200, 409):
            raise RuntimeError(f"import failed: {response.status_code} {response.text[:500]}")
        summary = response.json()
        for key, count in summary["importCount"].items():
            totals[key] += count
        for conflict in summary.get("conflicts", []):
            code = conflict["errorCode"]
            conflicts[code] = conflicts.get(code, 0) + len(conflict.get("indexes", [])) or 1
            if conflicts[code] <= 1:
                print(f"bench-reports: conflict {conflict}", flush=True)
    return time.perf_counter() - started, totals, conflicts


def _summary(timings_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(timings_ms)
    return {
        "samples": len(ordered),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "max_ms": round(ordered[-1], 1),
    }


async def _charts(client: httpx.AsyncClient, options: Options) -> list[dict[str, Any]]:
    plan_targets = (await client.get("/api/v1/targets", params={"plan": PLAN, "limit": 500})).json()["items"]
    by_indicator = {(target["indicator"], target["kind"]): target["id"] for target in plan_targets}
    cases = [
        (by_indicator[("ECO_INCOME_PC", "end_of_period")], "HT"),  # yearly, weighted roll-up, compound
        (by_indicator[("BENCH_M_REVENUE", "end_of_period")], "HT"),  # 60 months, the province's own figures
        (by_indicator[("BENCH_M_ROLLUP", "end_of_period")], "HT"),  # 60 months rolled up from the communes
        (by_indicator[("BENCH_M_INCIDENTS", "cumulative")], "HT"),
        (by_indicator[("ENV_FOREST_COVER", "end_of_period")], "HT-HSO"),  # a district on a province target
    ]
    names = ["yearly weighted", "monthly posted", "monthly rolled up", "monthly cumulative", "district"]
    phases = []
    for name, first_day in (("svg_chart_cold", 0), ("svg_chart_cached", 0)):
        timings: list[float] = []
        by_case: dict[str, list[float]] = {case: [] for case in names}
        sizes = []
        for index in range(options.chart_samples):
            target, unit = cases[index % len(cases)]
            # Cold: each request a new day (a new question, computed and drawn); cached: the same questions
            # again, as a page showing a unit's targets is shown again.
            day = dt.date(2026, 1, 1) + dt.timedelta(days=first_day + index // len(cases))
            started = time.perf_counter()
            response = await client.get(
                f"/api/v1/targets/{target}/chart.svg", params={"org_unit": unit, "at": day.isoformat()}
            )
            timings.append((time.perf_counter() - started) * 1000)
            by_case[names[index % len(cases)]].append(timings[-1])
            response.raise_for_status()
            sizes.append(len(response.content))
        summary = _summary(timings)
        phases.append(
            {
                "name": name,
                "what": "chart.svg, one client, 5 targets in turn (yearly, monthly posted, monthly rolled up"
                " from the communes, cumulative, a district)",
                **summary,
                "bytes_median": int(statistics.median(sizes)),
                "limit_ms": options.chart_limit_ms,
                "met": summary["p95_ms"] <= options.chart_limit_ms,
                "by_case": {case: _summary(found) for case, found in by_case.items()},
            }
        )
    return phases


async def _report(
    client: httpx.AsyncClient, stack: Stack, report_format: str, samples: int
) -> tuple[dict[str, float], int, float]:
    """Timings (and the service's resident memory just before), size and the peak memory while it ran."""
    timings: list[float] = []
    size = 0
    timings_before = rss_mib(stack.processes["targets"].pid)
    with MemoryWatch({"targets": stack.processes["targets"].pid}, every_s=0.05) as memory:
        for _ in range(samples):
            started = time.perf_counter()
            async with client.stream(
                "GET",
                "/api/v1/progress/report",
                params={"plan": PLAN, "org_unit": "HT", "at": "2026-01-01", "format": report_format},
            ) as response:
                response.raise_for_status()
                size = 0
                async for chunk in response.aiter_raw():
                    size += len(chunk)
            timings.append((time.perf_counter() - started) * 1000)
    return _summary(timings) | {"rss_before_mib": timings_before}, size, memory.peak_mib.get("targets", 0.0)


async def _run(stack: Stack, keys: DevKeys, options: Options) -> dict[str, Any]:
    admin = keys.mint(roles=["admin"], org_unit="HT", subject="bench-admin")
    async with httpx.AsyncClient(
        base_url=stack.gateway_url, timeout=600, headers={"Authorization": f"Bearer {admin}"}
    ) as client:
        fill = await _fill(client)
        rows = (
            await client.get(
                "/api/v1/progress/report", params={"plan": PLAN, "org_unit": "HT", "at": "2026-01-01"}
            )
        ).json()["rows"]
        phases = await _charts(client, options)
        xlsx, xlsx_bytes, xlsx_peak = await _report(client, stack, "xlsx", options.report_samples)
        phases.append(
            {
                "name": "plan_report_xlsx",
                "what": "progress/report?plan=HT-2021-2025&org_unit=HT&format=xlsx, to the last byte",
                "rows": rows,
                **xlsx,
                "bytes": xlsx_bytes,
                "peak_rss_mib": xlsx_peak,
                "limit_s": options.report_limit_s,
                "limit_mib": options.report_limit_mib,
                "met": xlsx["p95_ms"] <= options.report_limit_s * 1000
                and xlsx_peak <= options.report_limit_mib,
            }
        )
        for report_format in ("csv", "json"):
            timings, size, peak = await _report(client, stack, report_format, options.report_samples)
            phases.append(
                {
                    "name": f"plan_report_{report_format}",
                    "what": f"the same report as {report_format}, for comparison (no limit of its own)",
                    "rows": rows,
                    **timings,
                    "bytes": size,
                    "peak_rss_mib": peak,
                }
            )
    return {"data": {key: value for key, value in fill.items() if key != "targets"}, "phases": phases}


def run_bench_reports(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devstack bench-reports", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=None, help="write the results as JSON here")
    args = parser.parse_args(argv)
    options = Options()

    async def run(stack: Stack, keys: DevKeys) -> dict[str, Any]:
        return await _run(stack, keys, options)

    measure_on_stack("bench-reports-", run, args.output)
    return 0
