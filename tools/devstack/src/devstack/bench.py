"""``make bench``: the targets service measured end to end, through the real gateway, on a realistic database.

1. Start the whole stack (embedded PostgreSQL in a fresh directory, or ``BENCH_DATABASE_URL``).
2. Through the API: 200 communes under the districts, 120 monthly indicators; preload 864,000 values
   (200 × 120 × 36 months of 2021-2023) and a yearly series of the plan's indicators for every district.
3. Ingest 200,000 values (200 communes × 100 indicators × 10 months of 2024) in batches of 10,000: new,
   then the same again (all unchanged), then again with 10 % of the values changed. Values/s per phase.
   Before each measured phase (and before the COPY) the tables are vacuumed and a checkpoint taken, so that
   no phase pays for the background work of the one before.
4. COPY the same 200,000 rows, in the same batches, into a table shaped like ``targets.data_values``
   (same columns and indexes) in the same database: the ratio says how close ingestion gets to raw COPY.
5. Read the province's progress under 32 concurrent clients (``hey``) with over a million values stored:
   p50/p95 and requests/s; and the cold (uncached) computation time.
6. Peak resident memory of every process over the whole run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil

from devstack.keys import DevKeys
from devstack.postgres import libpq_url
from devstack.stack import Stack, StackOptions, free_port, rss_mib
from shared import clock

DISTRICTS = [
    "HT-HTI",
    "HT-HLI",
    "HT-KAT",
    "HT-DTH",
    "HT-NXU",
    "HT-CLO",
    "HT-THA",
    "HT-CXU",
    "HT-KAH",
    "HT-HSO",
]
DISTRICTS += ["HT-HKH", "HT-VQU", "HT-LHA"]


@dataclass
class Options:
    communes: int = 200
    indicators: int = 120
    phase_indicators: int = 100
    preload_months: Sequence[str] = tuple(
        f"{year}{month:02d}" for year in (2021, 2022, 2023) for month in range(1, 13)
    )
    phase_months: Sequence[str] = tuple(f"2024{month:02d}" for month in range(1, 11))
    batch: int = 10_000
    concurrency: int = 2
    clients: int = 32
    duration_s: int = 15


def write_results(results: dict[str, Any], output: Path | None) -> dict[str, Any]:
    """A benchmark's results printed as JSON, and written to ``output`` when given."""
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text)
    return results


@dataclass
class MemoryWatch:
    # The processes to watch: fixed, or asked again at every look (a process restarted meanwhile).
    pids: Mapping[str, int] | Callable[[], Mapping[str, int]]
    peak_mib: dict[str, float] = field(default_factory=dict)
    every_s: float = 0.2  # each sample walks every process and its children in /proc: CPU of its own
    _stop: threading.Event = field(default_factory=threading.Event)

    def _sample(self) -> None:
        while not self._stop.wait(self.every_s):
            pids = self.pids() if callable(self.pids) else self.pids
            for name, pid in pids.items():
                try:
                    rss = rss_mib(pid)
                except psutil.Error:
                    continue
                self.peak_mib[name] = max(self.peak_mib.get(name, 0.0), rss)

    def __enter__(self) -> MemoryWatch:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _values(
    units: Sequence[str], indicators: Sequence[str], periods: Sequence[str], salt: int = 0
) -> list[dict[str, str]]:
    return [
        {
            "dataElement": indicator,
            "period": period,
            "orgUnit": unit,
            "value": str((i * 7919 + salt) % 100_000),
        }
        for i, (unit, indicator, period) in enumerate(
            (unit, indicator, period) for period in periods for unit in units for indicator in indicators
        )
    ]


def _batches(values: list[dict[str, str]], size: int) -> list[bytes]:
    return [json.dumps({"dataValues": values[i : i + size]}).encode() for i in range(0, len(values), size)]


async def _post_all(
    client: httpx.AsyncClient, bodies: list[bytes], concurrency: int
) -> tuple[float, dict[str, int]]:
    totals = {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0}
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)

    async def worker() -> None:
        while not queue.empty():
            body = queue.get_nowait()
            response = await client.post(
                "/api/v1/data-value-sets", content=body, headers={"Content-Type": "application/json"}
            )
            if response.status_code != 200:
                raise RuntimeError(f"import failed: {response.status_code} {response.text[:500]}")
            for key, count in response.json()["importCount"].items():
                totals[key] += count

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, totals


async def _setup(client: httpx.AsyncClient, options: Options) -> tuple[list[str], list[str]]:
    communes = [f"BX-{index:04d}" for index in range(1, options.communes + 1)]
    for index, code in enumerate(communes):
        district = DISTRICTS[index % len(DISTRICTS)]
        response = await client.post(
            "/api/v1/org-units",
            json={
                "code": code,
                "name": f"Xã thử nghiệm {index + 1}",
                "type": "commune",
                "valid_from": "2021-01-01",
                "valid_to": "2024-12-31" if district == "HT-LHA" else "2025-06-30",
                "parent": district,
            },
        )
        response.raise_for_status()
    indicators = [f"BENCH_M_{index:03d}" for index in range(1, options.indicators + 1)]
    for code in indicators:
        response = await client.post(
            "/api/v1/indicators",
            json={
                "code": code,
                "name": f"Chỉ tiêu thử nghiệm {code}",
                "area": "other",
                "unit": "đơn vị",
                "value_type": "number",
                "aggregation": "sum",
                "period_type": "Monthly",
            },
        )
        response.raise_for_status()
    return communes, indicators


async def _yearly_plan_values(client: httpx.AsyncClient) -> int:
    """A yearly series 2021-2024 for the plan's indicators: districts report what rolls up (sums, weighted
    means, and the population used as weight), the province reports what does not (rates, growth)."""
    plan = (await client.get("/api/v1/targets", params={"plan": "HT-2021-2025", "limit": 500})).json()[
        "items"
    ]
    catalogue = {
        item["code"]: item
        for item in (await client.get("/api/v1/indicators", params={"limit": 500})).json()["items"]
    }
    codes = sorted(
        {target["indicator"] for target in plan}
        | {target["reference_indicator"] for target in plan if target["reference_indicator"]}
        | {"POP_AVG"}
    )
    values = []
    for year in (2021, 2022, 2023, 2024):
        for code_index, code in enumerate(codes):
            indicator = catalogue[code]
            rolls_up = indicator["aggregation"] != "none"
            units = (
                [unit for unit in DISTRICTS if not (unit == "HT-LHA" and year == 2024)]
                if rolls_up
                else ["HT"]
            )
            for unit_index, unit in enumerate(units):
                if indicator["value_type"] == "boolean":
                    value = "true" if year == 2024 else "false"
                elif code == "POP_AVG":
                    value = str(80_000 + 1_000 * unit_index)
                elif indicator["value_type"] == "count":
                    value = str(80 + 10 * code_index + unit_index + 5 * (year - 2021))
                else:
                    value = str(round(10 + code_index + unit_index * 0.5 + (year - 2021) * 1.5, 2))
                values.append({"dataElement": code, "period": str(year), "orgUnit": unit, "value": value})
    _, totals = await _post_all(client, _batches(values, 10_000), 1)
    return totals["imported"]


async def _raw_copy(database_url: str, bodies: list[bytes], concurrency: int) -> float:
    """COPY the phase's rows (resolved to ids, as the import stores them) into a same-shaped table.

    Fair to both sides: the table holds what ``data_values`` held before the phase (same size, same indexes),
    and the batches go through as many connections at once as the import had posting clients.
    """
    connection = await asyncpg.connect(libpq_url(database_url))
    try:
        await connection.execute("DROP SCHEMA IF EXISTS bench_raw CASCADE; CREATE SCHEMA bench_raw")
        await connection.execute(
            "CREATE TABLE bench_raw.data_values (LIKE targets.data_values INCLUDING ALL)"
        )
        await connection.execute(
            "INSERT INTO bench_raw.data_values SELECT * FROM targets.data_values d WHERE NOT EXISTS"
            " (SELECT 1 FROM targets.periods p WHERE p.id = d.period_id AND p.iso LIKE '2024%')"
        )
        await _settle(database_url, "bench_raw.data_values")
        units = dict(await connection.fetch("SELECT code, id FROM targets.org_units"))
        indicators = dict(await connection.fetch("SELECT code, id FROM targets.indicators"))
        periods = dict(await connection.fetch("SELECT iso, id FROM targets.periods"))
        now = clock.now()
        batches = [
            [
                (
                    units[item["orgUnit"]],
                    indicators[item["dataElement"]],
                    periods[item["period"]],
                    item["value"],
                    int(item["value"]),
                    None,
                    "bench",
                    now,
                    now,
                    None,
                )
                for item in json.loads(body)["dataValues"]
            ]
            for body in bodies
        ]
        columns = [
            "org_unit_id",
            "indicator_id",
            "period_id",
            "value",
            "number",
            "comment",
            "stored_by",
            "created",
            "last_updated",
            "import_id",
        ]
        queue: asyncio.Queue[Sequence[tuple[object, ...]]] = asyncio.Queue()
        for batch in batches:
            queue.put_nowait(batch)

        async def copier() -> None:
            worker = await asyncpg.connect(libpq_url(database_url))
            try:
                while not queue.empty():
                    batch = queue.get_nowait()
                    async with worker.transaction():
                        await worker.copy_records_to_table(
                            "data_values", schema_name="bench_raw", records=batch, columns=columns
                        )
            finally:
                await worker.close()

        started = time.perf_counter()
        await asyncio.gather(*(copier() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        await connection.execute("DROP SCHEMA bench_raw CASCADE")
        return elapsed
    finally:
        await connection.close()


async def _settle(database_url: str, table: str = "targets.data_values") -> None:
    """Leave no background work from the step before to land in the next measured one.

    A DBA does the same after a bulk load: the preload writes about a gigabyte of WAL, and the checkpoint and
    autovacuum it triggers otherwise fall on whichever phase runs next (seen as 34,000 versus 47,000 new
    values/s between two runs). Applied before every measured phase and before the COPY baseline alike.
    """
    connection = await asyncpg.connect(libpq_url(database_url))
    try:
        await connection.execute(f"VACUUM (ANALYZE) {table}")
        await connection.execute("VACUUM (ANALYZE) targets.data_value_revisions")
        # A BENCH_DATABASE_URL without pg_checkpoint: the figures then carry that noise.
        with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
            await connection.execute("CHECKPOINT")
    finally:
        await connection.close()


async def _count_values(database_url: str) -> int:
    connection = await asyncpg.connect(libpq_url(database_url))
    try:
        return int(await connection.fetchval("SELECT count(*) FROM targets.data_values"))
    finally:
        await connection.close()


def _hey(url: str, token: str, clients: int, duration_s: int) -> dict[str, float]:
    hey = shutil.which("hey")
    if hey is None:
        raise RuntimeError("hey is not installed (make bench installs it: apt-get install hey)")
    output = subprocess.run(
        [hey, "-z", f"{duration_s}s", "-c", str(clients), "-H", f"Authorization: Bearer {token}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def grab(pattern: str) -> float:
        match = re.search(pattern, output)
        if match is None:
            raise RuntimeError(f"unexpected hey output:\n{output}")
        return float(match.group(1))

    statuses = dict(re.findall(r"\[(\d{3})\]\s+(\d+) responses", output))
    return {
        "requests_per_s": grab(r"Requests/sec:\s+([\d.]+)"),
        "p50_ms": grab(r"50%+ in ([\d.]+) secs") * 1000,
        "p95_ms": grab(r"95%+ in ([\d.]+) secs") * 1000,
        "p99_ms": grab(r"99%+ in ([\d.]+) secs") * 1000,
        "non_200": float(sum(int(count) for status, count in statuses.items() if status != "200")),
        "responses": float(sum(int(count) for count in statuses.values())),
    }


async def _cold_progress(client: httpx.AsyncClient, samples: int = 20) -> list[float]:
    """Uncached computations: each request asks for a different ``at`` date, so none is a cache hit."""
    timings = []
    for offset in range(samples):
        at = (dt.date(2025, 1, 1) + dt.timedelta(days=offset)).isoformat()
        started = time.perf_counter()
        response = await client.get(
            "/api/v1/progress", params={"plan": "HT-2021-2025", "org_unit": "HT", "at": at}
        )
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return timings


async def _run(stack: Stack, keys: DevKeys, options: Options) -> dict[str, Any]:
    results: dict[str, Any] = {}
    admin = keys.mint(roles=["admin"], org_unit="HT", subject="bench-admin")
    async with httpx.AsyncClient(
        base_url=stack.gateway_url, timeout=600, headers={"Authorization": f"Bearer {admin}"}
    ) as client:
        started = time.perf_counter()
        communes, indicators = await _setup(client, options)
        results["setup_s"] = round(time.perf_counter() - started, 1)
        results["yearly_plan_values"] = await _yearly_plan_values(client)

        preload = _batches(_values(communes, indicators, options.preload_months), options.batch)
        elapsed, totals = await _post_all(client, preload, options.concurrency)
        results["preload"] = {
            "values": totals["imported"],
            "seconds": round(elapsed, 1),
            "values_per_s": round(totals["imported"] / elapsed),
        }

        phase_values = _values(communes, indicators[: options.phase_indicators], options.phase_months)
        new = _batches(phase_values, options.batch)
        changed_values = [
            {**item, "value": str(int(item["value"]) + 1)} if index % 10 == 0 else item
            for index, item in enumerate(phase_values)
        ]
        changed = _batches(changed_values, options.batch)
        phases = {}
        for name, bodies in (("new", new), ("unchanged", new), ("10% changed", changed)):
            await _settle(stack.database_url)
            elapsed, totals = await _post_all(client, bodies, options.concurrency)
            phases[name] = {
                "values": len(phase_values),
                "seconds": round(elapsed, 2),
                "values_per_s": round(len(phase_values) / elapsed),
                "counts": totals,
            }
        results["ingest"] = phases
        copy_s = await _raw_copy(stack.database_url, new, options.concurrency)
        results["raw_copy"] = {
            "values": len(phase_values),
            "seconds": round(copy_s, 2),
            "values_per_s": round(len(phase_values) / copy_s),
        }
        results["ratio_new_to_copy"] = round(
            phases["new"]["values_per_s"] / results["raw_copy"]["values_per_s"], 3
        )
        results["values_stored"] = await _count_values(stack.database_url)

        cold = await _cold_progress(client)
        results["progress_cold_ms"] = {
            "p50": round(statistics.median(cold), 1),
            "p95": round(sorted(cold)[int(len(cold) * 0.95) - 1], 1),
        }
    viewer = keys.mint(roles=["viewer"], org_unit="HT", subject="bench-viewer")
    url = f"{stack.gateway_url}/api/v1/progress?plan=HT-2021-2025&org_unit=HT"
    results["progress_32_clients"] = await asyncio.to_thread(
        _hey, url, viewer, options.clients, options.duration_s
    )
    return results


def measure_on_stack(
    prefix: str,
    run: Callable[[Stack, DevKeys], Coroutine[Any, Any, dict[str, Any]]],
    output: Path | None,
    machine: Mapping[str, Any] | None = None,
    stack_options: Mapping[str, Any] | None = None,
    memory_every_s: float = 0.2,
) -> dict[str, Any]:
    """Start a fresh stack (embedded PostgreSQL in a new directory, or ``BENCH_DATABASE_URL``), run the
    measurements under a memory watch, stop everything; print the results and write them to ``output``."""
    state = Path(tempfile.mkdtemp(prefix=prefix))
    state.chmod(0o755)
    stack = Stack(
        StackOptions(
            state=state,
            database_url=os.environ.get("BENCH_DATABASE_URL") or None,
            gateway_port=free_port(),
            service_ports={},
            echo=False,
            # <S>_WORKERS (default 1) pass through: on 2 cores shared with PostgreSQL, nginx and the load
            # generator, a second targets worker measured slower (more switching, no spare core).
            **(stack_options or {}),
        )
    )
    try:
        stack.start(timeout=120)
        assert stack.keys is not None  # noqa: S101

        def pids() -> dict[str, int]:
            return {name: process.pid for name, process in list(stack.processes.items())}

        with MemoryWatch(pids, every_s=memory_every_s) as memory:
            results: dict[str, Any] = asyncio.run(run(stack, stack.keys))
        results["peak_memory_mib"] = memory.peak_mib
        results["machine"] = {
            "cpus": os.cpu_count(),
            "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "database": stack.database_kind,
            **(machine or {}),
        }
    finally:
        stack.stop()
        shutil.rmtree(state, ignore_errors=True)
    return write_results(results, output)


def run_bench(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devstack bench", description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=Options.concurrency, help="posting clients")
    parser.add_argument("--output", type=Path, default=None, help="write the results as JSON here")
    args = parser.parse_args(argv)
    options = Options(concurrency=args.concurrency)

    async def run(stack: Stack, keys: DevKeys) -> dict[str, Any]:
        return await _run(stack, keys, options)

    measure_on_stack("bench-", run, args.output, machine={"posting_clients": options.concurrency})
    return 0
